// npm run migrate:create -- <service> <name>
// Writes prisma/<service>/migrations/<timestamp>_<name>/migration.sql with the SQL that takes the
// existing migrations to what prisma/<service>/schema.prisma now says. It works offline: a
// throw-away embedded PostgreSQL serves as the shadow database. Review the SQL and add by hand
// what Prisma cannot express (CHECK constraints, expression indexes, triggers).
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMigration, serviceSchema } from '@jobplatform/database';
import { findFreePort, startEmbeddedPostgres } from '@jobplatform/embedded-infra';
import { repoRoot } from './dev-stack-env.js';

/**
 * Writes the migration that takes prisma/<service>/migrations to its schema (under prismaRoot),
 * diffed in a throw-away embedded PostgreSQL. Returns the new folder, or undefined when the schema
 * already matches the migrations. `npm run new:subgraph` writes a new service's first one with it.
 */
export async function createMigrationOffline(prismaRoot: string, service: string, name: string): Promise<string | undefined> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'jobplatform-migrate-'));
  // PostgreSQL may run as another user (see embedded-infra), who must reach its data folder.
  await fs.chmod(dir, 0o755);
  try {
    const postgres = await startEmbeddedPostgres({ dataDir: path.join(dir, 'data'), port: await findFreePort(), persistent: false });
    try {
      await postgres.ensureDatabase('scratch');
      return await createMigration(postgres.urlFor('scratch'), serviceSchema(prismaRoot, service), name);
    } finally {
      await postgres.stop();
    }
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const [service, name] = process.argv.slice(2);
  if (!service || !name || !/^[a-z][a-z0-9_]*$/.test(name)) {
    console.error('usage: npm run migrate:create -- <service> <migration_name in snake_case>');
    process.exit(2);
  }
  const folder = await createMigrationOffline(path.join(repoRoot, 'prisma'), service, name);
  console.log(folder ? `wrote ${path.relative(repoRoot, folder)}/migration.sql` : 'schema.prisma matches the migrations: nothing to write');
}

// A command when run, a function when imported (new-subgraph.ts).
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) await main();
