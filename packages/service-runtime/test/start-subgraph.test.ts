import type { Registry } from 'prom-client';
import { createLogger } from '@jobplatform/config';
import { createTestDatabase, loadSubgraphDefinition, startPrivateNats, type PrivateNats, type TestDatabase } from '@jobplatform/testing';
import { createPrismaClient, loadSubgraphEnv, startSubgraph, withSessionSettings, type SubgraphDefinition } from '../src/index.js';

// The kit's start and stop, on a real service definition (jobs), PostgreSQL and NATS.

let db: TestDatabase;
let nats: PrivateNats;
let jobs: SubgraphDefinition<any, any, any, any, any>;

beforeAll(async () => {
  [db, nats, jobs] = await Promise.all([createTestDatabase('jobs'), startPrivateNats(), loadSubgraphDefinition('jobs')]);
});
afterAll(async () => {
  await Promise.all([db.drop(), nats.dispose()]);
});

const rawEnv = () => ({ NODE_ENV: 'test', LOG_LEVEL: 'silent', JOBS_PORT: '0', JOBS_DATABASE_URL: db.url, NATS_URL: nats.url, JOBS_DATABASE_POOL_SIZE: '3' });
const env = () => loadSubgraphEnv('jobs', undefined, rawEnv());
const logger = createLogger('jobs', 'silent');

/** Connections to the test database other than this query's own: the service's pool and the relay's listener. */
async function serviceConnections(): Promise<number> {
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
  return rows[0]!.n;
}

/** Waits up to 10 s for the connections to fall to `limit` (a closed pool's go within moments). */
async function waitForNoConnections(limit: number): Promise<number> {
  const deadline = Date.now() + 10_000;
  let n = await serviceConnections();
  while (n > limit && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    n = await serviceConnections();
  }
  return n;
}

it('starts the parts in order, and a failing part rolls back what had started', async () => {
  const stopped: string[] = [];
  const failing: SubgraphDefinition<any, any, any, any, any> = {
    ...jobs,
    parts: () => [
      { name: 'first extra part', start: async () => ({ stop: () => void stopped.push('first extra part') }) },
      {
        name: 'broken part',
        start: async () => {
          throw new Error('cannot start');
        },
      },
    ],
  };
  const before = await serviceConnections();
  await expect(startSubgraph(failing, env(), { logger })).rejects.toThrow('cannot start');
  expect(stopped).toEqual(['first extra part']);
  // The pool, the relay's LISTEN connection and the consumers are gone with it.
  expect(await waitForNoConnections(before)).toBeLessThanOrEqual(before);
});

it('serves, then closes once however often close() is called', async () => {
  const service = await startSubgraph(jobs, env(), { logger });
  expect(service.parts).toEqual(['database', 'nats', 'outbox relay', 'consumer users-replica', 'consumer user-erasure', 'token-revocations', 'http']);
  const ready = await fetch(service.url.replace(/\/graphql$/, '/readyz'));
  expect(ready.status).toBe(200);

  await Promise.all([service.close(), service.close()]);
  await service.close();
  await expect(fetch(service.url.replace(/\/graphql$/, '/healthz'))).rejects.toThrow();
  expect(service.nats.isClosed()).toBe(true);
  expect(await waitForNoConnections(2)).toBeLessThanOrEqual(2); // the test database's own pool keeps up to two idle connections
});

it('opens DATABASE_POOL_MIN connections at start, runs the warm-up on each before it is ready, and keeps them in the pool', async () => {
  const warmed: number[] = [];
  const warming: SubgraphDefinition<any, any, any, any, any> = {
    ...jobs,
    warmUp: async (connection) => {
      const { rows } = await connection.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      warmed.push(rows[0]!.pid);
    },
  };
  const service = await startSubgraph(warming, loadSubgraphEnv('jobs', undefined, { ...rawEnv(), JOBS_DATABASE_POOL_MIN: '3' }), { logger });
  try {
    expect(new Set(warmed).size).toBe(3);
    // Still open once started; a request is served on one of them (the pool hands out the last released first).
    const { rows } = await db.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE pid = ANY($1::int[])', [warmed]);
    expect(rows).toHaveLength(3);
    const served = await fetch(service.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ jobs(first: 1) { edges { node { id } } } }' }),
    });
    expect(served.status).toBe(200);
    const { rows: used } = await db.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE pid = ANY($1::int[]) AND query NOT LIKE 'SELECT pg_backend_pid()%'`, [warmed]);
    expect(used.length).toBeGreaterThan(0);
  } finally {
    await service.close();
  }
});

it('does not start when the warm-up fails, and leaves no connection open', async () => {
  const before = await serviceConnections();
  const failing: SubgraphDefinition<any, any, any, any, any> = {
    ...jobs,
    warmUp: async (connection) => {
      await connection.query('SELECT 1 / 0');
    },
  };
  await expect(startSubgraph(failing, env(), { logger })).rejects.toThrow(/division by zero/);
  expect(await waitForNoConnections(before)).toBeLessThanOrEqual(before);
});

it("opens every connection with the definition's database settings, for the lean client and Prisma alike; the URL's own options win", async () => {
  const tuned: SubgraphDefinition<any, any, any, any, any> = { ...jobs, databaseSettings: () => ({ work_mem: '24MB', statement_timeout: '9s' }) };
  const service = await startSubgraph(tuned, loadSubgraphEnv('jobs', undefined, { ...rawEnv(), JOBS_DATABASE_POOL_MIN: '2' }), { logger });
  try {
    const [lean] = await service.sql.rows<{ work_mem: string; timeout: string }>("SELECT current_setting('work_mem') AS work_mem, current_setting('statement_timeout') AS timeout");
    expect(lean).toEqual({ work_mem: '24MB', timeout: '9s' });
    const viaPrisma = (await service.db.$queryRawUnsafe("SELECT current_setting('work_mem') AS work_mem")) as { work_mem: string }[];
    expect(viaPrisma).toEqual([{ work_mem: '24MB' }]);
  } finally {
    await service.close();
  }
  // An operator's DATABASE_URL may set the same setting: its value wins, the others stay.
  const overridden = withSessionSettings(db.url, { work_mem: '24MB' });
  const operatorUrl = new URL(db.url);
  operatorUrl.searchParams.set('options', '-c work_mem=6MB');
  const again = await startSubgraph(tuned, loadSubgraphEnv('jobs', undefined, { ...rawEnv(), JOBS_DATABASE_URL: operatorUrl.toString() }), { logger });
  try {
    const [row] = await again.sql.rows<{ work_mem: string; timeout: string }>("SELECT current_setting('work_mem') AS work_mem, current_setting('statement_timeout') AS timeout");
    expect(row).toEqual({ work_mem: '6MB', timeout: '9s' });
  } finally {
    await again.close();
  }
  expect(new URL(overridden).searchParams.get('options')).toBe('-c work_mem=24MB');
});

it('refuses a database setting that could not pass as one -c name=value', () => {
  expect(() => withSessionSettings('postgresql://u:p@127.0.0.1:5432/db', { work_mem: '16MB -c fsync=off' })).toThrow(/database setting work_mem=16MB -c fsync=off/);
  expect(() => withSessionSettings('postgresql://u:p@127.0.0.1:5432/db', { 'work mem': '16MB' })).toThrow(/database setting/);
  expect(withSessionSettings('postgresql://u:p@127.0.0.1:5432/db', {})).toBe('postgresql://u:p@127.0.0.1:5432/db');
});

it('refuses a DATABASE_POOL_MIN above the pool size', () => {
  expect(() => loadSubgraphEnv('jobs', undefined, { ...rawEnv(), JOBS_DATABASE_POOL_MIN: '4' })).toThrow(/JOBS_DATABASE_POOL_MIN: must not exceed JOBS_DATABASE_POOL_SIZE/);
});

it('runs no per-field plugin hook for cache hints (the cache-control plugin is off) and sends no ETag', async () => {
  const seen: boolean[] = [];
  const resolvers = jobs.resolvers as Record<string, Record<string, any>>;
  const original = resolvers.Query!.jobs;
  const observed: SubgraphDefinition<any, any, any, any, any> = {
    ...jobs,
    resolvers: {
      ...resolvers,
      Query: {
        ...resolvers.Query,
        // Apollo's cache-control plugin adds info.cacheControl to every field it sees resolved.
        jobs: (parent: unknown, args: unknown, context: unknown, info: Record<string, unknown>) => {
          seen.push('cacheControl' in info);
          return original(parent, args, context, info);
        },
      },
    },
  };
  const service = await startSubgraph(observed, env(), { logger });
  try {
    const response = await fetch(service.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ jobs(first: 1) { totalCount } }' }),
    });
    expect(await response.json()).toEqual({ data: { jobs: { totalCount: 0 } } });
    expect(seen).toEqual([false]);
    // Nor is the body hashed for an ETag, which no client of a GraphQL POST revalidates.
    expect(response.headers.get('etag')).toBeNull();
  } finally {
    await service.close();
  }
});

it('executes operations compiled by graphql-jit, each compiled once, unless SUBGRAPH_EXECUTOR says graphql-js', async () => {
  const compiledCount = async (service: { metrics: { registry: Registry } }) => {
    const metric = service.metrics.registry.getSingleMetric('graphql_operations_compiled_total');
    return metric ? (await metric.get()).values[0]?.value : undefined;
  };
  const ask = async (url: string, first: number) =>
    (
      await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: 'query Page($first: Int!) { jobs(first: $first) { totalCount edges { node { id } } } }', variables: { first } }),
      })
    ).json();
  const compiled = await startSubgraph(jobs, env(), { logger });
  try {
    for (const first of [1, 2, 3]) expect(await ask(compiled.url, first)).toEqual({ data: { jobs: { totalCount: 0, edges: [] } } });
    expect(await compiledCount(compiled)).toBe(1);
  } finally {
    await compiled.close();
  }
  const interpretedEnv = loadSubgraphEnv('jobs', undefined, {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    JOBS_PORT: '0',
    JOBS_DATABASE_URL: db.url,
    NATS_URL: nats.url,
    SUBGRAPH_EXECUTOR: 'graphql-js',
  });
  expect(interpretedEnv.executor).toBe('graphql-js');
  expect(() => loadSubgraphEnv('jobs', undefined, { NODE_ENV: 'test', JOBS_DATABASE_URL: db.url, NATS_URL: nats.url, SUBGRAPH_EXECUTOR: 'jit' })).toThrow(/SUBGRAPH_EXECUTOR/);
  const interpreted = await startSubgraph(jobs, interpretedEnv, { logger });
  try {
    expect(await ask(interpreted.url, 1)).toEqual({ data: { jobs: { totalCount: 0, edges: [] } } });
    expect(await compiledCount(interpreted)).toBeUndefined();
  } finally {
    await interpreted.close();
  }
});

it("lets a transaction wait longer than Prisma's 2 s for a pooled connection", async () => {
  const client = createPrismaClient(jobs.PrismaClient, db.url, { poolSize: 1 });
  try {
    // The pool's one connection is busy for 3 s; the second transaction waits for it.
    const first = client.$transaction(async (tx: any) => tx.$executeRawUnsafe('SELECT pg_sleep(3)'));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const second = client.$transaction(async (tx: any) => (await tx.$queryRawUnsafe('SELECT 1 AS one'))[0].one);
    await expect(Promise.all([first, second])).resolves.toEqual([expect.anything(), 1]);
  } finally {
    await client.$disconnect();
  }
});
