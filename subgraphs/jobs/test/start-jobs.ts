import { headers as natsHeaders } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { createLogger } from '@jobplatform/config';
import { connectToNats, createEnvelope, parseEnvelope, type CreateEnvelopeOptions, type EventEnvelope, type EventInput, type EventSubject } from '@jobplatform/events';
import { createTestDatabase, postGraphQL, type TestDatabase } from '@jobplatform/testing';
import { registerAccount, startUsersForTest, type UsersUnderTest } from '../../users/test/start-users.js';
import { startPrivateNats, waitFor } from '../../../packages/events/test/event-test-setup.js';
import { startGateway, type RunningGateway } from '../../../gateway/src/server.js';
import type { GatewayEnv } from '../../../gateway/src/env.js';
import { startJobsService, type JobsService } from '../src/server.js';

export { waitFor };

type Gql = <T = Record<string, any>>(query: string, variables?: Record<string, unknown>, options?: { token?: string; headers?: Record<string, string> }) => ReturnType<typeof postGraphQL<T>>;

type JobsSubject = Extract<EventSubject, `jobs.${string}`>;

export type JobsUnderTest = {
  service: JobsService;
  db: TestDatabase;
  /** The nats-server of this test file: stream and durable names are fixed, so files do not share one. */
  natsUrl: string;
  /** Events the service committed to its outbox, in outbox order, optionally of one subject. */
  outbox<S extends JobsSubject>(subject?: S): Promise<EventEnvelope<S>[]>;
  /** Every message the JOBS stream holds, in stream order, optionally of one subject: what consumers get. */
  published<S extends JobsSubject>(subject?: S): Promise<EventEnvelope<S>[]>;
  /** Publishes an event to JetStream as users' relay would; msgID defaults to the event id. */
  publishUsersEvent<S extends Extract<EventSubject, `users.${string}`>>(subject: S, data: EventInput<S>, options?: CreateEnvelopeOptions): Promise<EventEnvelope<S>>;
  /** Publishes an envelope again under another msgID, as a redelivery after JetStream's duplicate window. */
  republish(envelope: EventEnvelope): Promise<void>;
  /** SQL statements sent by the service's Prisma client since the last reset. */
  statements: string[];
  gql: Gql;
  close(): Promise<void>;
};

/**
 * Starts the jobs subgraph on a free port over a fresh, migrated database, with a nats-server of
 * its own unless `natsUrl` names one (another service's, to test the two together).
 */
export async function startJobsForTest(options: { jwksUrl: string; now?: () => Date; natsUrl?: string }): Promise<JobsUnderTest> {
  const [db, nats] = await Promise.all([createTestDatabase('jobs'), options.natsUrl ? { url: options.natsUrl, dispose: async () => undefined } : startPrivateNats()]);
  const statements: string[] = [];
  const service = await startJobsService(
    {
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      JOBS_HOST: '127.0.0.1',
      JOBS_PORT: 0,
      JOBS_DATABASE_URL: db.url,
      JWKS_URL: options.jwksUrl,
      NATS_URL: nats.url,
      JOBS_DATABASE_POOL_SIZE: 10,
    },
    { logger: createLogger('jobs', 'silent'), onQuery: (event) => statements.push(event.query), ...(options.now ? { now: options.now } : {}) },
  );
  const client = await connectToNats(nats.url, 'jobs-test');
  const js = jetstream(client);
  const publish = async (envelope: EventEnvelope, msgID: string) => {
    const headers = natsHeaders();
    headers.set('traceparent', envelope.traceparent);
    await js.publish(envelope.type, JSON.stringify(envelope), { msgID, headers });
  };
  return {
    service,
    db,
    natsUrl: nats.url,
    async outbox<S extends JobsSubject>(subject?: S) {
      const { rows } = await db.query<{ id: string; subject: string; source: string; occurred_at: Date; aggregate_id: string; traceparent: string; data: unknown }>(
        `SELECT id, subject, source, occurred_at, aggregate_id, traceparent, data FROM event_outbox WHERE $1::text IS NULL OR subject = $1 ORDER BY position`,
        [subject ?? null],
      );
      return rows.map(
        (row) => ({ id: row.id, type: row.subject, source: row.source, occurredAt: row.occurred_at.toISOString(), aggregateId: row.aggregate_id, traceparent: row.traceparent, data: row.data }) as EventEnvelope<S>,
      );
    },
    async published<S extends JobsSubject>(subject?: S) {
      const jsm = await jetstreamManager(client);
      const { state } = await jsm.streams.info('JOBS');
      const envelopes: EventEnvelope<S>[] = [];
      for (let seq = state.first_seq; state.messages > 0 && seq <= state.last_seq; seq += 1) {
        const message = await jsm.streams.getMessage('JOBS', { seq });
        if (!message || (subject && message.subject !== subject)) continue;
        const parsed = parseEnvelope(message.subject, message.data);
        if (!parsed.ok) throw new Error(`JOBS holds a message that breaks its contract: ${parsed.reason}`);
        envelopes.push(parsed.envelope as EventEnvelope<S>);
      }
      return envelopes;
    },
    async publishUsersEvent(subject, data, envelopeOptions = {}) {
      const envelope = createEnvelope('users', subject, data, envelopeOptions);
      await publish(envelope, envelope.id);
      return envelope;
    },
    republish: (envelope) => publish(envelope, `${envelope.id}-again`),
    statements,
    gql: (query, variables, opts) => postGraphQL(service.url, { query, ...(variables ? { variables } : {}) }, opts ?? {}),
    async close() {
      await service.close();
      await client.drain();
      await Promise.all([db.drop(), nats.dispose()]);
    },
  };
}

export type Account = { id: string; accessToken: string };

export type PlatformUnderTest = {
  users: UsersUnderTest;
  jobs: JobsUnderTest;
  gateway: RunningGateway;
  /** Through the gateway, as a client sends it. */
  gql: Gql;
  /** gql as `account`, failing the test on any error; returns the data. */
  ok(query: string, variables: Record<string, unknown>, account: Account): Promise<Record<string, any>>;
  employer(): Promise<Account>;
  jobSeeker(): Promise<Account>;
  admin(): Promise<Account>;
  close(): Promise<void>;
};

let adminCounter = 0;

/**
 * The real users and jobs subgraphs behind the real gateway. Each has a nats-server of its own, so
 * tests here publish users' events themselves; with `sharedNats` jobs uses users' server and
 * receives users' real events (registrations reach the replica, deleteMyAccount starts the saga).
 */
export async function startPlatformForTest(options: { now?: () => Date; sharedNats?: boolean } = {}): Promise<PlatformUnderTest> {
  const users = await startUsersForTest();
  const jobs = await startJobsForTest({
    jwksUrl: users.service.jwksUrl,
    ...(options.now ? { now: options.now } : {}),
    ...(options.sharedNats ? { natsUrl: users.natsServer.url } : {}),
  });
  const env: GatewayEnv = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    GATEWAY_HOST: '127.0.0.1',
    GATEWAY_PORT: 0,
    JWKS_URL: users.service.jwksUrl,
    GATEWAY_BODY_LIMIT: '100kb',
    GATEWAY_MAX_DEPTH: 12,
    GATEWAY_MAX_ALIASES: 30,
    GATEWAY_MAX_COST: 20_000,
    GATEWAY_TRUSTED_PROXIES: 0,
    subgraphUrls: { users: users.service.url, jobs: jobs.service.url },
  };
  // The checked-in supergraph (schema/supergraph.graphql), routed to the services under test.
  const gateway = await startGateway(env, { logger: createLogger('gateway', 'silent') });
  const gql: Gql = (query, variables, opts) => postGraphQL(gateway.url, { query, ...(variables ? { variables } : {}) }, opts ?? {});
  const account = async (userType: 'EMPLOYER' | 'JOB_SEEKER') => {
    const { id, accessToken } = await registerAccount(users, { userType });
    return { id, accessToken };
  };
  return {
    users,
    jobs,
    gateway,
    gql,
    async ok(query, variables, account) {
      const response = await gql(query, variables, { token: account.accessToken });
      if (response.errors) throw new Error(JSON.stringify(response.errors));
      return response.data!;
    },
    employer: () => account('EMPLOYER'),
    jobSeeker: () => account('JOB_SEEKER'),
    async admin() {
      adminCounter += 1;
      const tag = `${Date.now().toString(36)}${adminCounter}`;
      const input = { username: `admin_${tag}`, email: `admin_${tag}@example.com`, password: 'admin password 123' };
      const user = await users.service.accounts.createAdmin(input, { clientIp: undefined, userAgent: 'test' });
      const signedIn = await users.service.accounts.login(input.email, input.password, { clientIp: '127.0.0.1', userAgent: 'test' });
      return { id: user.id.toString(), accessToken: signedIn.accessToken };
    },
    async close() {
      await gateway.close();
      await jobs.close();
      await users.close();
    },
  };
}
