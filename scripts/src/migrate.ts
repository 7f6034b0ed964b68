// npm run migrate: applies the checked-in migrations of every service whose <NAME>_DATABASE_URL
// is set, as the role that URL names; with POSTGRES_ADMIN_URL it first makes that role and its
// database, or brings them up to date (a database postgres owned is handed over). Then, when
// NATS_URL is set, it erases the messages of retired subjects from the streams (as the admin
// identity, NATS_ADMIN_PASSWORD). docker-compose runs this once before the services start; `npm
// start` does both itself.
import path from 'node:path';
import { applyMigrations, provisionServiceDatabase, serviceSchema } from '@jobplatform/database';
import { connectToNats, natsAdminUser, purgeRetiredSubjects } from '@jobplatform/events';
import { repoRoot } from './dev-stack-env.js';
import { databaseUrlVariable, subgraphServices } from './platform-services.js';
import { accessOf, loadMigrateEnv, loadMigrateNatsEnv, postgresAdminUrlVariable } from './migrate-env.js';

const env = loadMigrateEnv(subgraphServices.map((s) => databaseUrlVariable(s.name)));
let configured = 0;
for (const service of subgraphServices) {
  const url = env[databaseUrlVariable(service.name)];
  if (!url) continue;
  configured += 1;
  const adminUrl = env[postgresAdminUrlVariable];
  if (adminUrl) {
    const { handedOver } = await provisionServiceDatabase(adminUrl, accessOf(url));
    if (handedOver > 0) console.log(`${service.name}: handed ${handedOver} object(s) that other roles owned to ${accessOf(url).role}`);
  }
  const applied = await applyMigrations(url, serviceSchema(path.join(repoRoot, 'prisma'), service.name));
  console.log(`${service.name}: ${applied.length > 0 ? `applied ${applied.join(', ')}` : 'up to date'}`);
}
const natsEnv = loadMigrateNatsEnv();
if (natsEnv.NATS_URL) {
  const admin = await connectToNats(natsEnv.NATS_URL, 'migrate', natsEnv.NATS_ADMIN_PASSWORD ? { user: natsAdminUser, password: natsEnv.NATS_ADMIN_PASSWORD } : {});
  try {
    const { removed, deadLetters } = await purgeRetiredSubjects(admin);
    const erased = Object.entries(removed)
      .filter(([, n]) => n > 0)
      .map(([subject, n]) => `${n} ${subject}`);
    console.log(`streams: ${erased.length + deadLetters > 0 ? `erased ${[...erased, `${deadLetters} dead letter(s)`].join(', ')}` : 'no retired subjects left'}`);
  } finally {
    await admin.close();
  }
}
if (configured === 0 && !natsEnv.NATS_URL) {
  console.error(`Set at least one of ${subgraphServices.map((s) => databaseUrlVariable(s.name)).join(', ')}, or NATS_URL`);
  process.exit(1);
}
