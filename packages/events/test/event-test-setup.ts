import pg from 'pg';
import type { NatsConnection } from '@nats-io/transport-node';
import { createTestDatabase, type TestDatabase } from '@jobplatform/testing';
import { connectToNats, eventTablesSql, type EventInput } from '../src/index.js';

export { startPrivateNats, waitFor } from '@jobplatform/testing';

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

export async function countRows(db: TestDatabase, sql: string, values: unknown[] = []): Promise<number> {
  const { rows } = await db.query<{ count: string }>(sql, values);
  return Number(rows[0]?.count ?? 0);
}

export function updatedUser(userId: number, username = `user_${userId}`): EventInput<'users.user.updated.v1'> {
  return { userId: String(userId), username, email: `${username}@example.com`, userType: 'job_seeker', isActive: true, isVerified: false };
}
