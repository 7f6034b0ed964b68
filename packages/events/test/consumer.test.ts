import type pg from 'pg';
import { headers as natsHeaders } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { watchStatements } from '@jobplatform/testing';
import {
  createEnvelope,
  createPgTransactionRunner,
  listDeadLetters,
  replayDeadLetters,
  discardDeadLetters,
  startEventConsumer,
  startReplicaConsumer,
  traceIdOf,
  userReplicaTable,
  userReplicaTableSql,
  type BatchEventHandler,
  type BatchItem,
  type EventConsumer,
  type EventHandlers,
  type EventInput,
  type EventSubject,
  type CreateEnvelopeOptions,
  type TransactionRunner,
} from '../src/index.js';
import { aggregateHeader } from '../src/relay.js';
import { countRows, updatedUser, useEventHarness, waitFor } from './event-test-setup.js';

const h = useEventHarness(['users']);

/** Publishes straight to JetStream, as the relay would, or with a body of the test's choosing. */
async function publish(subject: string, body: string, msgID: string, traceparent?: string): Promise<void> {
  const headers = natsHeaders();
  if (traceparent) headers.set('traceparent', traceparent);
  await jetstream(h.nc).publish(subject, body, { msgID, headers });
}

async function publishEvent<S extends EventSubject>(subject: S, data: EventInput<S>, options: CreateEnvelopeOptions = {}) {
  const envelope = createEnvelope('users', subject, data, options);
  await publish(subject, JSON.stringify(envelope), envelope.id, envelope.traceparent);
  return envelope;
}

/** notifications-effects on the test's database: with a handler per subject, or a batch handler for users.user.updated.v1. */
async function startConsumer(
  handlers: EventHandlers<pg.PoolClient> | BatchEventHandler<'users.user.updated.v1', pg.PoolClient>['handle'],
  options: { concurrency?: number; maxDeliveries?: number } = {},
): Promise<EventConsumer> {
  const consumer = await startEventConsumer<pg.PoolClient>({
    nats: h.nc,
    service: 'notifications',
    purpose: 'effects',
    transaction: createPgTransactionRunner(h.db.pool),
    backoff: { initialMs: 50, maxMs: 200 },
    ...options,
    ...(typeof handlers === 'function' ? { batchHandler: { subjects: ['users.user.updated.v1'], handle: handlers } } : { handlers }),
  });
  h.stoppers.push(() => consumer.stop());
  return consumer;
}

const recordEffect = async (event: { id: string; type: string; data: { userId: string; username?: string } }, tx: pg.PoolClient) => {
  await tx.query('INSERT INTO "effects" ("event_id", "subject", "user_id", "username") VALUES ($1, $2, $3, $4)', [
    event.id,
    event.type,
    event.data.userId,
    event.data.username ?? null,
  ]);
};

const effects = () => countRows(h.db, 'SELECT count(*) FROM "effects"');

it('applies an event delivered twice only once, and hands the handler a child of its trace', async () => {
  const traces: string[] = [];
  const consumer = await startConsumer({
    'users.user.updated.v1': async (event, tx, context) => {
      traces.push(context.traceparent);
      await recordEffect(event, tx);
    },
  });
  const envelope = await publishEvent('users.user.updated.v1', updatedUser(1));
  // The same event again under another msgID, as after JetStream's duplicate window has passed.
  await publish('users.user.updated.v1', JSON.stringify(envelope), `${envelope.id}-again`, envelope.traceparent);

  await waitFor(
    'both deliveries',
    async () => consumer.stats(),
    (s) => s.handled + s.duplicates === 2,
  );
  expect(consumer.stats()).toMatchObject({ handled: 1, duplicates: 1 });
  expect(await effects()).toBe(1);
  expect(traces).toHaveLength(1);
  expect(traceIdOf(traces[0]!)).toBe(traceIdOf(envelope.traceparent));
  expect(traces[0]).not.toBe(envelope.traceparent);
});

it('sends a payload that fails its contract to dead letter at once and goes on with the messages behind it', async () => {
  const consumer = await startConsumer({ 'users.user.updated.v1': recordEffect }, { concurrency: 1 });
  await publishEvent('users.user.updated.v1', updatedUser(1));
  const bad = createEnvelope('users', 'users.user.updated.v1', updatedUser(2));
  await publish('users.user.updated.v1', JSON.stringify({ ...bad, data: { ...bad.data, email: 'not an email' } }), bad.id);
  await publish('users.user.updated.v1', '{ this is not json', 'garbage-1');
  for (let i = 3; i <= 20; i += 1) await publishEvent('users.user.updated.v1', updatedUser(i));

  await waitFor('19 effects', effects, (n) => n >= 19, 20_000);
  await waitFor(
    '2 dead letters',
    async () => consumer.stats().deadLettered,
    (n) => n === 2,
    5_000,
  );
  expect(await effects()).toBe(19);
  expect(await countRows(h.db, `SELECT count(*) FROM "effects" WHERE "user_id" = '2'`)).toBe(0);

  const letters = await listDeadLetters(h.nc, { subject: 'deadletter.notifications.effects' });
  expect(letters).toHaveLength(2);
  expect(letters.map((l) => l.reason)).toEqual(['malformed', 'malformed']);
  expect(letters[0]).toMatchObject({ originalSubject: 'users.user.updated.v1', consumer: 'notifications-effects', deliveries: 1, eventId: bad.id });
  expect(letters[0]!.error).toMatch(/email/);
  expect(letters[1]!.error).toMatch(/not JSON/);
  expect(await listDeadLetters(h.nc, { subject: 'deadletter.jobs.>' })).toHaveLength(0);

  const { discarded } = await discardDeadLetters(h.nc, [letters[1]!.sequence]);
  expect(discarded).toEqual([letters[1]!.sequence]);
  expect(await listDeadLetters(h.nc)).toHaveLength(1);
});

it('retries a failing handler with back-off, dead-letters it after maxDeliveries, and applies it once when replayed', async () => {
  let broken = true;
  const attempts = new Map<string, number>();
  const consumer = await startConsumer(
    {
      'users.user.updated.v1': async (event, tx) => {
        attempts.set(event.data.userId, (attempts.get(event.data.userId) ?? 0) + 1);
        await recordEffect(event, tx); // rolled back with the transaction when the handler throws
        if (broken && event.data.userId === '13') throw new Error('downstream says no');
      },
    },
    { maxDeliveries: 3 },
  );
  for (let i = 1; i <= 20; i += 1) await publishEvent('users.user.updated.v1', updatedUser(i));

  await expectOneDeadLetterAndTheOther19Effects(consumer);
  expect(attempts.get('13')).toBe(3);
  expect(await countRows(h.db, `SELECT count(*) FROM "effects" WHERE "user_id" = '13'`)).toBe(0);
  const [letter] = await listDeadLetters(h.nc);
  expect(letter).toMatchObject({ reason: 'exhausted', deliveries: 3, error: 'downstream says no' });

  broken = false;
  const { replayed } = await replayDeadLetters(h.nc, [letter!.sequence]);
  expect(replayed).toEqual([letter!.sequence]);
  await waitFor('the replayed effect', effects, (n) => n >= 20);
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(await effects()).toBe(20);
  expect(await countRows(h.db, `SELECT count(*) FROM "effects" WHERE "user_id" = '13'`)).toBe(1);
  expect(await listDeadLetters(h.nc)).toHaveLength(0);
});

it('finishes the handlers in progress when stopped, and leaves nothing unacknowledged', async () => {
  let started = 0;
  const consumer = await startConsumer({
    'users.user.updated.v1': async (event, tx) => {
      started += 1;
      await new Promise((resolve) => setTimeout(resolve, 300));
      await recordEffect(event, tx);
    },
  });
  for (let i = 1; i <= 4; i += 1) await publishEvent('users.user.updated.v1', updatedUser(i));
  await waitFor(
    'handlers to start',
    async () => started,
    (n) => n === 4,
  );
  await consumer.stop();
  expect(await effects()).toBe(4);
  const info = await (await jetstreamManager(h.nc)).consumers.info('USERS', 'notifications-effects');
  expect(info.num_ack_pending).toBe(0);
  expect(info.num_pending).toBe(0);
});

it('keeps a replica with the latest state of each entity, whatever order redeliveries bring', async () => {
  await h.db.query(userReplicaTableSql);
  const consumer = await startReplicaConsumer<pg.PoolClient>({
    nats: h.nc,
    service: 'jobs',
    purpose: 'users-replica',
    transaction: createPgTransactionRunner(h.db.pool),
    concurrency: 1,
    replica: userReplicaTable,
  });
  h.stoppers.push(() => consumer.stop());
  const at = (second: number) => ({ occurredAt: new Date(Date.UTC(2025, 0, 1, 0, 0, second)) });
  const registered = { ...updatedUser(7, 'ada'), dateJoined: '2025-01-01T00:00:01.000Z' };

  await publishEvent('users.user.registered.v1', registered, at(1));
  await publishEvent('users.user.updated.v1', { ...updatedUser(7, 'ada_employer'), userType: 'employer' }, at(3));
  await publishEvent('users.user.updated.v1', updatedUser(7, 'stale_name'), at(2)); // older than what the replica holds
  await publishEvent('users.user.registered.v1', { ...updatedUser(8, 'bob'), dateJoined: '2025-01-01T00:00:01.000Z' }, at(1));
  await waitFor(
    '4 events',
    async () => consumer.stats().handled,
    (n) => n === 4,
  );

  const replica = async () =>
    (await h.db.query<{ id: string; username: string | null; user_type: string; is_active: boolean; deleted_at: Date | null }>('SELECT * FROM "user_replicas" ORDER BY "id"')).rows;
  expect(await replica()).toEqual([
    expect.objectContaining({ id: '7', username: 'ada_employer', user_type: 'employer', is_active: true, deleted_at: null }),
    expect.objectContaining({ id: '8', username: 'bob', user_type: 'job_seeker', is_active: true }),
  ]);

  await publishEvent('users.user.deleted.v1', { userId: '7', requestedAt: '2025-01-01T00:00:04.000Z' }, at(4));
  await publishEvent('users.user.updated.v1', updatedUser(7, 'ada_again'), at(3)); // late, must not bring the user back
  await waitFor(
    '6 events',
    async () => consumer.stats().handled,
    (n) => n === 6,
  );
  expect((await replica())[0]).toMatchObject({ id: '7', username: null, is_active: false, deleted_at: new Date('2025-01-01T00:00:04.000Z') });
});

/** As the relay publishes: with the aggregate header the consumer orders by. */
async function publishForAggregate(userId: number, username: string): Promise<void> {
  const envelope = createEnvelope('users', 'users.user.updated.v1', updatedUser(userId, username));
  const headers = natsHeaders();
  headers.set('traceparent', envelope.traceparent);
  headers.set(aggregateHeader, `user:${userId}`);
  await jetstream(h.nc).publish('users.user.updated.v1', JSON.stringify(envelope), { msgID: envelope.id, headers });
}

/** Of 20 events, one failing for good: waits for its dead letter and for the other 19 to be applied. */
async function expectOneDeadLetterAndTheOther19Effects(consumer: EventConsumer): Promise<void> {
  await waitFor(
    'the dead letter',
    async () => consumer.stats().deadLettered,
    (n) => n === 1,
    20_000,
  );
  await waitFor('the other 19 effects', effects, (n) => n >= 19);
  expect(await effects()).toBe(19);
}

/**
 * A transaction runner that counts its transactions and keeps the processed_events statements sent
 * in them: each one's text, and how many events it marked.
 */
function countingTransactions(): { transaction: TransactionRunner<pg.PoolClient>; count: () => number; marks: { text: string; events: number }[] } {
  let transactions = 0;
  const marks: { text: string; events: number }[] = [];
  const runner = createPgTransactionRunner(h.db.pool);
  const watched = (client: pg.PoolClient) =>
    watchStatements(client, ({ text, values }) => {
      if (text.includes('"processed_events"')) marks.push({ text, events: (values[1] as unknown[] | undefined)?.length ?? 0 });
    });
  return {
    transaction: async (work) => {
      transactions += 1;
      return runner((client) => work(watched(client)));
    },
    count: () => transactions,
    marks,
  };
}

describe('batches across aggregates', () => {
  it('applies a burst in few transactions, never two transactions for one aggregate at once, each aggregate in order', async () => {
    const counted = countingTransactions();
    const inProgress = new Set<string>();
    let overlaps = 0;
    const consumer = await startEventConsumer<pg.PoolClient>({
      nats: h.nc,
      service: 'notifications',
      purpose: 'effects',
      concurrency: 4,
      transaction: counted.transaction,
      handlers: {
        'users.user.updated.v1': async (event, tx) => {
          if (inProgress.has(event.data.userId)) overlaps += 1;
          inProgress.add(event.data.userId);
          await new Promise((resolve) => setTimeout(resolve, Number(event.data.userId) % 3)); // uneven handlers
          await recordEffect(event, tx);
          inProgress.delete(event.data.userId);
        },
      },
    });
    h.stoppers.push(() => consumer.stop());

    // 10 aggregates, 40 versions each, published together (as a relay round does).
    await Promise.all(
      Array.from({ length: 40 }, (_, version) => version).flatMap((version) =>
        Array.from({ length: 10 }, (_, a) => publishForAggregate(a + 1, `v${String(version).padStart(3, '0')}`)),
      ),
    );
    await waitFor('400 effects', effects, (n) => n >= 400, 20_000);
    expect(consumer.stats()).toMatchObject({ handled: 400, failures: 0 });
    expect(overlaps).toBe(0);
    expect(counted.count()).toBeLessThan(100); // 32 per transaction at most; one per event without batching
    // Batches of several sizes, marked processed by one statement text: one prepared statement
    // whatever the size, where a row of placeholders per event made a text per size.
    expect(new Set(counted.marks.map((mark) => mark.events)).size).toBeGreaterThan(1);
    expect(new Set(counted.marks.map((mark) => mark.text)).size).toBe(1);
    const { rows } = await h.db.query<{ user_id: string; versions: string[] }>(
      'SELECT "user_id", array_agg("username" ORDER BY "n") AS "versions" FROM "effects" GROUP BY "user_id"',
    );
    expect(rows).toHaveLength(10);
    for (const row of rows) expect(row.versions).toEqual(Array.from({ length: 40 }, (_, v) => `v${String(v).padStart(3, '0')}`));
  });

  /**
   * The first event's handler waits at a gate; 19 more events of other aggregates are then published
   * one by one while its transaction stays open, and the test looks 500 ms later, before opening
   * the gate: what had been applied, in how many transactions.
   */
  async function behindAnOpenTransaction(groupWaitMs: number) {
    const counted = countingTransactions();
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const consumer = await startEventConsumer<pg.PoolClient>({
      nats: h.nc,
      service: 'notifications',
      purpose: 'effects',
      groupWaitMs,
      transaction: counted.transaction,
      handlers: {
        'users.user.updated.v1': async (event, tx) => {
          if (event.data.userId === '1') await gate;
          await recordEffect(event, tx);
        },
      },
    });
    h.stoppers.push(() => consumer.stop());
    await publishForAggregate(1, 'user_1');
    await waitFor(
      'the first transaction',
      async () => counted.count(),
      (n) => n === 1,
      10_000,
    );
    for (let userId = 2; userId <= 20; userId += 1) {
      await publishForAggregate(userId, `user_${userId}`);
      await new Promise((resolve) => setTimeout(resolve, 4));
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    const before = { applied: await effects(), transactions: counted.count() };
    open();
    await waitFor('20 effects', effects, (n) => n >= 20, 10_000);
    expect(consumer.stats()).toMatchObject({ handled: 20, failures: 0 });
    return { before, transactions: counted.count() };
  }

  it('lets events that arrive while a transaction runs wait for it and share the next one (group commit)', async () => {
    const { before, transactions } = await behindAnOpenTransaction(60_000);
    expect(before).toEqual({ applied: 0, transactions: 1 }); // the other 19 waited for the open one
    expect(transactions).toBe(2); // and took one transaction together
  });

  it('makes an event wait for an open transaction no longer than groupWaitMs', async () => {
    const { before } = await behindAnOpenTransaction(50);
    expect(before.applied).toBe(19); // all but the one behind the gate, well before it opened
  });

  it('with groupWaitMs 0, starts a transaction for each event on a free slot', async () => {
    const { before, transactions } = await behindAnOpenTransaction(0);
    expect(before.applied).toBe(19);
    // One each, but for arrivals that met in one I/O turn (more of them on a loaded machine); 2 with group commit.
    expect(transactions).toBeGreaterThanOrEqual(8);
  });

  it('fails only the event whose handler threw and applies the rest of its batch together', async () => {
    const calls = new Map<string, number>();
    const counted = countingTransactions();
    // Published before the consumer starts, so that they arrive together in one batch.
    await Promise.all(Array.from({ length: 20 }, (_, i) => publishForAggregate(i + 1, `user_${i + 1}`)));
    const consumer = await startEventConsumer<pg.PoolClient>({
      nats: h.nc,
      service: 'notifications',
      purpose: 'effects',
      maxDeliveries: 2,
      backoff: { initialMs: 50, maxMs: 200 },
      transaction: counted.transaction,
      handlers: {
        'users.user.updated.v1': async (event, tx) => {
          calls.set(event.data.userId, (calls.get(event.data.userId) ?? 0) + 1);
          await recordEffect(event, tx);
          if (event.data.userId === '7') throw new Error('downstream says no');
        },
      },
    });
    h.stoppers.push(() => consumer.stop());

    await expectOneDeadLetterAndTheOther19Effects(consumer);
    expect(calls.get('7')).toBe(2); // once per delivery
    for (let userId = 1; userId <= 20; userId += 1) expect(calls.get(String(userId))).toBeLessThanOrEqual(2);
    expect(counted.count()).toBeLessThanOrEqual(6); // batch, the batch again without 7, 7 again; a split of the first arrivals at most
  });

  it('does not blame a handler for a transaction that was already gone (Prisma timeout), and tries each event alone', async () => {
    await Promise.all(Array.from({ length: 10 }, (_, i) => publishForAggregate(i + 1, `user_${i + 1}`)));
    let timedOut = false;
    const consumer = await startConsumer({
      'users.user.updated.v1': async (event, tx) => {
        await recordEffect(event, tx);
        if (event.data.userId === '5' && !timedOut) {
          timedOut = true; // as Prisma reports an interactive transaction past its timeout
          throw Object.assign(new Error('Transaction API error: Transaction already closed'), { code: 'P2028' });
        }
      },
    });
    await waitFor('10 effects', effects, (n) => n >= 10, 10_000);
    expect(timedOut).toBe(true);
    expect(consumer.stats()).toMatchObject({ handled: 10, failures: 0, deadLettered: 0 });
  });
});

describe('a batch handler', () => {
  /** Writes the events' effects as a set, one statement, as a batch handler is for. */
  const recordEffects = async (items: BatchItem<'users.user.updated.v1'>[], tx: pg.PoolClient) => {
    const values = items.flatMap(({ event }) => [event.id, event.type, event.data.userId, event.data.username ?? null]);
    const rows = items.map((_, i) => `($${i * 4 + 1}, $${i * 4 + 2}, $${i * 4 + 3}, $${i * 4 + 4})`);
    await tx.query(`INSERT INTO "effects" ("event_id", "subject", "user_id", "username") VALUES ${rows.join(', ')}`, values);
  };

  it('receives a burst in few calls, each new event once and in stream order, without the ones applied before', async () => {
    const batches: string[][] = [];
    const repeated = createEnvelope('users', 'users.user.updated.v1', updatedUser(1, 'first'));
    await publish('users.user.updated.v1', JSON.stringify(repeated), repeated.id, repeated.traceparent);
    // A burst: 5 aggregates, 20 versions each, and the first event again under another msgID.
    for (let version = 0; version < 20; version += 1) {
      await Promise.all(Array.from({ length: 5 }, (_, a) => publishForAggregate(a + 1, `v${String(version).padStart(3, '0')}`)));
    }
    await publish('users.user.updated.v1', JSON.stringify(repeated), `${repeated.id}-again`, repeated.traceparent);
    const consumer = await startConsumer(async (items, tx) => {
      batches.push(items.map(({ event }) => event.id));
      await recordEffects(items, tx);
    });

    await waitFor(
      'every delivery',
      async () => consumer.stats(),
      (stats) => stats.handled + stats.duplicates === 102,
      20_000,
    );
    expect(consumer.stats()).toMatchObject({ handled: 101, duplicates: 1, failures: 0 });
    expect(await effects()).toBe(101);
    const delivered = batches.flat();
    expect(new Set(delivered).size).toBe(delivered.length); // no event twice
    expect(batches.length).toBeLessThan(20); // up to 32 events a call; one call per event without sets
    const { rows } = await h.db.query<{ versions: string[] }>(
      `SELECT array_agg("username" ORDER BY "n") AS "versions" FROM "effects" WHERE "username" LIKE 'v%' GROUP BY "user_id"`,
    );
    expect(rows).toHaveLength(5);
    for (const row of rows) expect(row.versions).toEqual(Array.from({ length: 20 }, (_, v) => `v${String(v).padStart(3, '0')}`));
  });

  it('when a batch fails, applies its events one by one, so only the failing event is retried and dead-lettered', async () => {
    await Promise.all(Array.from({ length: 20 }, (_, i) => publishForAggregate(i + 1, `user_${i + 1}`)));
    const sizes: number[] = [];
    const consumer = await startConsumer(
      async (items, tx) => {
        sizes.push(items.length);
        await recordEffects(items, tx);
        if (items.some(({ event }) => event.data.userId === '7')) throw new Error('downstream says no');
      },
      { maxDeliveries: 2 },
    );

    await expectOneDeadLetterAndTheOther19Effects(consumer);
    expect(await countRows(h.db, `SELECT count(*) FROM "effects" WHERE "user_id" = '7'`)).toBe(0);
    expect(consumer.stats()).toMatchObject({ handled: 19, failures: 2, deadLettered: 1 });
    expect(Math.max(...sizes)).toBeGreaterThan(1); // it did receive them as a set
    const [letter] = await listDeadLetters(h.nc);
    expect(letter).toMatchObject({ reason: 'exhausted', error: 'downstream says no' });
  });

  it('refuses handlers and a batch handler together', async () => {
    await expect(
      startEventConsumer<pg.PoolClient>({
        nats: h.nc,
        service: 'notifications',
        purpose: 'effects',
        transaction: createPgTransactionRunner(h.db.pool),
        handlers: { 'users.user.updated.v1': recordEffect },
        batchHandler: { subjects: ['users.user.updated.v1'], handle: recordEffects },
      }),
    ).rejects.toThrow(/handlers or a batchHandler, not both/);
  });
});
