import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { diffMigrationsToSchema } from '@jobplatform/database';
import { createTestDatabase } from '@jobplatform/testing';
import { eventTablesSql, userReplicaTableSql } from '../src/index.js';

const prismaDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../prisma');

/**
 * A service pastes the Prisma models into its schema and ships the SQL exports in a migration;
 * the migration drift check must then find nothing to do. This builds exactly that service.
 */
it('the Prisma models and the SQL exports describe the same tables', async () => {
  const db = await createTestDatabase();
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'jobplatform-event-tables-'));
  try {
    const models = await Promise.all(['event-tables.prisma', 'user-replica.prisma'].map((file) => fs.readFile(path.join(prismaDir, file), 'utf8')));
    const schema = ['generator client {\n  provider = "prisma-client"\n  output   = "./generated"\n}', 'datasource db {\n  provider = "postgresql"\n}', ...models].join('\n\n');
    await fs.writeFile(path.join(dir, 'schema.prisma'), schema);
    await fs.mkdir(path.join(dir, 'migrations', '20250101000000_event_tables'), { recursive: true });
    await fs.writeFile(path.join(dir, 'migrations', 'migration_lock.toml'), 'provider = "postgresql"\n');
    await fs.writeFile(path.join(dir, 'migrations', '20250101000000_event_tables', 'migration.sql'), [eventTablesSql, userReplicaTableSql].join('\n'));

    const drift = await diffMigrationsToSchema(db.url, { schemaDir: dir, migrationsDir: path.join(dir, 'migrations') });
    expect(drift).toBe('');
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
    await db.drop();
  }
});

it('the drift check notices when the SQL leaves something out', async () => {
  const db = await createTestDatabase();
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'jobplatform-event-tables-'));
  try {
    const models = await fs.readFile(path.join(prismaDir, 'event-tables.prisma'), 'utf8');
    await fs.writeFile(path.join(dir, 'schema.prisma'), `datasource db {\n  provider = "postgresql"\n}\n\n${models}`);
    await fs.mkdir(path.join(dir, 'migrations', '20250101000000_event_tables'), { recursive: true });
    await fs.writeFile(path.join(dir, 'migrations', 'migration_lock.toml'), 'provider = "postgresql"\n');
    await fs.writeFile(
      path.join(dir, 'migrations', '20250101000000_event_tables', 'migration.sql'),
      eventTablesSql.replace('CREATE INDEX "processed_events_processed_at_idx" ON "processed_events"("processed_at");', ''),
    );
    const drift = await diffMigrationsToSchema(db.url, { schemaDir: dir, migrationsDir: path.join(dir, 'migrations') });
    expect(drift).toMatch(/CREATE INDEX "processed_events_processed_at_idx"/);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
    await db.drop();
  }
});
