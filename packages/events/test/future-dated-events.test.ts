import type pg from 'pg';
import { headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import {
  createEnvelope,
  createPgTransactionRunner,
  listDeadLetters,
  replayDeadLetters,
  startReplicaConsumer,
  userReplicaTable,
  userReplicaTableSql,
  type EventConsumer,
  type EventInput,
  type EventSubject,
} from '../src/index.js';
import { connectTestNats, createEventDatabase, startPrivateNats, updatedUser, waitFor } from './event-test-setup.js';

// An event dated in the future would pin a replica row (its version is occurredAt) against every
// later change. Consumers refuse one dated further ahead than clocks differ, and dead-letter it.

let nats: Awaited<ReturnType<typeof startPrivateNats>>;
let db: Awaited<ReturnType<typeof createEventDatabase>>;
let nc: NatsConnection;
let consumer: EventConsumer;
let clock = Date.now();

beforeAll(async () => {
  [nats, db] = await Promise.all([startPrivateNats(), createEventDatabase()]);
  await db.query(userReplicaTableSql);
  nc = await connectTestNats(nats.url);
  consumer = await startReplicaConsumer<pg.PoolClient>({
    nats: nc,
    service: 'jobs',
    purpose: 'users-replica',
    transaction: createPgTransactionRunner(db.pool),
    replica: userReplicaTable,
    concurrency: 1,
    now: () => new Date(clock),
  });
});
afterAll(async () => {
  await consumer.stop();
  await nc.drain();
  await Promise.all([nats.dispose(), db.drop()]);
});

async function publishEvent<S extends EventSubject>(subject: S, data: EventInput<S>, occurredAt: Date) {
  const envelope = createEnvelope('users', subject, data, { occurredAt });
  const headers = natsHeaders();
  headers.set('traceparent', envelope.traceparent);
  await jetstream(nc).publish(subject, JSON.stringify(envelope), { msgID: envelope.id, headers });
  return envelope;
}

const replicaRow = async (id: string) =>
  (await db.query<{ username: string; user_type: string }>('SELECT "username", "user_type" FROM "user_replicas" WHERE "id" = $1', [id])).rows[0];

it('dead-letters an event dated hours ahead with the reason, applies nothing of it, and goes on with later events', async () => {
  await publishEvent('users.user.registered.v1', { ...updatedUser(1, 'ada'), dateJoined: new Date(clock).toISOString() }, new Date(clock));
  await waitFor(
    'the registration',
    () => replicaRow('1'),
    (row) => row?.username === 'ada',
  );

  const ahead = await publishEvent('users.user.updated.v1', updatedUser(1, 'ada_from_the_future'), new Date(clock + 3 * 60 * 60_000));
  await publishEvent('users.user.updated.v1', updatedUser(1, 'ada_renamed'), new Date(clock + 1_000));
  await waitFor(
    'the later event',
    () => replicaRow('1'),
    (row) => row?.username === 'ada_renamed',
  );

  expect(await replicaRow('1')).toEqual({ username: 'ada_renamed', user_type: 'job_seeker' });
  expect(consumer.stats()).toMatchObject({ handled: 2, deadLettered: 1 });
  const letters = await listDeadLetters(nc, { subject: 'deadletter.jobs.users-replica' });
  expect(letters).toHaveLength(1);
  expect(letters[0]).toMatchObject({ reason: 'future-dated', eventId: ahead.id, consumer: 'jobs-users-replica', originalSubject: 'users.user.updated.v1' });
  expect(letters[0]!.error).toMatch(/^occurredAt \S+ is 108\d\d s ahead of this consumer's clock \(at most 120 s allowed\)$/);
});

it('applies an event within the allowed skew of two minutes', async () => {
  await publishEvent('users.user.updated.v1', { ...updatedUser(1, 'ada_from_a_fast_clock'), userType: 'employer' }, new Date(clock + 90_000));
  await waitFor(
    'the event',
    () => replicaRow('1'),
    (row) => row?.username === 'ada_from_a_fast_clock',
  );
  expect(consumer.stats().deadLettered).toBe(1);
});

it('applies a dead-lettered future event once replayed after its time has come', async () => {
  const [letter] = await listDeadLetters(nc, { subject: 'deadletter.jobs.users-replica' });
  clock += 4 * 60 * 60_000;
  await replayDeadLetters(nc, [letter!.sequence]);
  await waitFor(
    'the replayed event',
    () => replicaRow('1'),
    (row) => row?.username === 'ada_from_the_future',
  );
  expect(consumer.stats().deadLettered).toBe(1);
});
