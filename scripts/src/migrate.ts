// npm run migrate: applies the checked-in migrations of every service whose <NAME>_DATABASE_URL
// is set (docker-compose runs this once before the services start; `npm start` does it itself).
import path from 'node:path';
import { applyMigrations, serviceSchema } from '@jobplatform/database';
import { repoRoot } from './dev-stack-env.js';
import { databaseUrlVariable, subgraphServices } from './platform-services.js';
import { loadMigrateEnv } from './migrate-env.js';

const env = loadMigrateEnv(subgraphServices.map((s) => databaseUrlVariable(s.name)));
let configured = 0;
for (const service of subgraphServices) {
  const url = env[databaseUrlVariable(service.name)];
  if (!url) continue;
  configured += 1;
  const applied = await applyMigrations(url, serviceSchema(path.join(repoRoot, 'prisma'), service.name));
  console.log(`${service.name}: ${applied.length > 0 ? `applied ${applied.join(', ')}` : 'up to date'}`);
}
if (configured === 0) {
  console.error(`Set at least one of ${subgraphServices.map((s) => databaseUrlVariable(s.name)).join(', ')}`);
  process.exit(1);
}
