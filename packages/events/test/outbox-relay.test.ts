import type pg from 'pg';
import type { NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { watchStatements } from '@jobplatform/testing';
import { createOutbox, createPgTransactionRunner, runPgTransaction, startEventConsumer, startOutboxRelay, type EventConsumer, type OutboxRelay } from '../src/index.js';
import { outboxIdleLockKey } from '../src/event-tables-sql.js';
import { countRows, updatedUser, useEventHarness, waitFor } from './event-test-setup.js';

const outbox = createOutbox({ source: 'users' });

const h = useEventHarness();

async function startRelay(options: Partial<Parameters<typeof startOutboxRelay>[0]> = {}): Promise<OutboxRelay> {
  const relay = await startOutboxRelay({ service: 'users', databaseUrl: h.db.url, nats: h.nc, pollIntervalMs: 200, publishTimeoutMs: 1_000, ...options });
  h.stoppers.push(() => relay.stop());
  return relay;
}

/** A consumer whose only effect is one row per handled event, in the same transaction. */
async function startEffectsConsumer(): Promise<EventConsumer> {
  const consumer = await startEventConsumer<pg.PoolClient>({
    nats: h.nc,
    service: 'search',
    purpose: 'effects',
    transaction: createPgTransactionRunner(h.db.pool),
    concurrency: 8,
    handlers: {
      'users.user.updated.v1': async (event, tx) => {
        await tx.query('INSERT INTO "effects" ("event_id", "subject", "user_id", "username") VALUES ($1, $2, $3, $4)', [
          event.id,
          event.type,
          event.data.userId,
          event.data.username,
        ]);
      },
    },
  });
  h.stoppers.push(() => consumer.stop());
  return consumer;
}

/** One committed change: a row of the service's own and its event, in one transaction. */
async function commitChange(pool: pg.Pool, userId: number, username?: string): Promise<void> {
  await runPgTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [userId]); // stands in for the aggregate's row lock
    await outbox.record(client, 'users.user.updated.v1', updatedUser(userId, username));
  });
}

async function streamMessages(nc: NatsConnection): Promise<number> {
  const jsm = await jetstreamManager(nc);
  return (await jsm.streams.info('USERS')).state.messages;
}

it('delivers every one of 1,000 changes exactly once while nats-server is killed midway and restarted', async () => {
  const relay = await startRelay();
  await startEffectsConsumer();

  for (let i = 1; i <= 1_000; i += 1) {
    await commitChange(h.db.pool, i);
    if (i === 400) await h.nats.kill(); // SIGKILL, as a crash: no clean shutdown
    if (i === 800) await h.nats.restart();
  }

  const effects = await waitFor(
    '1,000 effects',
    () => countRows(h.db, 'SELECT count(*) FROM "effects"'),
    (n) => n >= 1_000,
    45_000,
  );
  expect(effects).toBe(1_000);
  expect(relay.stats().failedPublishes).toBeGreaterThan(0); // the outage was real: publishes failed and were retried
  // Late redeliveries would land now; the count must not move.
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  expect(await countRows(h.db, 'SELECT count(*) FROM "effects"')).toBe(1_000);
  expect(await countRows(h.db, 'SELECT count(DISTINCT "user_id") FROM "effects"')).toBe(1_000);
  expect(await countRows(h.db, 'SELECT count(*) FROM "processed_events"')).toBe(1_000);
  await waitFor(
    'every outbox row marked published',
    () => countRows(h.db, 'SELECT count(*) FROM "event_outbox" WHERE "published_at" IS NULL'),
    (n) => n === 0,
    5_000,
  );
  // Every outbox event, by id, is the one the consumer applied.
  expect(await countRows(h.db, 'SELECT count(*) FROM "event_outbox" o JOIN "effects" e ON e."event_id" = o."id"')).toBe(1_000);
  expect(await streamMessages(h.nc)).toBe(1_000);
}, 60_000);

it('produces no duplicate effect when a relay dies between publishing and marking published', async () => {
  const crashing = await startRelay({
    beforeMarkPublished: () => {
      throw new Error('relay process died here');
    },
  });
  for (let i = 1; i <= 50; i += 1) await commitChange(h.db.pool, i);
  await waitFor(
    'the crashing relay to publish all 50',
    () => streamMessages(h.nc),
    (n) => n >= 50,
    10_000,
  );
  await crashing.stop();
  // JetStream holds the events, the outbox still calls them unpublished.
  expect(await countRows(h.db, 'SELECT count(*) FROM "event_outbox" WHERE "published_at" IS NULL')).toBe(50);
  expect(await streamMessages(h.nc)).toBe(50);

  const successor = await startRelay();
  await startEffectsConsumer();
  await waitFor(
    'the successor to mark all published',
    () => countRows(h.db, 'SELECT count(*) FROM "event_outbox" WHERE "published_at" IS NULL'),
    (n) => n === 0,
  );
  await waitFor(
    '50 effects',
    () => countRows(h.db, 'SELECT count(*) FROM "effects"'),
    (n) => n >= 50,
  );
  await new Promise((resolve) => setTimeout(resolve, 500));

  expect(successor.stats().duplicates).toBe(50); // dropped by JetStream's msgID de-duplication
  expect(await streamMessages(h.nc)).toBe(50);
  expect(await countRows(h.db, 'SELECT count(*) FROM "effects"')).toBe(50);
}, 60_000);

it('lets two relay replicas share one outbox: each event published once, each aggregate in order', async () => {
  const relays = [await startRelay({ batchSize: 25 }), await startRelay({ batchSize: 25 })];
  await startEffectsConsumer();

  // 4 writers, 5 aggregates each, 50 versions per aggregate: 1,000 events.
  const writers = [0, 1, 2, 3].map(async (writer) => {
    for (let version = 1; version <= 50; version += 1) {
      for (let a = 1; a <= 5; a += 1) await commitChange(h.db.pool, writer * 5 + a, `v${String(version).padStart(3, '0')}`);
    }
  });
  await Promise.all(writers);
  await waitFor(
    '1,000 effects',
    () => countRows(h.db, 'SELECT count(*) FROM "effects"'),
    (n) => n >= 1_000,
    45_000,
  );
  await new Promise((resolve) => setTimeout(resolve, 500));

  const stats = relays.map((relay) => relay.stats());
  expect(stats[0]!.published + stats[1]!.published).toBe(1_000);
  expect(stats.every((s) => s.published > 0)).toBe(true); // both did work
  expect(stats[0]!.duplicates + stats[1]!.duplicates).toBe(0);
  expect(await streamMessages(h.nc)).toBe(1_000);
  expect(await countRows(h.db, 'SELECT count(*) FROM "effects"')).toBe(1_000);

  // Per aggregate, the consumer saw versions 1..50 in order.
  const { rows } = await h.db.query<{ user_id: string; versions: string[] }>(
    'SELECT "user_id", array_agg("username" ORDER BY "n") AS "versions" FROM "effects" GROUP BY "user_id"',
  );
  expect(rows).toHaveLength(20);
  for (const row of rows) expect(row.versions).toEqual([...row.versions].sort());
  expect(rows.every((row) => row.versions.length === 50)).toBe(true);
}, 60_000);

it('publishes a backlog of one aggregate in outbox order, across positions of different lengths (9 → 10 → 100)', async () => {
  for (let version = 1; version <= 120; version += 1) await commitChange(h.db.pool, 1, `v${String(version).padStart(3, '0')}`);
  const relay = await startRelay(); // one round takes the whole backlog
  await waitFor(
    '120 events in JetStream',
    () => streamMessages(h.nc),
    (n) => n === 120,
    10_000,
  );
  expect(relay.stats().rounds).toBeLessThanOrEqual(3);
  const stream = await (await jetstreamManager(h.nc)).streams.get('USERS');
  const usernames: string[] = [];
  for (let seq = 1; seq <= 120; seq += 1) usernames.push(JSON.parse(new TextDecoder().decode((await stream.getMessage({ seq }))!.data)).data.username);
  expect(usernames).toEqual(Array.from({ length: 120 }, (_, i) => `v${String(i + 1).padStart(3, '0')}`));
}, 60_000);

/**
 * Whether a relay sleeps holding the idle lock, i.e. writers will NOTIFY it. Advisory locks are per
 * database, and pg_locks shows the whole cluster, where other test files' relays sleep too.
 */
async function relayAsleep(): Promise<boolean> {
  return (
    (await countRows(
      h.db,
      `SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND mode = 'ExclusiveLock' AND granted AND objsubid = 1
     AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    )) === 1
  );
}

// With a poll interval of a minute, every event below reaches JetStream only through the relay's
// own polling while awake, or through a writer's NOTIFY: a lost wake-up shows up as a time-out.
describe('wake-ups without a NOTIFY per transaction', () => {
  const noPolling = { pollIntervalMs: 60_000 };

  it('a sleeping relay is woken by the commit; a busy one spares writers the NOTIFY', async () => {
    const relay = await startRelay(noPolling);
    await waitFor('the relay to sleep with the idle lock', relayAsleep, (asleep) => asleep);

    await commitChange(h.db.pool, 1);
    await waitFor(
      'the event in JetStream',
      () => streamMessages(h.nc),
      (n) => n === 1,
      5_000,
    );
    // The NOTIFY is counted when it reaches the relay's LISTEN connection, which may be just after
    // the relay's last look before sleeping already published the event.
    await waitFor(
      'the NOTIFY to reach the relay',
      async () => relay.stats().notifications,
      (n) => n === 1,
      5_000,
    );
    await waitFor('the relay to sleep again', relayAsleep, (asleep) => asleep);

    // A burst: the first commit wakes the relay, which then polls while commits keep coming.
    const before = relay.stats().notifications;
    await Promise.all(
      [0, 1, 2, 3, 4, 5, 6, 7].map(async (writer) => {
        for (let i = 0; i < 100; i += 1) await commitChange(h.db.pool, 1_000 + writer * 100 + i);
      }),
    );
    await waitFor(
      '801 events in JetStream',
      () => streamMessages(h.nc),
      (n) => n === 801,
      10_000,
    );
    expect(relay.stats().notifications - before).toBeLessThan(800);
    await waitFor(
      'every outbox row marked published',
      () => countRows(h.db, 'SELECT count(*) FROM "event_outbox" WHERE "published_at" IS NULL'),
      (n) => n === 0,
      5_000,
    );
  }, 60_000);

  it('loses no event of transactions that stay open long after their insert, whatever the relay does meanwhile', async () => {
    await startRelay(noPolling);
    // Writers that keep their transaction open for 0-60 ms after writing the event, so that relays
    // go to sleep and wake up while events of open transactions are pending; some roll back.
    let committed = 0;
    await Promise.all(
      [0, 1, 2, 3, 4, 5].map(async (writer) => {
        for (let i = 0; i < 60; i += 1) {
          const userId = 10_000 + writer * 1_000 + i;
          const rollBack = i % 10 === 9;
          await runPgTransaction(h.db.pool, async (client) => {
            await outbox.record(client, 'users.user.updated.v1', updatedUser(userId));
            await new Promise((resolve) => setTimeout(resolve, (userId * 7919) % 61));
            if (rollBack) throw new Error('rolled back on purpose');
          }).catch((error: Error) => {
            if (!rollBack) throw error;
          });
          if (!rollBack) committed += 1;
          if (i % 20 === 19) await new Promise((resolve) => setTimeout(resolve, 150)); // let the relay fall asleep
        }
      }),
    );
    expect(committed).toBe(324);
    await waitFor(
      'every committed event in JetStream',
      () => streamMessages(h.nc),
      (n) => n === committed,
      5_000,
    );
    await waitFor(
      'every outbox row marked published',
      () => countRows(h.db, 'SELECT count(*) FROM "event_outbox" WHERE "published_at" IS NULL'),
      (n) => n === 0,
      5_000,
    );
  }, 60_000);

  it('looks once more after taking the idle lock, for events committed without a NOTIFY just before', async () => {
    await startRelay({ ...noPolling, busyPollMs: 1 });
    let published = 0;
    for (let trial = 1; trial <= 40; trial += 1) {
      // An open writer transaction that holds the relay awake, as one that did not notify would.
      const holder = await h.db.pool.connect();
      const writer = await h.db.pool.connect();
      try {
        await holder.query('BEGIN');
        for (;;) {
          const { rows } = await holder.query<{ held: boolean }>(`SELECT pg_try_advisory_xact_lock_shared(${outboxIdleLockKey}) AS "held"`);
          if (rows[0]!.held) break;
          await commitChange(h.db.pool, 100_000 + published); // the relay sleeps with the lock: wake it
          published += 1;
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        await writer.query('BEGIN');
        await outbox.record(writer, 'users.user.updated.v1', updatedUser(trial)); // the relay is awake: no NOTIFY
        // Both end at once, so the relay can take the lock right after a round that missed the event.
        await Promise.all([writer.query('COMMIT'), holder.query('COMMIT')]);
      } finally {
        holder.release();
        writer.release();
      }
      published += 1;
      await waitFor(
        `trial ${trial}: every event in JetStream`,
        () => streamMessages(h.nc),
        (n) => n === published,
        5_000,
      );
    }
  }, 60_000);

  it('when the relay that sleeps with the lock stops, another replica takes over the wake-ups', async () => {
    const first = await startRelay(noPolling);
    await waitFor('one relay asleep with the lock', relayAsleep, (asleep) => asleep);
    const second = await startRelay(noPolling);
    await new Promise((resolve) => setTimeout(resolve, 200)); // the second sleeps without the lock
    await first.stop();
    await waitFor('the second relay to take the lock', relayAsleep, (asleep) => asleep, 5_000);

    await commitChange(h.db.pool, 1);
    await waitFor(
      'the event in JetStream',
      () => streamMessages(h.nc),
      (n) => n === 1,
      5_000,
    );
    // Counted once the round has marked it published, just after JetStream acknowledged it.
    await waitFor(
      'the second relay to count it',
      async () => second.stats().published,
      (n) => n === 1,
      5_000,
    );
  }, 60_000);
});

it('records events in one statement, in the order given, with one text whatever their number', async () => {
  const texts = new Set<string>();
  const recorded: string[] = [];
  for (const count of [1, 3, 2]) {
    await runPgTransaction(h.db.pool, async (client) => {
      const watched = watchStatements(client, ({ text }) => texts.add(text));
      const events = Array.from({ length: count }, (_, i) => ({ subject: 'users.user.updated.v1' as const, data: updatedUser(100 + recorded.length + i) }));
      for (const envelope of await outbox.recordMany(watched, events)) recorded.push(envelope.id);
    });
  }
  expect(texts.size).toBe(1);
  const { rows } = await h.db.query<{ id: string; data: { userId: string }; tracestate: string | null; aggregate_type: string }>(
    'SELECT "id", "data", "tracestate", "aggregate_type" FROM "event_outbox" ORDER BY "position"',
  );
  expect(rows.map((row) => row.id)).toEqual(recorded);
  expect(rows.map((row) => row.data.userId)).toEqual(['100', '101', '102', '103', '104', '105']);
  expect(rows.every((row) => row.tracestate === null && row.aggregate_type === 'user')).toBe(true);
});
