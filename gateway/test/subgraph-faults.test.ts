import net from 'node:net';
import { createLogger } from '@jobplatform/config';
import { startSubgraph, type RunningSubgraph } from '@jobplatform/service-runtime';
import { gatewayEnvBeside, loadSubgraphDefinition, postGraphQL, startPlatformForTest, type PlatformUnderTest } from '@jobplatform/testing';
import { startGateway, type RunningGateway } from '../src/server.js';

// A subgraph that is down or hangs costs its own fields, not the whole answer, and the gateway
// recovers by itself when the subgraph is back.

/**
 * Jobs (from jobs) with their employer's introduction (from users; jobs provides only the handle
 * and names); bio may be null.
 */
const JOBS_WITH_EMPLOYERS = '{ jobs(first: 5) { edges { node { title employer { id bio } } } } }';
/** Employer and dateJoined (from users) are non-null, so a missing dateJoined nulls the list. */
const JOBS_WITH_JOIN_DATES = '{ jobs(first: 5) { edges { node { title employer { dateJoined } } } } }';

/**
 * A TCP proxy in front of a subgraph: it forwards, or it accepts connections and never answers (a
 * process that hangs).
 */
type Proxy = { url: string; mode: 'forward' | 'hang'; close(): Promise<void> };

async function startProxy(target: URL): Promise<Proxy> {
  const sockets = new Set<net.Socket>();
  const proxy: Proxy = { url: '', mode: 'forward', close: async () => undefined };
  const server = net.createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    if (proxy.mode === 'hang') return;
    const upstream = net.connect(Number(target.port), target.hostname);
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
    upstream.pipe(client);
    // Requests on connections opened earlier go unanswered too, as they would to a hung process.
    client.on('data', (chunk) => {
      if (proxy.mode === 'forward') upstream.write(chunk);
    });
    client.on('end', () => upstream.end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  proxy.url = `http://127.0.0.1:${port}${target.pathname}`;
  proxy.close = async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  };
  return proxy;
}

async function timed<T>(work: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const started = performance.now();
  const result = await work();
  return { result, ms: performance.now() - started };
}

let platform: PlatformUnderTest;
let jobTitle: string;
beforeAll(async () => {
  platform = await startPlatformForTest({ services: ['users', 'jobs'] });
  const employer = await platform.employer();
  const company = (await platform.ok('mutation { createCompany(input: { name: "Fault Tolerant Inc" }) { id } }', {}, employer)).createCompany.id;
  jobTitle = `Stays up ${Date.now()}`;
  await platform.ok('mutation($input: CreateJobInput!) { createJob(input: $input) { id } }', { input: { companyId: company, title: jobTitle, description: 'x' } }, employer);
});
afterAll(async () => {
  await platform.close();
});

describe('a subgraph that hangs', () => {
  let proxy: Proxy;
  let gateway: RunningGateway;
  beforeAll(async () => {
    proxy = await startProxy(new URL(platform.service('users').service.url));
    gateway = await startGateway(gatewayEnvBeside(platform, { GATEWAY_SUBGRAPH_TIMEOUT_MS: 1000 }, { users: proxy.url }), {
      logger: createLogger('gateway', 'silent'),
    });
  });
  afterAll(async () => {
    await gateway.close();
    await proxy.close();
  });

  it('costs only its own fields, within the configured timeout, and its fields come back when it answers again', async () => {
    const before = await postGraphQL(gateway.url, { query: JOBS_WITH_EMPLOYERS });
    expect(before.errors).toBeUndefined();

    proxy.mode = 'hang';
    const { result: partial, ms } = await timed(() => postGraphQL(gateway.url, { query: JOBS_WITH_EMPLOYERS }));
    expect(ms).toBeGreaterThanOrEqual(900);
    expect(ms).toBeLessThan(3000);
    expect(partial.status).toBe(200);
    const edges = (partial.data as { jobs: { edges: { node: { title: string; employer: { id: string; bio: null } } }[] } }).jobs.edges;
    const index = edges.findIndex((edge) => edge.node.title === jobTitle);
    expect(index).toBeGreaterThanOrEqual(0);
    expect(edges[index]!.node.employer).toMatchObject({ id: expect.any(String), bio: null });
    expect(partial.errors).toContainEqual(
      expect.objectContaining({
        message: expect.stringMatching(/^The users service did not answer within 1000 ms/),
        path: ['jobs', 'edges', index, 'node', 'employer'],
        extensions: expect.objectContaining({ code: 'INTERNAL_SERVER_ERROR' }),
      }),
    );
    // A query that needs only jobs does not call users at all, so it does not time out.
    const jobsOnly = await postGraphQL(gateway.url, { query: '{ jobs(first: 5) { edges { node { title } } } }' });
    expect(jobsOnly.errors).toBeUndefined();

    proxy.mode = 'forward';
    const after = await postGraphQL(gateway.url, { query: JOBS_WITH_JOIN_DATES });
    expect(after.errors).toBeUndefined();
    expect((after.data as { jobs: { edges: { node: { employer: { dateJoined: string } } }[] } }).jobs.edges[index]!.node.employer.dateJoined).toEqual(expect.any(String));
  });
});

describe('a subgraph that is stopped', () => {
  let restarted: RunningSubgraph<unknown, unknown> | undefined;
  afterAll(async () => {
    await restarted?.close();
  });

  it("answers at once with the other subgraphs' data, and in full again once it is back on its address", async () => {
    const users = platform.service('users');
    const port = Number(new URL(users.service.url).port);
    expect((await platform.gql(JOBS_WITH_JOIN_DATES)).errors).toBeUndefined();

    await users.service.close();
    const { result: partial, ms } = await timed(() => platform.gql(JOBS_WITH_EMPLOYERS));
    // Connection refused fails fast: far below the default 10 s timeout.
    expect(ms).toBeLessThan(2000);
    expect(partial.status).toBe(200);
    const edges = (partial.data as { jobs: { edges: { node: { title: string; employer: { bio: null } } }[] } }).jobs.edges;
    const index = edges.findIndex((edge) => edge.node.title === jobTitle);
    expect(index).toBeGreaterThanOrEqual(0);
    expect(partial.errors).toContainEqual(
      expect.objectContaining({ message: expect.stringMatching(/^The users service could not be reached \(ECONNREFUSED\)/), path: ['jobs', 'edges', index, 'node', 'employer'] }),
    );
    // A query of a non-null field of users answers as fast, with the error; its data is null here
    // because Job.employer and User.dateJoined are non-null, so the missing date travels up to `jobs`.
    const { result: joinDates, ms: joinDatesMs } = await timed(() => platform.gql(JOBS_WITH_JOIN_DATES));
    expect(joinDatesMs).toBeLessThan(2000);
    expect(joinDates.errors![0]!.message).toMatch(/^The users service could not be reached/);

    const definition = await loadSubgraphDefinition('users');
    restarted = (await startSubgraph(definition, { ...users.env, port }, { logger: createLogger('users', 'silent') })) as RunningSubgraph<unknown, unknown>;
    const full = await platform.gql(JOBS_WITH_JOIN_DATES);
    expect(full.errors).toBeUndefined();
    expect((full.data as { jobs: { edges: { node: { employer: { dateJoined: string } } }[] } }).jobs.edges[index]!.node.employer.dateJoined).toEqual(expect.any(String));
  });
});
