import type pg from 'pg';
import { connect, headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import {
  connectToNats,
  createEnvelope,
  createPgTransactionRunner,
  ensureStreams,
  natsInboxPrefixOf,
  natsPermissionsOf,
  natsUserOf,
  startReplicaConsumer,
  userReplicaTable,
  userReplicaTableSql,
} from '../src/index.js';
import { countRows, createEventDatabase, startPrivateNats, updatedUser, waitFor } from './event-test-setup.js';

// The event backbone's identities on a real nats-server configured from the service registry:
// each service may publish only its own subjects and read only the streams it consumes.

let nats: Awaited<ReturnType<typeof startPrivateNats>>;
let admin: NatsConnection;
const open: NatsConnection[] = [];

beforeAll(async () => {
  nats = await startPrivateNats();
  admin = await connectToNats(nats.url, 'identities-test-admin');
});
afterAll(async () => {
  for (const connection of open) await connection.close().catch(() => undefined);
  await admin.close();
  await nats.dispose();
});

/** Connects as a service does: its user, its password, replies on its own inbox prefix. */
async function connectAs(service: string, password = nats.passwords[service]!): Promise<NatsConnection> {
  const connection = await connectToNats(nats.address, `${service}-identity-test`, { user: natsUserOf(service), password, inboxPrefix: natsInboxPrefixOf(service) });
  open.push(connection);
  return connection;
}

const messagesIn = async (stream: string) => (await (await jetstreamManager(admin)).streams.info(stream)).state.messages;

async function publishAs(connection: NatsConnection, envelope: ReturnType<typeof createEnvelope>) {
  const headers = natsHeaders();
  headers.set('traceparent', envelope.traceparent);
  return jetstream(connection).publish(envelope.type, JSON.stringify(envelope), { msgID: envelope.id, headers });
}

describe('who may connect', () => {
  it('refuses a client without credentials', async () => {
    await expect(connect({ servers: nats.address, reconnect: false })).rejects.toThrow(/Authorization Violation/);
  });

  it('refuses a service with a wrong password', async () => {
    await expect(connectToNats(nats.address, 'jobs-wrong-password', { user: 'jobs', password: 'not the password' })).rejects.toThrow(/Authorization Violation/);
  });
});

describe("jobs' identity", () => {
  let jobs: NatsConnection;
  beforeAll(async () => {
    jobs = await connectAs('jobs');
  });

  it('cannot publish on users.>: the publish is refused with a permissions violation and the stream stays as it was', async () => {
    const before = await messagesIn('USERS');
    const forged = createEnvelope('users', 'users.user.updated.v1', { ...updatedUser(1, 'mallory'), userType: 'admin' });
    await expect(publishAs(jobs, forged)).rejects.toThrow('Permissions Violation for Publish to "users.user.updated.v1"');
    const plainErrors: string[] = [];
    const watching = (async () => {
      for await (const status of jobs.status()) if (status.type === 'error') plainErrors.push(String(status.error));
    })();
    jobs.publish('users.user.deleted.v1', JSON.stringify(forged)); // without waiting for JetStream's ack
    await waitFor(
      'the refusal',
      async () => plainErrors,
      (errors) => errors.some((e) => e.includes('Publish to "users.user.deleted.v1"')),
    );
    expect(await messagesIn('USERS')).toBe(before);
    void watching;
  });

  it('publishes its own events', async () => {
    const before = await messagesIn('JOBS');
    const completed = createEnvelope('jobs', 'jobs.user_erasure.completed.v1', { userId: '1', service: 'jobs', completedAt: new Date().toISOString(), summary: {} });
    expect((await publishAs(jobs, completed)).stream).toBe('JOBS');
    expect(await messagesIn('JOBS')).toBe(before + 1);
  });

  it('reads no stream it does not consume, creates or deletes no stream of another service, and reads no dead letters', async () => {
    const jsm = await jetstreamManager(jobs);
    await expect(jsm.streams.info('APPLICATIONS')).rejects.toThrow('Permissions Violation for Publish to "$JS.API.STREAM.INFO.APPLICATIONS"');
    await expect(jsm.consumers.add('APPLICATIONS', { durable_name: 'jobs-spy', filter_subject: 'applications.>' })).rejects.toThrow(/Permissions Violation/);
    await expect(jsm.streams.add({ name: 'SEARCH', subjects: ['search.>'] })).rejects.toThrow(/Permissions Violation/);
    await expect(jsm.streams.update('USERS', { subjects: ['users.>'], max_age: 1_000_000_000 })).rejects.toThrow(/Permissions Violation/);
    await expect(jsm.streams.delete('USERS')).rejects.toThrow(/Permissions Violation/);
    await expect(jsm.streams.getMessage('USERS', { seq: 1 })).rejects.toThrow(/Permissions Violation/);
    await expect(jsm.streams.getMessage('DEADLETTER', { seq: 1 })).rejects.toThrow(/Permissions Violation/);
  });

  it("cannot listen on other services' subjects or replies", async () => {
    for (const subject of ['users.>', '_INBOX.>', '_INBOX.users.>', '$JS.ACK.>']) {
      const subscription = jobs.subscribe(subject);
      await expect(
        (async () => {
          for await (const _ of subscription) break;
        })(),
      ).rejects.toThrow(`Permissions Violation for Subscription to "${subject}"`);
    }
  });
});

describe('start order', () => {
  let db: Awaited<ReturnType<typeof createEventDatabase>>;
  beforeAll(async () => {
    db = await createEventDatabase();
    await db.query(userReplicaTableSql);
  });
  afterAll(async () => {
    await db.drop();
  });

  it("a consumer started before its producer waits for the producer's stream, which only the producer creates, and then reads it from the start", async () => {
    await (await jetstreamManager(admin)).streams.delete('USERS'); // a platform where users has never run
    const jobs = await connectAs('jobs');
    const replica = await startReplicaConsumer<pg.PoolClient>({
      nats: jobs,
      service: 'jobs',
      purpose: 'users-replica',
      transaction: createPgTransactionRunner(db.pool),
      replica: userReplicaTable,
      streamPollMs: 100,
    });
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await countRows(db, 'SELECT count(*) FROM "user_replicas"')).toBe(0);

      const users = await connectAs('users');
      await ensureStreams(users, ['users']);
      await publishAs(users, createEnvelope('users', 'users.user.registered.v1', { ...updatedUser(5, 'ada'), dateJoined: new Date().toISOString() }));
      await waitFor(
        'the replica row',
        () => countRows(db, 'SELECT count(*) FROM "user_replicas" WHERE "id" = \'5\''),
        (n) => n === 1,
        10_000,
      );
      expect(replica.stats()).toMatchObject({ handled: 1, deadLettered: 0 });
    } finally {
      await replica.stop();
    }
  });
});

describe('the permissions a service is given', () => {
  it('are its own subjects and stream, its dead letters, and consumers on the streams it reads', () => {
    expect(natsPermissionsOf({ name: 'jobs', consumes: ['users'] })).toEqual({
      publish: [
        'jobs.>',
        'deadletter.jobs.>',
        '$JS.API.INFO',
        '$JS.API.STREAM.CREATE.JOBS',
        '$JS.API.STREAM.UPDATE.JOBS',
        '$JS.API.STREAM.INFO.JOBS',
        '$JS.API.STREAM.CREATE.DEADLETTER',
        '$JS.API.STREAM.INFO.DEADLETTER',
        '$JS.API.STREAM.INFO.USERS',
        '$JS.API.CONSUMER.CREATE.USERS.*.>',
        '$JS.API.CONSUMER.INFO.USERS.*',
        '$JS.API.CONSUMER.MSG.NEXT.USERS.*',
        '$JS.ACK.USERS.*.>',
      ],
      subscribe: ['_INBOX.jobs.>'],
    });
  });
});
