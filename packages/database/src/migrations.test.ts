import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, type TestDatabase } from '@jobplatform/testing';
import { diffMigrationsToSchema, serviceSchema } from './migrations.js';

const prismaRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../prisma');
const services = (await fs.readdir(prismaRoot, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);

// The drift check replays the migrations in a throw-away database, which a service's role may not
// create: it works on the server of a service-less test database, whose owner may.
let scratch: TestDatabase;
beforeAll(async () => {
  scratch = await createTestDatabase();
});
afterAll(async () => {
  await scratch?.drop();
});

describe.each(services)('prisma/%s migrations', (service) => {
  it('apply to an empty database and leave no drift against schema.prisma', async () => {
    const db = await createTestDatabase(service);
    try {
      const applied = await db.query<{ migration_name: string; finished_at: Date | null }>('SELECT migration_name, finished_at FROM _prisma_migrations ORDER BY migration_name');
      const folders = (await fs.readdir(path.join(prismaRoot, service, 'migrations'), { withFileTypes: true }))
        .filter((e) => e.isDirectory())
        .map((e) => e.name)
        .sort();
      expect(applied.rows.map((r) => r.migration_name)).toEqual(folders);
      expect(applied.rows.every((r) => r.finished_at !== null)).toBe(true);
      expect(await diffMigrationsToSchema(scratch.url, serviceSchema(prismaRoot, service))).toBe('');
    } finally {
      await db.drop();
    }
  });
});

it('reports drift when schema.prisma has a change no migration carries', async () => {
  const dir = await fs.mkdtemp(path.join(prismaRoot, '..', 'node_modules', '.drift-'));
  try {
    // The whole schema folder, shared files (symlinks) copied as plain files.
    await fs.cp(path.join(prismaRoot, 'users'), dir, { recursive: true, dereference: true });
    const original = await fs.readFile(path.join(prismaRoot, 'users', 'schema.prisma'), 'utf8');
    await fs.writeFile(path.join(dir, 'schema.prisma'), original.replace('bio                   String?', 'bio String?\n  nickname String?'));
    const sql = await diffMigrationsToSchema(scratch.url, { schemaDir: dir, migrationsDir: path.join(dir, 'migrations') });
    expect(sql).toMatch(/ADD COLUMN\s+"nickname"/);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
