import { EnvError } from '@jobplatform/config';
import { onShutdownSignal } from '@jobplatform/service-runtime';
import { loadUsersEnv } from './env.js';
import { startUsersService } from './server.js';

try {
  const env = loadUsersEnv();
  const service = await startUsersService(env);
  if (env.BOOTSTRAP_ADMIN_EMAIL && env.BOOTSTRAP_ADMIN_PASSWORD) {
    const outcome = await service.accounts.ensureBootstrapAdmin({
      username: env.BOOTSTRAP_ADMIN_USERNAME,
      email: env.BOOTSTRAP_ADMIN_EMAIL,
      password: env.BOOTSTRAP_ADMIN_PASSWORD,
    });
    if (outcome === 'created') console.log(JSON.stringify({ level: 30, service: 'users', msg: `bootstrap admin ${env.BOOTSTRAP_ADMIN_EMAIL} created` }));
  }
  onShutdownSignal(service.close);
} catch (error) {
  console.error(error instanceof EnvError ? error.message : error);
  process.exit(1);
}
