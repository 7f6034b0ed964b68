import { readFileSync } from 'node:fs';
import { createLogger } from '@jobplatform/config';
import type { MailCatcher } from '@jobplatform/mail/catcher';
import { HOP_MAX_AGE_MS, HOP_SIGNATURE_HEADER, signHop, type HopRequest } from '@jobplatform/service-runtime';
import { errorCodeOf, gatewayEnvFor, postGraphQL, startPlatformForTest, type PlatformUnderTest } from '@jobplatform/testing';
import { defaultSupergraphPath, startGateway } from '../src/server.js';
import { subgraphsOf } from '../src/subgraph-requests.js';
import { startTestMailCatcher } from '../../subgraphs/users/test/start-users.js';

// Only the gateway talks to subgraphs: it signs each call, and a subgraph believes the forwarded
// headers of a signed call only; in production it serves nothing else.

const LOGIN = 'mutation Login($email: String!, $password: String!) { login(email: $email, password: $password) { accessToken } }';

/** A call straight to a subgraph, signed (or not) as the gateway would sign it. */
async function callSubgraph(
  url: string,
  body: { query: string; variables?: Record<string, unknown> },
  options: { headers?: Record<string, string>; sign?: { secret: string; at?: number; tamper?: (request: HopRequest) => HopRequest } } = {},
) {
  const headers = { ...options.headers };
  if (options.sign) {
    const text = JSON.stringify(body);
    const request: HopRequest = {
      method: 'POST',
      path: new URL(url).pathname,
      authorization: headers.authorization,
      requestId: headers['x-request-id'],
      clientIp: headers['x-client-ip'],
      body: text,
    };
    headers[HOP_SIGNATURE_HEADER] = signHop(options.sign.secret, options.sign.tamper ? options.sign.tamper(request) : request, options.sign.at);
  }
  return postGraphQL(url, body, { headers });
}

async function expectRefused(response: Awaited<ReturnType<typeof postGraphQL>>, reason: RegExp): Promise<void> {
  expect(response.status).toBe(401);
  expect(response.data ?? null).toBeNull();
  expect(errorCodeOf(response)).toBe('UNAUTHENTICATED');
  expect(response.errors![0]!.message).toMatch(reason);
}

describe('in production', () => {
  let platform: PlatformUnderTest;
  let mail: MailCatcher;
  let secret: string;
  beforeAll(async () => {
    // users will not start in production without an SMTP server for its mail.
    mail = await startTestMailCatcher();
    platform = await startPlatformForTest({
      services: ['users', 'jobs'],
      env: { users: { NODE_ENV: 'production', SMTP_URL: mail.url }, jobs: { NODE_ENV: 'production' } },
      gateway: { NODE_ENV: 'production' },
    });
    secret = platform.service('jobs').env.gatewayHopSecret!;
  });
  afterAll(async () => {
    await platform.close();
    await mail.stop();
  });

  it('serves the gateway, which signs every call', async () => {
    const employer = await platform.employer();
    const me = await platform.ok('{ me { id username } }', {}, employer);
    expect(me.me).toEqual({ id: employer.id, username: employer.username });
    const company = await platform.ok('mutation { createCompany(input: { name: "Signed Calls Ltd" }) { id name } }', {}, employer);
    expect(company.createCompany.name).toBe('Signed Calls Ltd');
  });

  it('signs its readiness checks, so a gateway with another secret is not ready', async () => {
    const jobsUrl = platform.service('jobs').service.url;
    // Every subgraph of the supergraph answers: the ones this test does not run are routed to jobs.
    const supergraph = subgraphsOf(readFileSync(defaultSupergraphPath, 'utf8'));
    const urls = Object.fromEntries(supergraph.map(({ name }) => [name, platform.services[name as 'users' | 'jobs']?.service.url ?? jobsUrl]));
    const jwksUrl = platform.service('users').service.url.replace(/\/graphql$/, '/.well-known/jwks.json');
    for (const [hopSecret, expected] of [
      [secret, { status: 'ready', subgraphs: expect.objectContaining({ users: 'ready', jobs: 'ready' }) }],
      [
        'a different secret, at least thirty-two bytes long',
        { status: 'unavailable', reason: expect.stringContaining('users answered 401'), subgraphs: expect.objectContaining({ users: 'answered 401' }) },
      ],
    ] as const) {
      const gateway = await startGateway(gatewayEnvFor(jwksUrl, urls, { NODE_ENV: 'production', GATEWAY_HOP_SECRET: hopSecret }), { logger: createLogger('gateway', 'silent') });
      try {
        const readyz = await fetch(gateway.url.replace(/\/graphql$/, '/readyz'));
        expect(await readyz.json()).toEqual(expected);
        if (hopSecret === secret) continue;
        // Its clients learn that a service failed, not how the platform is set up.
        const answer = await postGraphQL(gateway.url, { query: '{ jobs(first: 1) { totalCount } }' });
        expect(answer.errors).toEqual([
          { message: expect.stringMatching(/^The jobs service refused the call/), path: ['jobs'], extensions: { code: 'INTERNAL_SERVER_ERROR', serviceName: 'jobs' } },
        ]);
      } finally {
        await gateway.close();
      }
    }
  });

  it('refuses a direct unsigned call with 401 UNAUTHENTICATED, _service and _entities included', async () => {
    const jobs = platform.service('jobs').service.url;
    for (const query of [
      '{ jobs(first: 1) { totalCount } }',
      '{ _service { sdl } }',
      '{ _entities(representations: [{ __typename: "Job", id: "1" }]) { ... on Job { title } } }',
    ]) {
      await expectRefused(await callSubgraph(jobs, { query }), /answers calls from the gateway only: the call is not signed/);
    }
  });

  it('serves a call signed with the shared secret, _service included', async () => {
    const jobs = platform.service('jobs').service.url;
    const signed = await callSubgraph(jobs, { query: '{ _service { sdl } }' }, { sign: { secret } });
    expect(signed.status).toBe(200);
    expect((signed.data as { _service: { sdl: string } })._service.sdl).toContain('type Job');
  });

  it('refuses stale, tampered and foreign signatures', async () => {
    const jobs = platform.service('jobs').service.url;
    const body = { query: '{ jobs(first: 1) { totalCount } }' };
    const stale = await callSubgraph(jobs, body, { sign: { secret, at: Date.now() - HOP_MAX_AGE_MS - 1000 } });
    await expectRefused(stale, /the signature has expired/);
    const fromTheFuture = await callSubgraph(jobs, body, { sign: { secret, at: Date.now() + HOP_MAX_AGE_MS + 1000 } });
    await expectRefused(fromTheFuture, /the signature has expired/);
    const otherBody = await callSubgraph(jobs, body, { sign: { secret, tamper: (request) => ({ ...request, body: '{"query":"{ __typename }"}' }) } });
    await expectRefused(otherBody, /the signature does not match the call/);
    const forgedAddress = await callSubgraph(jobs, body, {
      headers: { 'x-client-ip': '198.51.100.7' },
      sign: { secret, tamper: (request) => ({ ...request, clientIp: undefined }) },
    });
    await expectRefused(forgedAddress, /the signature does not match the call/);
    const foreign = await callSubgraph(jobs, body, { sign: { secret: 'another secret of at least thirty-two bytes' } });
    await expectRefused(foreign, /the signature does not match the call/);
    const malformed = await postGraphQL(jobs, body, { headers: { [HOP_SIGNATURE_HEADER]: 'yes, from the gateway' } });
    await expectRefused(malformed, /the signature is malformed/);
  });

  it('refuses to run a gateway without the secret', async () => {
    const urls = Object.fromEntries(Object.entries(platform.services).map(([name, s]) => [name, s.service.url]));
    const jwksUrl = platform.service('users').service.url.replace(/\/graphql$/, '/.well-known/jwks.json');
    const env = gatewayEnvFor(jwksUrl, urls, { NODE_ENV: 'production' });
    delete env.GATEWAY_HOP_SECRET;
    await expect(startGateway(env, { logger: createLogger('gateway', 'silent') })).rejects.toThrow(/GATEWAY_HOP_SECRET: is required in production/);
  });
});

describe('outside production', () => {
  let platform: PlatformUnderTest;
  beforeAll(async () => {
    platform = await startPlatformForTest({ services: ['users'] });
  });
  afterAll(async () => {
    await platform.close();
  });

  async function failedLoginAddresses(email: string): Promise<string[]> {
    const { rows } = await platform
      .service('users')
      .db.query<{ ip_address: string }>("SELECT ip_address FROM audit_events WHERE action = 'login_failed' AND subject = $1 ORDER BY id", [email]);
    return rows.map((row) => row.ip_address);
  }

  it('serves an unsigned call but ignores its x-client-ip and x-request-id', async () => {
    const users = platform.service('users');
    const account = await platform.jobSeeker();
    const forgedRequestId = 'forged-request-id-0001';
    const unsigned = await callSubgraph(
      users.service.url,
      { query: LOGIN, variables: { email: account.email, password: 'not the password' } },
      { headers: { 'x-client-ip': '203.0.113.50', 'x-request-id': forgedRequestId } },
    );
    expect(unsigned.status).toBe(200);
    expect(errorCodeOf(unsigned)).toBe('UNAUTHENTICATED');
    expect(unsigned.headers.get('x-request-id')).not.toBe(forgedRequestId);
    // The login throttle and the audit trail key on the address that connected, not the forged one.
    expect(await failedLoginAddresses(account.email)).toEqual(['127.0.0.1']);

    const signedRequestId = 'gateway-request-id-0002';
    const signed = await users.gql(LOGIN, { email: account.email, password: 'still not it' }, { headers: { 'x-client-ip': '203.0.113.51', 'x-request-id': signedRequestId } });
    expect(errorCodeOf(signed)).toBe('UNAUTHENTICATED');
    expect(signed.headers.get('x-request-id')).toBe(signedRequestId);
    expect(await failedLoginAddresses(account.email)).toEqual(['127.0.0.1', '203.0.113.51']);
  });

  it('still refuses a call whose signature is wrong', async () => {
    const users = platform.service('users');
    const response = await callSubgraph(users.service.url, { query: '{ __typename }' }, { sign: { secret: users.env.gatewayHopSecret!, at: Date.now() - 5 * HOP_MAX_AGE_MS } });
    await expectRefused(response, /the signature has expired/);
  });

  it('applies the operation limits to a call straight to the subgraph', async () => {
    const users = platform.service('users');
    let selection = 'name';
    for (let i = 0; i < 30; i += 1) selection = `ofType { ${selection} }`;
    const depthBomb = await callSubgraph(users.service.url, { query: `{ __schema { types { fields { type { ${selection} } } } } }` });
    expect(depthBomb.status).toBe(400);
    expect(depthBomb.data ?? null).toBeNull();
    expect(depthBomb.errors![0]!.extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', limit: 'depth', max: 12 });
    // Signed calls are held to the same limits.
    const signedDepthBomb = await users.gql(`{ __schema { types { fields { type { ${selection} } } } } }`);
    expect(signedDepthBomb.errors![0]!.extensions).toMatchObject({ limit: 'depth' });

    const aliasBomb = await callSubgraph(users.service.url, { query: `{ ${Array.from({ length: 200 }, (_, i) => `a${i}: __typename`).join(' ')} }` });
    expect(aliasBomb.errors![0]!.extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', limit: 'aliases', max: 30 });

    const representations = Array.from({ length: 2500 }, (_, i) => ({ __typename: 'User', id: String(i + 1) }));
    const entityBomb = await callSubgraph(users.service.url, {
      query:
        'query($representations: [_Any!]!) { _entities(representations: $representations) { ... on User { id username email firstName lastName bio userType isVerified dateJoined lastLogin } } }',
      variables: { representations },
    });
    expect(entityBomb.data ?? null).toBeNull();
    expect(entityBomb.errors![0]!.extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', limit: 'cost', max: 20_000 });
  });
});
