import { createLogger } from '@jobplatform/config';
import { connectToNats, listDeadLetters } from '@jobplatform/events';
import { createTestDatabase, loadSubgraphDefinition, publishEvent, startPrivateNats, takeDatabaseDown, waitFor, type PrivateNats, type TestDatabase } from '@jobplatform/testing';
import { loadSubgraphEnv, startSubgraph, statement, type LeanTx, type RunningSubgraph, type SubgraphDefinition } from '../src/index.js';

// What the kit gives every service's event parts, on a real service (jobs: its users replica),
// its Prisma client over PostgreSQL, and NATS: the backbone's metrics on /metrics, and consumers
// that wait out an outage of their database instead of dead-lettering its events.

let db: TestDatabase;
let nats: PrivateNats;
let jobs: SubgraphDefinition<any, any, any, any, any>;
let service: RunningSubgraph<any, any>;
/** What a consumer with leanTransaction handed its handler: the clients and the usernames they wrote. */
const leanHandled: { client: object; username: string }[] = [];

beforeAll(async () => {
  [db, nats, jobs] = await Promise.all([createTestDatabase('jobs'), startPrivateNats(), loadSubgraphDefinition('jobs')]);
  await db.query('CREATE TABLE lean_probe (event_id text PRIMARY KEY, username text NOT NULL)');
  const withLeanConsumer: SubgraphDefinition<any, any, any, any, any> = {
    ...jobs,
    events: {
      ...jobs.events,
      consumers: (domain, deps) => [
        ...(jobs.events?.consumers?.(domain, deps) ?? []),
        {
          purpose: 'lean-probe',
          leanTransaction: true,
          handlers: {
            'users.user.registered.v1': async (event: any, tx: LeanTx) => {
              leanHandled.push({ client: tx, username: event.data.username });
              await tx.rows(statement`INSERT INTO lean_probe (event_id, username) VALUES (${event.id}, ${event.data.username})`);
            },
          },
        },
      ],
    },
  };
  const env = loadSubgraphEnv('jobs', undefined, {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    JOBS_PORT: '0',
    JOBS_DATABASE_URL: db.url,
    NATS_URL: nats.url,
    JOBS_DATABASE_POOL_SIZE: '3',
  });
  service = await startSubgraph(withLeanConsumer, env, { logger: createLogger('jobs', 'silent') });
});
afterAll(async () => {
  await service?.close();
  await Promise.all([db.drop(), nats.dispose()]);
});

/** The value of one series in the service's /metrics text, or undefined when it has none. */
async function scrape(metric: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  const text = await (await fetch(service.url.replace(/\/graphql$/, '/metrics'))).text();
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)\{([^}]*)\} (\S+)$/.exec(line);
    if (!match || match[1] !== metric) continue;
    const present = Object.fromEntries([...match[2]!.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([key, value]) => present[key] === value)) return Number(match[3]);
  }
  return undefined;
}

it("serves the backbone's metrics for every consumer and the outbox, without service code", async () => {
  const consumer = 'jobs-users-replica';
  expect(await scrape('event_consumer_pending', { service: 'jobs', consumer, stream: 'USERS' })).toBe(0);
  expect(await scrape('event_consumer_ack_pending', { consumer: 'jobs-user-erasure', stream: 'USERS' })).toBe(0);
  expect(await scrape('event_consumer_paused', { consumer })).toBe(0);
  expect(await scrape('event_dead_letters_total', { consumer, reason: 'exhausted' })).toBe(0);
  expect(await scrape('event_consumer_failures_total', { consumer, kind: 'transient' })).toBe(0);
  expect(await scrape('event_consumer_handled_total', { consumer })).toBe(0);
  expect(await scrape('event_outbox_unpublished', { service: 'jobs' })).toBe(0);
  expect(await scrape('event_outbox_oldest_unpublished_seconds', { service: 'jobs' })).toBe(0);
});

it('waits out an outage of its database (Prisma over pg, and node-postgres), dead-letters nothing, and applies the event once it is back', async () => {
  const consumer = service.consumers['users-replica']!;
  const admin = await connectToNats(nats.url, 'test');
  try {
    const bringBack = await takeDatabaseDown(db);
    let event;
    try {
      event = await publishEvent(admin, 'users', 'users.user.registered.v1', {
        userId: '42',
        username: 'ada',
        email: 'ada@example.com',
        firstName: 'Ada',
        lastName: 'Lovelace',
        userType: 'employer',
        isActive: true,
        isVerified: true,
        dateJoined: new Date().toISOString(),
      });
      await waitFor('the consumer to pause', async () => consumer.isPaused(), Boolean, 15_000);
      expect(await scrape('event_consumer_paused', { consumer: 'jobs-users-replica' })).toBe(1);
      expect(await scrape('event_consumer_failures_total', { consumer: 'jobs-users-replica', kind: 'transient' })).toBeGreaterThan(0);
      await new Promise((resolve) => setTimeout(resolve, 1_500)); // well beyond the back-off of maxDeliveries handler failures
      expect(consumer.stats()).toMatchObject({ failures: 0, deadLettered: 0 });
    } finally {
      await bringBack();
    }
    await waitFor(
      'the replica row',
      async () => (await db.query<{ username: string }>('SELECT "username" FROM "user_replicas" WHERE "id" = 42')).rows,
      (rows) => rows.length === 1,
      30_000,
    );
    // Applied once by each consumer of the subject: the lean one (node-postgres) waited out the outage too.
    await waitFor(
      'the lean consumer',
      async () => (await db.query('SELECT 1 FROM lean_probe WHERE event_id = $1', [event.id])).rowCount,
      (count) => count === 1,
      30_000,
    );
    expect((await db.query('SELECT "consumer" FROM "processed_events" WHERE "event_id" = $1 ORDER BY 1', [event.id])).rows).toEqual([
      { consumer: 'jobs-lean-probe' },
      { consumer: 'jobs-users-replica' },
    ]);
    expect(await listDeadLetters(admin)).toHaveLength(0);
    expect(consumer.isPaused()).toBe(false);
    expect(await scrape('event_consumer_paused', { consumer: 'jobs-users-replica' })).toBe(0);
    expect(await scrape('event_consumer_handled_total', { consumer: 'jobs-users-replica' })).toBe(1);
  } finally {
    await admin.drain();
  }
});

it("hands a leanTransaction consumer's handlers a node-postgres transaction, committed with the event's processed_events row", async () => {
  const admin = await connectToNats(nats.url, 'test');
  try {
    const event = await publishEvent(admin, 'users', 'users.user.registered.v1', {
      userId: '43',
      username: 'grace',
      email: 'grace@example.com',
      firstName: 'Grace',
      lastName: 'Hopper',
      userType: 'job_seeker',
      isActive: true,
      isVerified: true,
      dateJoined: new Date().toISOString(),
    });
    await waitFor(
      'the lean consumer to apply the event',
      async () => (await db.query('SELECT 1 FROM processed_events WHERE consumer = $1 AND event_id = $2', ['jobs-lean-probe', event.id])).rowCount,
      (count) => count === 1,
      15_000,
    );
    expect((await db.query('SELECT username FROM lean_probe WHERE event_id = $1', [event.id])).rows).toEqual([{ username: 'grace' }]);
    const handled = leanHandled.find((entry) => entry.username === 'grace')!;
    // A node-postgres connection (query, rows), not Prisma's transaction client.
    expect(typeof (handled.client as LeanTx).query).toBe('function');
    expect(typeof (handled.client as LeanTx).rows).toBe('function');
    expect('$queryRaw' in handled.client).toBe(false);
  } finally {
    await admin.drain();
  }
});
