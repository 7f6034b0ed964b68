import pg from 'pg';
import type { Registry } from 'prom-client';
import type { NatsConnection } from '@nats-io/transport-node';
import { createTestDatabase, startPrivateNats, type PrivateNats, type TestDatabase } from '@jobplatform/testing';
import { connectToNats, ensureStreams, eventTablesSql, type EventInput } from '../src/index.js';

export { startPrivateNats, takeDatabaseDown, waitFor } from '@jobplatform/testing';

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

export type EventHarness = {
  nats: PrivateNats;
  db: TestDatabase & { pool: pg.Pool };
  /** Connected as the admin. */
  nc: NatsConnection;
  /** What the test started, stopped after it in reverse order. */
  stoppers: (() => Promise<void>)[];
};

/**
 * For every test of the file: a nats-server of its own with the given producers' streams, and a
 * database with the event tables; both are gone after the test. The object is filled before each
 * test.
 */
export function useEventHarness(streams: string[] = []): EventHarness {
  const h = {} as EventHarness;
  beforeEach(async () => {
    const nats = await startPrivateNats();
    const db = await createEventDatabase();
    Object.assign(h, { nats, db, nc: await connectTestNats(nats.url), stoppers: [] });
    if (streams.length > 0) await ensureStreams(h.nc, streams);
  });
  afterEach(async () => {
    try {
      for (const stop of h.stoppers.reverse()) await stop();
      await h.nc.drain();
    } finally {
      await h.nats.dispose();
      await h.db.drop();
    }
  });
  return h;
}

export async function countRows(db: TestDatabase, sql: string, values: unknown[] = []): Promise<number> {
  const { rows } = await db.query<{ count: string }>(sql, values);
  return Number(rows[0]?.count ?? 0);
}

export function updatedUser(userId: number, username = `user_${userId}`): EventInput<'users.user.updated.v1'> {
  return { userId: String(userId), username, email: `${username}@example.com`, userType: 'job_seeker', isActive: true, isVerified: false };
}

/** The value of one series of a metric on a registry, or undefined when there is no such series. */
export async function metricValue(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  const metric = registry.getSingleMetric(name);
  if (!metric) throw new Error(`no metric ${name}`);
  const { values } = await metric.get();
  const series = values.find((value) => Object.entries(labels).every(([key, label]) => value.labels[key] === label));
  return series?.value;
}
