import { EnvError } from '@jobplatform/config';
import { onShutdownSignal } from '@jobplatform/service-runtime';
import { loadGatewayEnv } from './env.js';
import { startGateway } from './server.js';

try {
  const gateway = await startGateway(loadGatewayEnv());
  onShutdownSignal(gateway.close);
} catch (error) {
  console.error(error instanceof EnvError ? error.message : error);
  process.exit(1);
}
