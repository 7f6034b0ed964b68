// npm run migrate:create -- <service> <name>
// Writes prisma/<service>/migrations/<timestamp>_<name>/migration.sql with the SQL that takes the
// existing migrations to what prisma/<service>/schema.prisma now says. It works offline: a
// throw-away embedded PostgreSQL serves as the shadow database. Review the SQL and add by hand
// what Prisma cannot express (CHECK constraints, expression indexes, triggers).
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createMigration, serviceSchema } from '@jobplatform/database';
import { findFreePort, startEmbeddedPostgres } from '@jobplatform/embedded-infra';
import { repoRoot } from './dev-stack-env.js';

const [service, name] = process.argv.slice(2);
if (!service || !name || !/^[a-z][a-z0-9_]*$/.test(name)) {
  console.error('usage: npm run migrate:create -- <service> <migration_name in snake_case>');
  process.exit(2);
}
const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'jobplatform-migrate-'));
await fs.chmod(dir, 0o755);
const postgres = await startEmbeddedPostgres({ dataDir: path.join(dir, 'data'), port: await findFreePort(), persistent: false });
try {
  await postgres.ensureDatabase('scratch');
  const folder = await createMigration(postgres.urlFor('scratch'), serviceSchema(path.join(repoRoot, 'prisma'), service), name);
  console.log(folder ? `wrote ${path.relative(repoRoot, folder)}/migration.sql` : 'schema.prisma matches the migrations: nothing to write');
} finally {
  await postgres.stop();
  await fs.rm(dir, { recursive: true, force: true });
}
