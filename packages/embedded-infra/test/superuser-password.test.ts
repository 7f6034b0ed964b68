// npm start generates the superuser's password and keeps it with the development keys; a cluster
// made before that has the old fixed one, which the first start with a generated one replaces.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { findFreePort } from '../src/ports.js';
import { startEmbeddedPostgres } from '../src/postgres.js';

let dir: string;

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'jobplatform-superuser-'));
  await fs.chmod(dir, 0o755); // PostgreSQL may run as another user (see postgres-access.ts)
});

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

async function signIn(port: number, password: string): Promise<string | undefined> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password, database: 'postgres' });
  try {
    await client.connect();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  await client.end();
  return 'signed in';
}

it("gives an existing cluster's superuser the new password when it still has a former one, and keeps it", async () => {
  const dataDir = path.join(dir, 'postgres');
  const port = await findFreePort();
  const before = await startEmbeddedPostgres({ dataDir, port });
  await before.stop();

  const upgraded = await startEmbeddedPostgres({ dataDir, port, password: 'generated-1', formerPasswords: ['postgres'] });
  try {
    expect(await signIn(port, 'generated-1')).toBe('signed in');
    expect(await signIn(port, 'postgres')).toBe('28P01');
  } finally {
    await upgraded.stop();
  }

  const again = await startEmbeddedPostgres({ dataDir, port, password: 'generated-1', persistent: false });
  try {
    expect(await signIn(port, 'generated-1')).toBe('signed in');
  } finally {
    await again.stop();
  }
});
