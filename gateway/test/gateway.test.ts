import { generateKeyPairSync } from 'node:crypto';
import { SignJWT } from 'jose';
import { WebSocket } from 'ws';
import { registerAccount } from '../../subgraphs/users/test/start-users.js';
import { startPlatformForTest, type PlatformUnderTest } from './start-platform.js';
import { capturingLogger, errorCodeOf } from '@jobplatform/testing';

const { logger: usersLogger, lines: usersLog } = capturingLogger();

let platform: PlatformUnderTest;
beforeAll(async () => {
  platform = await startPlatformForTest({ usersLogger });
});
afterAll(async () => {
  await platform.close();
});

const ME = 'query Me { me { id username email userType } }';

describe('authentication at the gateway', () => {
  it('forwards a valid token so the subgraph knows the viewer', async () => {
    const account = await registerAccount(platform.users);
    const response = await platform.gql(ME, undefined, { token: account.accessToken });
    expect(response.data!.me).toEqual({ id: account.id, username: account.input.username, email: account.input.email, userType: 'JOB_SEEKER' });
  });

  it('answers UNAUTHENTICATED with 401 for a foreign signature, an expired token and alg none', async () => {
    const account = await registerAccount(platform.users);
    const foreignKey = generateKeyPairSync('ed25519').privateKey;
    const claims = { role: 'admin' };
    const base = () => new SignJWT(claims).setProtectedHeader({ alg: 'EdDSA' }).setSubject(account.id).setIssuer('jobplatform-users').setAudience('jobplatform').setJti('t');
    const foreign = await base().setIssuedAt().setExpirationTime('5m').sign(foreignKey);
    const expired = await base()
      .setIssuedAt(Math.floor(Date.now() / 1000) - 7200)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 3600)
      .sign(platform.users.privateKey);
    const payload = Buffer.from(
      JSON.stringify({ sub: account.id, role: 'admin', iss: 'jobplatform-users', aud: 'jobplatform', jti: 'n', exp: Math.floor(Date.now() / 1000) + 600 }),
    ).toString('base64url');
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`;
    for (const token of [foreign, expired, none, 'not.a.jwt']) {
      const response = await platform.gql(ME, undefined, { token });
      expect(response.status).toBe(401);
      expect(errorCodeOf(response)).toBe('UNAUTHENTICATED');
      expect(response.data ?? null).toBeNull();
    }
    const expiredResponse = await platform.gql(ME, undefined, { token: expired });
    expect(expiredResponse.errors![0]!.message).toMatch(/expired/);
  });

  it('serves anonymous requests without a token', async () => {
    const response = await platform.gql(ME);
    expect(response.data!.me).toBeNull();
  });
});

describe('request limits', () => {
  it('refuses a 50-level query before execution', async () => {
    let selection = 'name';
    for (let i = 0; i < 47; i += 1) selection = `ofType { ${selection} }`;
    const query = `{ __schema { types { fields { type { ${selection} } } } } }`;
    const response = await platform.gql(query);
    expect(response.status).toBe(400);
    expect(response.data ?? null).toBeNull();
    expect(response.errors![0]!.message).toMatch(/nesting depth is \d+, above the limit of 12/);
    expect(response.errors![0]!.extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', limit: 'depth', max: 12 });
  });

  it('refuses 1,000 aliases before execution', async () => {
    const query = `{ ${Array.from({ length: 1000 }, (_, i) => `a${i}: __typename`).join(' ')} }`;
    const response = await platform.gql(query);
    expect(response.status).toBe(400);
    expect(response.errors![0]!.extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', limit: 'aliases', max: 30 });
  });

  it('refuses a body over the size limit with a JSON error', async () => {
    const response = await platform.gql(`{ __typename } # ${'x'.repeat(200 * 1024)}`);
    expect(response.status).toBe(413);
    expect(errorCodeOf(response)).toBe('PAYLOAD_TOO_LARGE');
  });

  it('refuses malformed JSON without a stack trace', async () => {
    const response = await fetch(platform.gateway.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":' });
    expect(response.status).toBe(400);
    const text = await response.text();
    expect(JSON.parse(text).errors[0].extensions.code).toBe('BAD_REQUEST');
    expect(text).not.toMatch(/at .*\.js/);
  });

  it('blocks simple cross-site requests (CSRF prevention)', async () => {
    const viaGet = await fetch(`${platform.gateway.url}?query=${encodeURIComponent('{ __typename }')}`);
    expect(viaGet.status).toBe(400);
    const viaForm = await fetch(platform.gateway.url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ query: '{ __typename }' }) });
    expect(viaForm.status).toBe(400);
  });
});

describe('observability', () => {
  it('echoes the request id and passes it to the subgraph', async () => {
    const requestId = `test-request-${Date.now()}`;
    // A field of users' own: `me { id }` alone any service that adds fields to User may answer.
    const response = await platform.gql('query Me { me { id username } }', undefined, { headers: { 'x-request-id': requestId } });
    expect(response.headers.get('x-request-id')).toBe(requestId);
    await new Promise((r) => setTimeout(r, 50));
    // The query planner names the subgraph fetch after the client's operation.
    expect(usersLog).toContainEqual(expect.objectContaining({ requestId, operation: expect.stringMatching(/^Me__users__/), msg: 'graphql request' }));
  });

  it('serves /healthz, /readyz and /metrics', async () => {
    const base = platform.gateway.url.replace(/\/graphql$/, '');
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    // Every subgraph of the supergraph, by name, with its state.
    expect(await ready.json()).toEqual({ status: 'ready', subgraphs: Object.fromEntries(Object.keys(platform.services).map((name) => [name, 'ready'])) });
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/graphql_operation_duration_seconds_count\{[^}]*operation="Me"/);
    expect(metrics).toMatch(/http_request_duration_seconds/);
  });
});

describe('graphql-ws', () => {
  const connect = (authorization?: string) =>
    new Promise<{ ack: boolean; closeCode?: number }>((resolve, reject) => {
      const socket = new WebSocket(platform.gateway.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
      socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: authorization ? { authorization } : {} })));
      socket.on('message', (data) => {
        if (JSON.parse(data.toString()).type === 'connection_ack') {
          socket.close();
          resolve({ ack: true });
        }
      });
      socket.on('close', (code) => resolve({ ack: false, closeCode: code }));
      socket.on('error', reject);
    });

  it('accepts connection_init with a valid token', async () => {
    const account = await registerAccount(platform.users);
    expect(await connect(`Bearer ${account.accessToken}`)).toEqual({ ack: true });
  });

  it('acknowledges an anonymous connection_init and closes with 4403 for a bad token', async () => {
    expect(await connect()).toEqual({ ack: true });
    expect(await connect('Bearer forged.token.value')).toEqual({ ack: false, closeCode: 4403 });
  });
});
