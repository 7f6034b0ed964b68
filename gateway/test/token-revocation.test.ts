// Revocation: an ended sign-in's access tokens stop working at the gateway and at every subgraph
// within seconds, not when they expire (up to 15 minutes later).
import { TOKEN_REVOCATIONS_PATH, signHop, HOP_SIGNATURE_HEADER } from '@jobplatform/service-runtime';
import { errorCodeOf, startPlatformForTest, waitFor, type Account, type PlatformUnderTest } from '@jobplatform/testing';
import { createClient, type Client } from 'graphql-ws';
import { WebSocket } from 'ws';

let platform: PlatformUnderTest;

beforeAll(async () => {
  platform = await startPlatformForTest({ services: ['users', 'jobs'] });
}, 120_000);

const clients: Client[] = [];
afterAll(async () => {
  await Promise.all(clients.map((client) => client.dispose()));
  await platform?.close();
});

/** Answered by users (username is its own; `me { id }` alone any service that adds fields to User may answer). */
const ME = 'query { me { id username } }';
const LOGIN = 'mutation($email: String!, $password: String!) { login(email: $email, password: $password) { accessToken refreshToken } }';
/** The target: a revoked token fails everywhere within 5 seconds. */
const WITHIN_MS = 5_000;

type Tokens = { accessToken: string; refreshToken: string };

async function signInAgain(account: Account): Promise<Tokens> {
  return (await platform.ok(LOGIN, { email: account.email, password: account.password }, {} as Account)).login as Tokens;
}

/** How the gateway and, straight and signed as the gateway, the jobs subgraph answer a token. */
async function answers(accessToken: string): Promise<{ gateway: string; jobs: string }> {
  const viaGateway = await platform.gql(ME, {}, { token: accessToken });
  const direct = await platform.service('jobs').gql('{ __typename }', {}, { token: accessToken });
  return { gateway: errorCodeOf(viaGateway) ?? 'ok', jobs: errorCodeOf(direct) ?? 'ok' };
}

const refusedEverywhere = (seen: { gateway: string; jobs: string }) => seen.gateway === 'UNAUTHENTICATED' && seen.jobs === 'UNAUTHENTICATED';

async function expectRefusedWithinSeconds(accessToken: string, what: string): Promise<void> {
  const started = Date.now();
  await waitFor(what, () => answers(accessToken), refusedEverywhere, WITHIN_MS);
  expect(Date.now() - started).toBeLessThan(WITHIN_MS);
  const refused = await platform.gql(ME, {}, { token: accessToken });
  expect(refused.errors?.[0]?.message).toMatch(/revoked/);
}

it("logging out ends that sign-in's access tokens everywhere within seconds; another sign-in keeps working", async () => {
  const account = await platform.register('EMPLOYER');
  const other = await signInAgain(account);
  expect(await answers(account.accessToken)).toEqual({ gateway: 'ok', jobs: 'ok' });

  expect((await platform.ok('mutation($t: String!) { logout(refreshToken: $t) }', { t: account.refreshToken }, account)).logout).toBe(true);
  await expectRefusedWithinSeconds(account.accessToken, 'the logged-out token to be refused');

  expect(await answers(other.accessToken)).toEqual({ gateway: 'ok', jobs: 'ok' });
  expect((await platform.ok(ME, {}, other)).me.id).toBe(account.id);
});

it('a password change ends the other sign-ins, not the one that made it', async () => {
  const account = await platform.register('JOB_SEEKER');
  const other = await signInAgain(account);
  const changed = await platform.ok(
    'mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) }',
    { c: account.password, n: 'a brand new passphrase' },
    account,
  );
  expect(changed.changePassword).toBe(true);

  await expectRefusedWithinSeconds(other.accessToken, "the other sign-in's token to be refused");
  expect(await answers(account.accessToken)).toEqual({ gateway: 'ok', jobs: 'ok' });
});

it('reusing a refresh token ends its whole sign-in, the access token the thief got included', async () => {
  const account = await platform.register('JOB_SEEKER');
  const REFRESH = 'mutation($t: String!) { refreshToken(refreshToken: $t) { accessToken refreshToken } }';
  const rotated = (await platform.ok(REFRESH, { t: account.refreshToken }, {} as Account)).refreshToken as Tokens;
  const reused = await platform.gql(REFRESH, { t: account.refreshToken });
  expect(errorCodeOf(reused)).toBe('UNAUTHENTICATED');

  await expectRefusedWithinSeconds(rotated.accessToken, 'the rotated token of a reused sign-in to be refused');
  await expectRefusedWithinSeconds(account.accessToken, 'the first token of a reused sign-in to be refused');
});

it('deleting the account ends every token it holds, whatever the sign-in', async () => {
  const account = await platform.register('EMPLOYER');
  const other = await signInAgain(account);
  expect((await platform.ok('mutation($p: String!) { deleteMyAccount(password: $p) }', { p: account.password }, account)).deleteMyAccount).toBe(true);

  await expectRefusedWithinSeconds(account.accessToken, "the deleted account's token to be refused");
  await expectRefusedWithinSeconds(other.accessToken, "the deleted account's other token to be refused");
});

it("serves the revocations to the platform's own services only", async () => {
  const users = platform.service('users');
  const url = new URL(TOKEN_REVOCATIONS_PATH, users.service.url);
  const unsigned = await fetch(url);
  expect(unsigned.status).toBe(401);
  expect(await unsigned.text()).not.toMatch(/sessionId/);

  const account = await platform.register('JOB_SEEKER');
  await platform.ok('mutation($t: String!) { logout(refreshToken: $t) }', { t: account.refreshToken }, account);
  const path = `${url.pathname}`;
  const secret = (users.env as { gatewayHopSecret?: string }).gatewayHopSecret!;
  const signed = await fetch(url, {
    headers: { [HOP_SIGNATURE_HEADER]: signHop(secret, { method: 'GET', path, authorization: undefined, requestId: undefined, clientIp: undefined, body: '' }) },
  });
  expect(signed.status).toBe(200);
  const page = (await signed.json()) as { asOf: string; revocations: { userId: string; sessionId: string | null }[] };
  expect(page.revocations).toEqual(expect.arrayContaining([expect.objectContaining({ userId: account.id, sessionId: expect.any(String) })]));
});

it('closes an open WebSocket whose token was revoked with 4403 within seconds, and leaves the other sign-in connected', async () => {
  const account = await platform.register('JOB_SEEKER');
  const other = await signInAgain(account);
  const connect = (accessToken: string) => {
    let onConnected: () => void;
    const connected = new Promise<void>((resolve) => (onConnected = resolve));
    const closed = new Promise<{ code: number; reason: string }>((resolve) => {
      const client = createClient({
        url: platform.gateway.url.replace(/^http/, 'ws'),
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${accessToken}` },
        lazy: false,
        retryAttempts: 0,
        onNonLazyError: () => {},
        on: { connected: () => onConnected(), closed: (event) => resolve(event as { code: number; reason: string }) },
      });
      clients.push(client);
    });
    return { connected, closed };
  };
  const revoked = connect(account.accessToken);
  const kept = connect(other.accessToken);
  let keptClosed = false;
  void kept.closed.then(() => (keptClosed = true));
  await Promise.all([revoked.connected, kept.connected]);

  const loggedOutAt = Date.now();
  await platform.ok('mutation($t: String!) { logout(refreshToken: $t) }', { t: account.refreshToken }, account);
  const event = await revoked.closed;
  expect(Date.now() - loggedOutAt).toBeLessThan(WITHIN_MS);
  expect(event.code).toBe(4403);
  expect(event.reason).toMatch(/revoked/);
  expect(keptClosed).toBe(false);
});
