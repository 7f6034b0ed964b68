import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { WebSocket } from 'ws';
import { createClient, type Client, type SubscribePayload } from 'graphql-ws';
import type { FormattedExecutionResult } from 'graphql';
import { createLogger } from '@jobplatform/config';
import { registerAccount } from '../../subgraphs/users/test/start-users.js';
import { startGateway, type RunningGateway } from '../src/server.js';
import { KEEP_ALIVE_MS } from '../src/websocket.js';
import type { GatewayEnv } from '../src/env.js';
import { mintAccessToken } from './access-tokens.js';
import { gatewayEnvFor, startPlatformForTest, type PlatformUnderTest } from './start-platform.js';

const ME = 'query Me { me { id username email userType } }';

let platform: PlatformUnderTest;
beforeAll(async () => {
  platform = await startPlatformForTest();
});
afterAll(async () => {
  await platform.close();
});

const clients: Client[] = [];
const sockets: WebSocket[] = [];
const gateways: RunningGateway[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.dispose()));
  for (const socket of sockets.splice(0)) socket.terminate();
  await Promise.all(gateways.splice(0).map((gateway) => gateway.close()));
});

const wsUrl = (gateway: RunningGateway = platform.gateway) => gateway.url.replace(/^http/, 'ws');

async function startExtraGateway(overrides: Partial<GatewayEnv>): Promise<RunningGateway> {
  const gateway = await startGateway(gatewayEnvFor(platform, overrides), { logger: createLogger('gateway', 'silent') });
  gateways.push(gateway);
  return gateway;
}

function connect(options: { authorization?: string; gateway?: RunningGateway; lazy?: boolean; onClosed?: (event: unknown) => void } = {}): Client {
  const client = createClient({
    url: wsUrl(options.gateway),
    webSocketImpl: WebSocket,
    connectionParams: options.authorization ? { authorization: options.authorization } : {},
    retryAttempts: 0,
    lazy: options.lazy ?? true,
    ...(options.onClosed ? { on: { closed: options.onClosed } } : {}),
    // A refused eager connection is asserted through `closed`; the default handler prints it.
    onNonLazyError: () => {},
  });
  clients.push(client);
  return client;
}

type Outcome = { result?: FormattedExecutionResult; error?: unknown };

/** One operation over the socket: its single result, or what the client reported as the error. */
function run(client: Client, payload: SubscribePayload): Promise<Outcome> {
  return new Promise((resolve) => {
    let result: FormattedExecutionResult | undefined;
    client.subscribe(payload, {
      next: (value) => {
        result = value as FormattedExecutionResult;
      },
      error: (error) => resolve({ error }),
      complete: () => resolve(result ? { result } : {}),
    });
  });
}

const mintToken = (userId: string, expiresAt: number, key: KeyObject = platform.users.privateKey) => mintAccessToken(key, userId, expiresAt);

const closeOf = (outcome: Outcome) => {
  const event = outcome.error as { code?: number; reason?: string } | undefined;
  return { code: event?.code, reason: event?.reason };
};

/** A socket of our own, for what the graphql-ws client will not send (or cannot report). */
function openRawSocket(gateway: RunningGateway = platform.gateway): Promise<{ socket: WebSocket } | { status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(wsUrl(gateway), 'graphql-transport-ws');
    sockets.push(socket);
    socket.once('open', () => resolve({ socket }));
    socket.once('unexpected-response', (_request, response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    socket.once('error', reject);
  });
}

const closed = (socket: WebSocket) =>
  new Promise<{ code: number; reason: string }>((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));

describe('operations over the socket run through the gateway', () => {
  it('answers Me over ws exactly as over HTTP for the same token', async () => {
    const account = await registerAccount(platform.users);
    const overHttp = await platform.gql(ME, undefined, { token: account.accessToken });
    const overWs = await run(connect({ authorization: `Bearer ${account.accessToken}` }), { query: ME, operationName: 'Me' });
    expect(overHttp.data!.me).toMatchObject({ id: account.id, email: account.input.email });
    expect(overWs.result).toEqual({ data: overHttp.data });
  });

  it('runs a mutation in the subgraph as the connected user', async () => {
    const account = await registerAccount(platform.users);
    const client = connect({ authorization: `Bearer ${account.accessToken}` });
    const updated = await run(client, { query: 'mutation { updateProfile(input: { bio: "Over the socket" }) { id bio } }' });
    expect(updated.result).toEqual({ data: { updateProfile: { id: account.id, bio: 'Over the socket' } } });
    const overHttp = await platform.gql('{ me { bio } }', undefined, { token: account.accessToken });
    expect(overHttp.data!.me).toEqual({ bio: 'Over the socket' });
  });

  it('lets an anonymous connection run public queries, as anonymous', async () => {
    const outcome = await run(connect(), { query: '{ me { id } }' });
    expect(outcome.result).toEqual({ data: { me: null } });
  });

  it('refuses a depth bomb with the same error as over HTTP', async () => {
    let selection = 'name';
    for (let i = 0; i < 47; i += 1) selection = `ofType { ${selection} }`;
    const query = `{ __schema { types { fields { type { ${selection} } } } } }`;
    const overHttp = await platform.gql(query);
    const overWs = await run(connect(), { query });
    expect(overHttp.errors![0]!.extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', limit: 'depth' });
    expect(overWs.result).toEqual({ errors: overHttp.errors });
  });

  it('refuses alias batching as over HTTP', async () => {
    const query = `{ ${Array.from({ length: 100 }, (_, i) => `a${i}: __typename`).join(' ')} }`;
    const overWs = await run(connect(), { query });
    expect(overWs.result!.errors![0]!.extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', limit: 'aliases', max: 30 });
  });

  it('refuses introspection in production', async () => {
    const production = await startExtraGateway({ NODE_ENV: 'production' });
    const outcome = await run(connect({ gateway: production }), { query: '{ __schema { types { name } } }' });
    expect(outcome.result!.errors![0]!.extensions!.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(outcome.result!.errors![0]!.message).toMatch(/introspection/i);
    expect(outcome.result!.data ?? null).toBeNull();
  });

  it('answers a syntax error with GRAPHQL_PARSE_FAILED and keeps the connection', async () => {
    const client = connect();
    const broken = await run(client, { query: '{ me { id ' });
    expect(broken.error).toEqual([expect.objectContaining({ extensions: { code: 'GRAPHQL_PARSE_FAILED' } })]);
    expect((await run(client, { query: '{ __typename }' })).result).toEqual({ data: { __typename: 'Query' } });
  });

  it('refuses a subscription with a validation error on a gateway without an event backbone', async () => {
    const withoutNats = await startExtraGateway({ NATS_URL: undefined });
    const outcome = await run(connect({ gateway: withoutNats }), { query: 'subscription { applicationSubmitted { id } }' });
    expect(outcome.error).toEqual([expect.objectContaining({ message: 'Subscriptions are not served by this gateway yet', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } })]);
  });
});

describe('connection_init authentication', () => {
  it('closes with 4403 and a reason for a forged, foreign or malformed token', async () => {
    const account = await registerAccount(platform.users);
    const foreign = await mintToken(account.id, Math.floor(Date.now() / 1000) + 600, generateKeyPairSync('ed25519').privateKey);
    for (const authorization of ['Bearer forged.token.value', `Bearer ${foreign}`, `Basic ${account.accessToken}`]) {
      const outcome = await run(connect({ authorization }), { query: '{ __typename }' });
      expect(closeOf(outcome)).toEqual({ code: 4403, reason: expect.stringMatching(/invalid|Bearer/) });
    }
  });

  it('closes with 4401 when the token has already expired', async () => {
    const account = await registerAccount(platform.users);
    const expired = await mintToken(account.id, Math.floor(Date.now() / 1000) - 60);
    const outcome = await run(connect({ authorization: `Bearer ${expired}` }), { query: '{ __typename }' });
    expect(closeOf(outcome)).toEqual({ code: 4401, reason: expect.stringMatching(/expired/) });
  });

  it('closes the socket with 4401 when the access token expires', async () => {
    const account = await registerAccount(platform.users);
    const expiresAt = Math.floor(Date.now() / 1000) + 2;
    const token = await mintToken(account.id, expiresAt);
    const closedWith = new Promise<{ code?: number; reason?: string }>((resolve) => {
      connect({ authorization: `Bearer ${token}`, lazy: false, onClosed: (event) => resolve(event as { code: number; reason: string }) });
    });
    const { code, reason } = await closedWith;
    expect({ code, reason }).toEqual({ code: 4401, reason: 'Access token expired; reconnect with a fresh token' });
    expect(Date.now()).toBeGreaterThanOrEqual(expiresAt * 1000);
    expect(Date.now()).toBeLessThan(expiresAt * 1000 + 2000);
  });
});

describe('keep-alive', () => {
  it('pings a quiet socket only after KEEP_ALIVE_MS (30 s), not at graphql-ws’s 12 s', async () => {
    expect(KEEP_ALIVE_MS).toBe(30_000);
    const opened = await openRawSocket();
    if (!('socket' in opened)) throw new Error(`upgrade refused with ${opened.status}`);
    let pings = 0;
    opened.socket.on('ping', () => (pings += 1));
    opened.socket.send(JSON.stringify({ type: 'connection_init', payload: {} }));
    await new Promise((resolve) => setTimeout(resolve, 13_000));
    expect(pings).toBe(0);
    expect(opened.socket.readyState).toBe(WebSocket.OPEN);
  }, 30_000);
});

describe('socket limits', () => {
  it('closes with 1009 on a 100 KiB message, before authentication', async () => {
    const opened = await openRawSocket();
    if (!('socket' in opened)) throw new Error(`upgrade refused with ${opened.status}`);
    const closing = closed(opened.socket);
    opened.socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${'x'.repeat(100 * 1024)}` } }));
    expect((await closing).code).toBe(1009);
  });

  it('closes with 1009 on a 100 KiB operation from an authenticated client', async () => {
    const account = await registerAccount(platform.users);
    const outcome = await run(connect({ authorization: `Bearer ${account.accessToken}` }), { query: `{ __typename } # ${'x'.repeat(100 * 1024)}` });
    expect(closeOf(outcome).code).toBe(1009);
  });

  it('refuses connections over the per-address cap with 429, and takes them again once one closes', async () => {
    const capped = await startExtraGateway({ GATEWAY_WS_MAX_CONNECTIONS_PER_IP: 2 });
    const first = await openRawSocket(capped);
    const second = await openRawSocket(capped);
    expect('socket' in first && 'socket' in second).toBe(true);
    expect(await openRawSocket(capped)).toEqual({ status: 429, body: 'Too many WebSocket connections from this address' });

    const firstSocket = (first as { socket: WebSocket }).socket;
    const firstClosed = closed(firstSocket);
    firstSocket.close();
    await firstClosed;
    // The server releases the slot when its side of the TCP connection closes.
    let again = await openRawSocket(capped);
    for (let attempt = 0; attempt < 20 && !('socket' in again); attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      again = await openRawSocket(capped);
    }
    expect('socket' in again).toBe(true);
  });
});
