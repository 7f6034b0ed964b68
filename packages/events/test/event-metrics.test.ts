import type pg from 'pg';
import { Registry } from 'prom-client';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import {
  createEnvelope,
  createEventMetrics,
  createOutbox,
  createPgTransactionRunner,
  runPgTransaction,
  startEventConsumer,
  startOutboxRelay,
  type EventHandler,
  type EventMetrics,
} from '../src/index.js';
import { metricValue, updatedUser, useEventHarness, waitFor } from './event-test-setup.js';

// The backbone's metrics on a service's registry, as /metrics serves them.

const h = useEventHarness(['users']);
let registry: Registry;
let metrics: EventMetrics;
beforeEach(() => {
  registry = new Registry();
  metrics = createEventMetrics(registry);
});

const consumer = 'notifications-effects';

async function startConsumer(handler: EventHandler<'users.user.updated.v1', pg.PoolClient>, options: { maxDeliveries?: number; concurrency?: number; batchSize?: number } = {}) {
  const started = await startEventConsumer<pg.PoolClient>({
    nats: h.nc,
    service: 'notifications',
    purpose: 'effects',
    transaction: createPgTransactionRunner(h.db.pool),
    backoff: { initialMs: 20, maxMs: 50 },
    metrics,
    lagCacheMs: 0,
    ...options,
    handlers: { 'users.user.updated.v1': handler },
  });
  h.stoppers.push(() => started.stop());
  return started;
}

async function publishUpdate(userId: number, body?: string): Promise<void> {
  const envelope = createEnvelope('users', 'users.user.updated.v1', updatedUser(userId));
  await jetstream(h.nc).publish(envelope.type, body ?? JSON.stringify(envelope), { msgID: envelope.id });
}

it('counts handled events, failures by kind and dead letters by reason', async () => {
  const started = await startConsumer(
    async (event) => {
      if (event.data.userId === '2') throw new Error('handler bug');
      if (event.data.userId === '3' && started.stats().transientFailures === 0) throw Object.assign(new Error('deadlock detected'), { code: '40P01' });
    },
    { maxDeliveries: 2 },
  );
  // Every series is there from the start, at zero.
  expect(await metricValue(registry, 'event_dead_letters_total', { consumer, reason: 'exhausted' })).toBe(0);
  expect(await metricValue(registry, 'event_consumer_failures_total', { consumer, kind: 'transient' })).toBe(0);

  await publishUpdate(1);
  await publishUpdate(2);
  await publishUpdate(3);
  await publishUpdate(4, '{ not json');
  await waitFor(
    'two dead letters',
    async () => started.stats().deadLettered,
    (n) => n === 2,
    10_000,
  );
  await waitFor(
    'two events handled',
    async () => started.stats().handled,
    (n) => n === 2,
    10_000,
  );

  expect(await metricValue(registry, 'event_consumer_handled_total', { consumer })).toBe(2);
  expect(await metricValue(registry, 'event_consumer_failures_total', { consumer, kind: 'permanent' })).toBe(2);
  expect(await metricValue(registry, 'event_consumer_failures_total', { consumer, kind: 'transient' })).toBe(1);
  expect(await metricValue(registry, 'event_dead_letters_total', { consumer, reason: 'exhausted' })).toBe(1);
  expect(await metricValue(registry, 'event_dead_letters_total', { consumer, reason: 'malformed' })).toBe(1);
  expect(await metricValue(registry, 'event_dead_letters_total', { consumer, reason: 'future-dated' })).toBe(0);
  expect(await metricValue(registry, 'event_consumer_paused', { consumer })).toBe(0);
  const text = await registry.metrics();
  expect(text).toContain(`event_dead_letters_total{consumer="${consumer}",reason="exhausted"} 1`);
});

it("reports the consumer's lag on its stream as JetStream counts it", async () => {
  let release: () => void = () => undefined;
  const released = new Promise<void>((resolve) => (release = resolve));
  // One transaction at a time, one event each, and the first holds on: the rest wait.
  await startConsumer(() => released, { concurrency: 1, batchSize: 1 });
  for (let userId = 1; userId <= 100; userId += 1) await publishUpdate(userId);

  const jsm = await jetstreamManager(h.nc);
  const lag = async () => ({
    pending: await metricValue(registry, 'event_consumer_pending', { consumer, stream: 'USERS' }),
    ackPending: await metricValue(registry, 'event_consumer_ack_pending', { consumer, stream: 'USERS' }),
  });
  const held = await waitFor('the consumer to hold what it fetched', lag, (l) => (l.ackPending ?? 0) > 0 && (l.pending ?? 0) + (l.ackPending ?? 0) === 100);
  const info = await jsm.consumers.info('USERS', consumer);
  expect(held).toEqual({ pending: info.num_pending, ackPending: info.num_ack_pending });
  expect(held.pending).toBeGreaterThan(0); // more than one pull's worth waits in the stream

  release();
  await waitFor('no lag', lag, (l) => l.pending === 0 && l.ackPending === 0, 15_000);
});

it("reports the outbox's unpublished rows and the age of the oldest", async () => {
  const outbox = createOutbox({ source: 'users' });
  for (let userId = 1; userId <= 3; userId += 1) await runPgTransaction(h.db.pool, (client) => outbox.record(client, 'users.user.updated.v1', updatedUser(userId)));
  expect(await metricValue(registry, 'event_outbox_unpublished')).toBe(0); // no relay reports yet

  let publishing = false;
  const relay = await startOutboxRelay({
    service: 'users',
    databaseUrl: h.db.url,
    nats: h.nc,
    metrics,
    backlogCacheMs: 0,
    beforeMarkPublished: () => {
      // A relay that keeps dying before it marks its round published: the rows stay unpublished.
      if (!publishing) throw new Error('relay process died here');
    },
  });
  h.stoppers.push(() => relay.stop());
  await new Promise((resolve) => setTimeout(resolve, 600));
  expect(await metricValue(registry, 'event_outbox_unpublished')).toBe(3);
  expect(await metricValue(registry, 'event_outbox_oldest_unpublished_seconds')).toBeGreaterThanOrEqual(0.5);

  publishing = true;
  relay.wake();
  await waitFor(
    'an empty backlog',
    () => metricValue(registry, 'event_outbox_unpublished'),
    (n) => n === 0,
    10_000,
  );
  expect(await metricValue(registry, 'event_outbox_oldest_unpublished_seconds')).toBe(0);
});
