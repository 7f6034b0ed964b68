import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { NatsConnection } from '@nats-io/transport-node';
import { findFreePort, startNatsServer, type NatsServerHandle } from '@jobplatform/embedded-infra';
import { createTestDatabase, type TestDatabase } from '@jobplatform/testing';
import { connectToNats, eventTablesSql, type EventInput } from '../src/index.js';

/**
 * A nats-server of the test file's own: stream names are fixed by the contracts (USERS, ...), so
 * files running side by side must not share a server, and some tests kill it.
 */
export async function startPrivateNats(): Promise<NatsServerHandle & { dispose(): Promise<void> }> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'jobplatform-events-nats-'));
  const server = await startNatsServer({ port: await findFreePort(), storeDir: dir });
  return {
    ...server,
    async dispose() {
      await server.stop();
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}

/** An empty database with the event tables and a table for handlers' effects. */
export async function createEventDatabase(): Promise<TestDatabase & { pool: pg.Pool }> {
  const db = await createTestDatabase();
  await db.query(eventTablesSql);
  // Deliberately no unique constraint: a duplicate effect must show up as an extra row.
  await db.query(`CREATE TABLE "effects" ("n" BIGSERIAL PRIMARY KEY, "event_id" CHAR(26) NOT NULL, "subject" TEXT NOT NULL, "user_id" TEXT NOT NULL, "username" TEXT)`);
  const pool = new pg.Pool({ connectionString: db.url, max: 10 });
  pool.on('error', () => undefined); // an idle connection closed by the server's shutdown
  return {
    ...db,
    pool,
    async drop() {
      await pool.end();
      await db.drop();
    },
  };
}

export async function connectTestNats(url: string): Promise<NatsConnection> {
  return connectToNats(url, 'events-test');
}

/** Polls until check() holds, or fails with what it last saw. */
export async function waitFor<T>(what: string, probe: () => Promise<T>, check: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T;
  for (;;) {
    last = await probe();
    if (check(last)) return last;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}; last value: ${JSON.stringify(last, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function countRows(db: TestDatabase, sql: string, values: unknown[] = []): Promise<number> {
  const { rows } = await db.query<{ count: string }>(sql, values);
  return Number(rows[0]?.count ?? 0);
}

export function updatedUser(userId: number, username = `user_${userId}`): EventInput<'users.user.updated.v1'> {
  return { userId: String(userId), username, email: `${username}@example.com`, userType: 'job_seeker', isActive: true, isVerified: false };
}
