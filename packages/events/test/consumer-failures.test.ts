import type pg from 'pg';
import { jetstream } from '@nats-io/jetstream';
import {
  createEnvelope,
  createPgTransactionRunner,
  listDeadLetters,
  startEventConsumer,
  type EventConsumer,
  type EventConsumerOptions,
  type EventEnvelope,
  type EventHandler,
} from '../src/index.js';
import { countRows, takeDatabaseDown, updatedUser, useEventHarness, waitFor } from './event-test-setup.js';

// Transient failures (the database away, a lock not granted in time) are retried for as long as
// they last and never dead-lettered; a handler's own errors are, after maxDeliveries of them.

const h = useEventHarness(['users']);

async function publishUpdate(userId: number): Promise<EventEnvelope<'users.user.updated.v1'>> {
  const envelope = createEnvelope('users', 'users.user.updated.v1', updatedUser(userId));
  await jetstream(h.nc).publish(envelope.type, JSON.stringify(envelope), { msgID: envelope.id });
  return envelope;
}

type Handler = EventHandler<'users.user.updated.v1', pg.PoolClient>;

async function startConsumer(handler: Handler, options: Partial<EventConsumerOptions<pg.PoolClient>> = {}): Promise<EventConsumer> {
  const consumer = await startEventConsumer<pg.PoolClient>({
    nats: h.nc,
    service: 'notifications',
    purpose: 'effects',
    transaction: createPgTransactionRunner(h.db.pool),
    backoff: { initialMs: 20, maxMs: 100 },
    outageBackoff: { initialMs: 50, maxMs: 200 },
    ...options,
    handlers: { 'users.user.updated.v1': handler },
  });
  h.stoppers.push(() => consumer.stop());
  return consumer;
}

const recordEffect: Handler = async (event, tx) => {
  await tx.query('INSERT INTO "effects" ("event_id", "subject", "user_id") VALUES ($1, $2, $3)', [event.id, event.type, event.data.userId]);
};

const effectsOf = (userId: number) => countRows(h.db, 'SELECT count(*) FROM "effects" WHERE "user_id" = $1', [String(userId)]);
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

it('pauses while its database is down, dead-letters nothing, and applies each event once when it is back', async () => {
  const deliveries = new Map<string, number>(); // user id -> delivery count when applied
  let transactions = 0;
  const runner = createPgTransactionRunner(h.db.pool);
  // maxDeliveries 2: a second failure that counted would send the event to dead letter.
  const consumer = await startConsumer(
    async (event, tx, context) => {
      await recordEffect(event, tx, context);
      deliveries.set(event.data.userId, context.deliveryCount);
    },
    {
      maxDeliveries: 2,
      transaction: (work) => {
        transactions += 1;
        return runner(work);
      },
    },
  );
  await publishUpdate(1);
  await waitFor(
    'the first effect',
    () => effectsOf(1),
    (n) => n === 1,
  );

  const bringBack = await takeDatabaseDown(h.db);
  h.stoppers.push(bringBack); // should the test fail before it brings the database back
  for (let userId = 2; userId <= 4; userId += 1) await publishUpdate(userId);
  await waitFor('the consumer to pause', async () => consumer.isPaused(), Boolean);
  // Paused, it tries no event: it only asks the database now and then, with back-off.
  const atPause = transactions;
  await pause(1_000);
  expect(consumer.isPaused()).toBe(true);
  expect(transactions - atPause).toBeGreaterThan(1);
  expect(transactions - atPause).toBeLessThan(12); // 50 ms doubling to 200 ms: about 7 in a second
  expect(consumer.stats()).toMatchObject({ failures: 0, deadLettered: 0, pauses: 1 });
  expect(consumer.stats().transientFailures).toBeGreaterThan(0);

  await bringBack();
  await waitFor(
    'the three effects',
    async () => [await effectsOf(2), await effectsOf(3), await effectsOf(4)],
    (counts) => counts.every((n) => n === 1),
  );
  await pause(300); // late redeliveries would land now
  for (const userId of [1, 2, 3, 4]) expect(await effectsOf(userId)).toBe(1);
  expect(consumer.isPaused()).toBe(false);
  expect(consumer.stats()).toMatchObject({ handled: 4, failures: 0, deadLettered: 0 });
  // Handed back and delivered again during the outage more often than maxDeliveries allows for
  // failures, and never dead-lettered.
  for (const userId of ['2', '3', '4']) expect(deliveries.get(userId)).toBeGreaterThan(2);
  expect(await listDeadLetters(h.nc)).toHaveLength(0);
  expect(await countRows(h.db, 'SELECT count(*) FROM "processed_events"')).toBe(4);
});

it('retries an event whose handler keeps meeting a lock it cannot get, beyond maxDeliveries, without pausing or dead-lettering', async () => {
  await h.db.query(`CREATE TABLE "counters" ("user_id" TEXT PRIMARY KEY, "n" INT NOT NULL)`);
  await h.db.query(`INSERT INTO "counters" VALUES ('1', 0)`);
  const seen: number[] = [];
  const consumer = await startConsumer(
    async (event, tx, context) => {
      seen.push(context.deliveryCount);
      await tx.query(`SET LOCAL lock_timeout = '20ms'`);
      await tx.query(`UPDATE "counters" SET "n" = "n" + 1 WHERE "user_id" = $1`, [event.data.userId]); // 55P03 while the test holds the row
      await recordEffect(event, tx, context);
    },
    { maxDeliveries: 2 },
  );
  const holder = await h.db.pool.connect();
  try {
    await holder.query('BEGIN');
    await holder.query(`SELECT 1 FROM "counters" WHERE "user_id" = '1' FOR UPDATE`);
    await publishUpdate(1);
    await waitFor(
      'six deliveries',
      async () => seen.length,
      (n) => n >= 6,
      15_000,
    );
    expect(consumer.isPaused()).toBe(false); // the database answers: the lock was the transaction's own trouble
    expect(consumer.stats()).toMatchObject({ failures: 0, deadLettered: 0, pauses: 0 });
  } finally {
    await holder.query('ROLLBACK');
    holder.release();
  }
  await waitFor(
    'the effect',
    () => effectsOf(1),
    (n) => n === 1,
  );
  expect((await h.db.query<{ n: number }>(`SELECT "n" FROM "counters"`)).rows[0]!.n).toBe(1);
  expect(Math.max(...seen)).toBeGreaterThan(2);
  expect(consumer.stats().transientFailures).toBe(seen.length - 1);
  expect(await listDeadLetters(h.nc)).toHaveLength(0);
});

it("dead-letters after maxDeliveries of the handler's own failures, however many transient ones came between", async () => {
  let calls = 0;
  const consumer = await startConsumer(
    async () => {
      calls += 1;
      // Odd calls: a serialisation failure (PostgreSQL asks for a retry); even calls: a bug.
      if (calls % 2 === 1) throw Object.assign(new Error('could not serialize access due to concurrent update'), { code: '40001' });
      throw new Error('handler bug');
    },
    { maxDeliveries: 3 },
  );
  await publishUpdate(1);
  await waitFor(
    'the dead letter',
    async () => consumer.stats().deadLettered,
    (n) => n === 1,
    15_000,
  );
  await pause(300);
  expect(calls).toBe(6);
  expect(consumer.stats()).toMatchObject({ failures: 3, transientFailures: 3, deadLettered: 1 });
  const [letter] = await listDeadLetters(h.nc);
  expect(letter).toMatchObject({ reason: 'exhausted', error: 'handler bug', deliveries: 6 });
});
