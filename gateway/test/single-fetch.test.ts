import { readFileSync } from 'node:fs';
import net from 'node:net';
import { createLogger } from '@jobplatform/config';
import { gatewayEnvBeside, operationsServed, postGraphQL, startPlatformForTest, type Account, type PlatformUnderTest } from '@jobplatform/testing';
import type { GatewayEnv } from '../src/env.js';
import { startGateway, type RunningGateway } from '../src/server.js';

// An operation one subgraph answers whole (its plan is a single fetch selecting the client's fields)
// gets that subgraph's data as it came (src/single-fetch.ts). Every answer must be the one
// @apollo/gateway's plan execution gives (GATEWAY_SINGLE_FETCH=false, beside it over the same
// subgraphs), errors included, and a call that fails is still made once.

const jobsOperations = readFileSync(new URL('../../schema/operations/jobs.graphql', import.meta.url), 'utf8');
const usersOperations = readFileSync(new URL('../../schema/operations/users.graphql', import.meta.url), 'utf8');

let platform: PlatformUnderTest;
let planned: RunningGateway;
let employer: Account;
let jobId: string;

const gatewayWith = (overrides: Partial<GatewayEnv>, urls: Record<string, string> = {}) =>
  startGateway(gatewayEnvBeside(platform, overrides, urls), { logger: createLogger('gateway', 'silent') });

beforeAll(async () => {
  platform = await startPlatformForTest({ services: ['users', 'jobs'] });
  planned = await gatewayWith({ GATEWAY_SINGLE_FETCH: false });
  employer = await platform.replicated(await platform.employer(), 'jobs');
  const company = (await platform.ok('mutation { createCompany(input: { name: "Single Fetch Ltd" }) { id } }', {}, employer)).createCompany.id;
  jobId = (
    await platform.ok(
      'mutation($input: CreateJobInput!) { createJob(input: $input) { id } }',
      { input: { companyId: company, title: 'Platform engineer', description: 'Runs the gateway', salaryMin: 50000, salaryMax: 70000 } },
      employer,
    )
  ).createJob.id;
}, 120_000);
afterAll(async () => {
  await planned?.close();
  await platform?.close();
});

/** The gateway's operations by how they were answered, from its /metrics. */
async function answeredBy(gateway: RunningGateway): Promise<{ direct: number; planned: number }> {
  const text = await (await fetch(gateway.url.replace(/\/graphql$/, '/metrics'))).text();
  const count = (path: string) => Number(new RegExp(`^gateway_single_fetch_operations_total\\{[^}]*path="${path}"[^}]*\\} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
  return { direct: count('direct'), planned: count('planned') };
}

type Request = { query: string; variables?: Record<string, unknown>; operationName?: string };

/**
 * The request through the platform's gateway and through one that executes every plan: their
 * status and body must be equal. Returns the answer and how the platform's gateway answered it.
 */
async function bothWays(request: Request, token?: string) {
  const before = await answeredBy(platform.gateway);
  const single = await postGraphQL(platform.gateway.url, request, token ? { token } : {});
  const after = await answeredBy(platform.gateway);
  const reference = await postGraphQL(planned.url, request, token ? { token } : {});
  expect({ status: single.status, data: single.data, errors: single.errors }).toEqual({ status: reference.status, data: reference.data, errors: reference.errors });
  // Keys in the same order too: a client may print the answer as it came.
  expect(JSON.stringify(single.data)).toBe(JSON.stringify(reference.data));
  return { response: single, path: after.direct > before.direct ? 'direct' : after.planned > before.planned ? 'planned' : 'none' };
}

it("answers the clients' one-subgraph operations with the subgraph's data, as the plan's execution would", async () => {
  const detail = await bothWays({ query: jobsOperations, operationName: 'JobDetail', variables: { id: jobId } });
  expect(detail.path).toBe('direct');
  expect(detail.response.data?.job).toMatchObject({ id: jobId, title: 'Platform engineer', employer: { id: employer.id } });

  const list = await bothWays({ query: jobsOperations, operationName: 'Jobs', variables: { first: 5 } });
  expect(list.path).toBe('direct');
  expect(list.response.data?.jobs.edges.map((edge: { node: { id: string } }) => edge.node.id)).toContain(jobId);

  // Me selects its fields through a fragment on User, which the plan's fetch writes inline.
  const me = await bothWays({ query: usersOperations, operationName: 'Me' }, employer.accessToken);
  expect(me.path).toBe('direct');
  expect(me.response.data?.me).toMatchObject({ id: employer.id });

  const aliased = await bothWays({ query: 'query ($id: ID!) { posting: job(id: $id) { headline: title pay: salaryMax company { name } } }', variables: { id: jobId } });
  expect(aliased.path).toBe('direct');
  expect(aliased.response.data).toEqual({ posting: { headline: 'Platform engineer', pay: 70000, company: { name: 'Single Fetch Ltd' } } });
});

it('leaves to the plan what one subgraph does not answer as it is: two subgraphs, introspection, type conditions', async () => {
  expect((await bothWays({ query: 'query ($id: ID!) { job(id: $id) { title employer { id bio } } }', variables: { id: jobId } })).path).toBe('planned');
  expect((await bothWays({ query: '{ __typename jobs(first: 1) { totalCount } }' })).path).toBe('planned');
  expect((await bothWays({ query: '{ __schema { queryType { name } } }' })).path).toBe('planned');
  expect((await bothWays({ query: 'query ($id: ID!) { job(id: $id) { ... on Job { title } } }', variables: { id: jobId } })).path).toBe('direct');
  expect((await bothWays({ query: 'query ($id: ID!) { job(id: $id) { ... on Job @include(if: true) { title } } }', variables: { id: jobId } })).path).toBe('planned');
  // A developer asking for the query plan gets it from @apollo/gateway, in the answer's extensions.
  const before = await answeredBy(platform.gateway);
  const withPlan = await fetch(platform.gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'apollo-query-plan-experimental': '1' },
    body: JSON.stringify({ query: 'query ($id: ID!) { job(id: $id) { title } }', variables: { id: jobId } }),
  });
  expect(((await withPlan.json()) as { extensions?: Record<string, unknown> }).extensions?.__queryPlanExperimental).toEqual(expect.stringContaining('Fetch(service: "jobs")'));
  expect(await answeredBy(platform.gateway)).toEqual({ direct: before.direct, planned: before.planned + 1 });
});

it("gives a subgraph's errors as the plan's execution gives them, from the one call already made", async () => {
  const jobs = platform.service('jobs');
  const users = platform.service('users');

  // A query jobs refuses: an error and a null.
  const jobsBefore = await operationsServed(jobs);
  const tooLong = await bothWays({ query: 'query ($search: String) { skills(search: $search) { id name } }', variables: { search: 'x'.repeat(101) } });
  expect(tooLong.path).toBe('planned');
  expect(tooLong.response.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  expect(await operationsServed(jobs)).toBe(jobsBefore + 2);

  // A mutation refused by users runs once through each gateway, not twice through the single-fetch one.
  const usersBefore = await operationsServed(users);
  const refused = await bothWays({ query: 'mutation { updateProfile(input: { phoneNumber: "not a number" }) { id } }' }, employer.accessToken);
  expect(refused.path).toBe('planned');
  expect(refused.response.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  expect(await operationsServed(users)).toBe(usersBefore + 2);

  // Variables the schema refuses never reach a subgraph.
  const wrongType = await bothWays({ query: jobsOperations, operationName: 'Jobs', variables: { first: 'ten' } });
  expect(wrongType.path).toBe('planned');
  expect(wrongType.response.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  expect(await operationsServed(jobs)).toBe(jobsBefore + 2);
  expect(await operationsServed(users)).toBe(usersBefore + 2);
});

it('answers as the plan does when the one subgraph cannot be reached', async () => {
  // A port nothing listens on: the call is refused at once.
  const closed = await new Promise<number>((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
  const jobsDown = { jobs: `http://127.0.0.1:${closed}/graphql` };
  const [single, plannedOnly] = await Promise.all([gatewayWith({}, jobsDown), gatewayWith({ GATEWAY_SINGLE_FETCH: false }, jobsDown)]);
  try {
    const request = { query: jobsOperations, operationName: 'JobDetail', variables: { id: jobId } };
    const [a, b] = await Promise.all([postGraphQL(single.url, request), postGraphQL(plannedOnly.url, request)]);
    expect(a.errors?.[0]?.message).toMatch(/^The jobs service could not be reached/);
    expect({ data: a.data, errors: a.errors }).toEqual({ data: b.data, errors: b.errors });
    expect(await answeredBy(single)).toEqual({ direct: 0, planned: 1 });
  } finally {
    await Promise.all([single.close(), plannedOnly.close()]);
  }
});
