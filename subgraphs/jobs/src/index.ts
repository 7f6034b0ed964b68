import { EnvError } from '@jobplatform/config';
import { onShutdownSignal } from '@jobplatform/service-runtime';
import { loadJobsEnv } from './env.js';
import { startJobsService } from './server.js';

try {
  const service = await startJobsService(loadJobsEnv());
  onShutdownSignal(service.close);
} catch (error) {
  console.error(error instanceof EnvError ? error.message : error);
  process.exit(1);
}
