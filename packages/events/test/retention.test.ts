import type pg from 'pg';
import { jetstream } from '@nats-io/jetstream';
import {
  createEnvelope,
  createPgTransactionRunner,
  defaultDeadLetterLimits,
  defaultStreamLimits,
  processedEventsRetentionMs,
  publishedOutboxRetentionMs,
  startEventConsumer,
  startOutboxRelay,
  type EventConsumer,
} from '../src/index.js';
import { countRows, updatedUser, useEventHarness, waitFor } from './event-test-setup.js';

// processed_events and published outbox rows are pruned, in batches, once they are older than the
// streams can bring their events back.

const h = useEventHarness(['users']);

const DAY_MS = 24 * 60 * 60 * 1000;

async function startConsumer(options: { pruneIntervalMs: number }): Promise<{ consumer: EventConsumer; handled: string[] }> {
  const handled: string[] = [];
  const consumer = await startEventConsumer<pg.PoolClient>({
    nats: h.nc,
    service: 'notifications',
    purpose: 'effects',
    transaction: createPgTransactionRunner(h.db.pool),
    pruneBatchSize: 1_000,
    ...options,
    handlers: { 'users.user.updated.v1': async (event) => void handled.push(event.id) },
  });
  h.stoppers.push(() => consumer.stop());
  return { consumer, handled };
}

/** processed_events rows of a consumer, processed `days` ago; ids are 26 characters, as ULIDs are. */
async function insertProcessed(consumer: string, count: number, days: number, prefix: string): Promise<void> {
  await h.db.query(
    `INSERT INTO "processed_events" ("consumer", "event_id", "subject", "processed_at")
     SELECT $1, $4 || lpad(i::text, 26 - length($4), '0'), 'users.user.updated.v1', now() - make_interval(days => $3)
       FROM generate_series(1, $2) AS i`,
    [consumer, count, days, prefix],
  );
}

const processedOf = (consumer: string, days?: number) =>
  countRows(h.db, `SELECT count(*) FROM "processed_events" WHERE "consumer" = $1 ${days === undefined ? '' : `AND "processed_at" < now() - make_interval(days => ${days})`}`, [
    consumer,
  ]);

it('keeps processed events longer than an event can come back: from its stream, or replayed from dead letter', () => {
  expect(processedEventsRetentionMs()).toBe(44 * DAY_MS);
  expect(processedEventsRetentionMs()).toBeGreaterThan(defaultStreamLimits.maxAgeMs + defaultDeadLetterLimits.maxAgeMs);
  expect(publishedOutboxRetentionMs()).toBe(8 * DAY_MS);
  expect(publishedOutboxRetentionMs()).toBeGreaterThan(defaultStreamLimits.maxAgeMs);
  expect(publishedOutboxRetentionMs()).toBeLessThan(processedEventsRetentionMs()); // an outbox replay is still recognised
});

it("prunes the consumer's own processed events past the retention, in batches, and still recognises the younger ones", async () => {
  const { consumer, handled } = await startConsumer({ pruneIntervalMs: 0 });
  await insertProcessed('notifications-effects', 2_500, 45, 'o');
  await insertProcessed('notifications-effects', 10, 43, 'y');
  await insertProcessed('jobs-users-replica', 5, 45, 'j'); // another consumer's: its own schedule prunes them

  expect(await consumer.pruneProcessedEvents()).toBe(2_500);
  expect(await processedOf('notifications-effects')).toBe(10);
  expect(await processedOf('jobs-users-replica')).toBe(5);

  // An event processed 43 days ago, delivered again (a replayed dead letter): skipped by its id.
  const envelope = createEnvelope('users', 'users.user.updated.v1', updatedUser(1));
  await h.db.query(`INSERT INTO "processed_events" ("consumer", "event_id", "subject", "processed_at") VALUES ($1, $2, $3, now() - interval '43 days')`, [
    'notifications-effects',
    envelope.id,
    envelope.type,
  ]);
  await consumer.pruneProcessedEvents();
  await jetstream(h.nc).publish(envelope.type, JSON.stringify(envelope), { msgID: `replay:${envelope.id}` });
  await waitFor(
    'the duplicate',
    async () => consumer.stats().duplicates,
    (n) => n === 1,
  );
  expect(handled).toEqual([]);
});

it('prunes on its schedule', async () => {
  await insertProcessed('notifications-effects', 30, 45, 'o');
  await insertProcessed('notifications-effects', 3, 1, 'y');
  await startConsumer({ pruneIntervalMs: 200 });
  await waitFor(
    'the old rows to go',
    () => processedOf('notifications-effects', 44),
    (n) => n === 0,
    10_000,
  );
  expect(await processedOf('notifications-effects')).toBe(3);
});

it('prunes published outbox rows a day after the stream lets their events go, in batches, and keeps younger ones', async () => {
  const insertOutbox = (count: number, publishedDaysAgo: number | null, prefix: string) =>
    h.db.query(
      `INSERT INTO "event_outbox" ("id", "subject", "source", "aggregate_type", "aggregate_id", "occurred_at", "traceparent", "data", "published_at")
       SELECT $3 || lpad(i::text, 25, '0'), 'users.user.updated.v1', 'users', 'user', i::text, now(), '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', '{}',
              CASE WHEN $2::int IS NULL THEN NULL ELSE now() - make_interval(days => $2::int) END
         FROM generate_series(1, $1) AS i`,
      [count, publishedDaysAgo, prefix],
    );
  await insertOutbox(2_500, 9, 'o');
  await insertOutbox(4, 7, 'k');
  await insertOutbox(3, null, 'u');
  const relay = await startOutboxRelay({ service: 'users', databaseUrl: h.db.url, nats: h.nc, pollIntervalMs: 100 });
  h.stoppers.push(() => relay.stop());
  await waitFor(
    'rows published more than 8 days ago to go',
    () => countRows(h.db, `SELECT count(*) FROM "event_outbox" WHERE "id" LIKE 'o%'`),
    (n) => n === 0,
    10_000,
  );
  expect(await countRows(h.db, `SELECT count(*) FROM "event_outbox" WHERE "id" LIKE 'k%'`)).toBe(4);
  await waitFor(
    'the unpublished rows to be published (and kept)',
    () => countRows(h.db, `SELECT count(*) FROM "event_outbox" WHERE "id" LIKE 'u%' AND "published_at" IS NOT NULL`),
    (n) => n === 3,
  );
});
