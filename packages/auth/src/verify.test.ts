import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { exportJWK, SignJWT } from 'jose';
import { createRevocationList } from './revocations.js';
import { createTokenVerifier, lastGoodRemoteKeys, TokenError } from './verify.js';

let privateKey: KeyObject;
let verify: ReturnType<typeof createTokenVerifier>;

beforeAll(async () => {
  const pair = generateKeyPairSync('ed25519');
  privateKey = pair.privateKey;
  verify = createTokenVerifier({ jwks: { keys: [{ ...(await exportJWK(pair.publicKey)), alg: 'EdDSA', kid: 'k1' }] } });
});

const token = (claims: Record<string, unknown> = {}, exp: number | string = '5m', key: KeyObject = privateKey) =>
  new SignJWT({ sub: '42', iss: 'jobplatform-users', aud: 'jobplatform', jti: 'jti-1', role: 'employer', sid: 'family-1', ...claims })
    .setProtectedHeader({ alg: 'EdDSA', kid: 'k1' })
    .setIssuedAt()
    .setExpirationTime(exp)
    .sign(key);

it('returns the viewer of a valid token', async () => {
  await expect(verify(await token())).resolves.toEqual({ userId: '42', role: 'employer', tokenId: 'jti-1', sessionId: 'family-1', issuedAt: expect.any(Number) });
});

it("takes the account's handle from preferred_username when the token carries one", async () => {
  await expect(verify(await token({ jti: 'jti-handle', preferred_username: 'ada' }))).resolves.toMatchObject({ userId: '42', username: 'ada' });
  expect(await verify(await token({ jti: 'jti-no-handle' }))).not.toHaveProperty('username');
  expect(await verify(await token({ jti: 'jti-odd-handle', preferred_username: 7 }))).not.toHaveProperty('username');
});

it.each([
  ['another issuer', { iss: 'someone-else' }],
  ['another audience', { aud: 'other-app' }],
  ['an unknown role', { role: 'superuser' }],
  ['a non-numeric subject', { sub: 'admin' }],
])('refuses a token with %s', async (_label, claims) => {
  await expect(verify(await token(claims))).rejects.toMatchObject({ name: 'TokenError', reason: 'invalid' });
});

it('refuses a token signed by another key', async () => {
  await expect(verify(await token({}, '5m', generateKeyPairSync('ed25519').privateKey))).rejects.toBeInstanceOf(TokenError);
});

it('says when a token has expired', async () => {
  await expect(verify(await token({}, Math.floor(Date.now() / 1000) - 10))).rejects.toMatchObject({ reason: 'expired' });
});

it('does not serve a remembered token past its expiry', async () => {
  // At least a whole second of validity (expiry is in whole seconds): with one second ahead, the
  // token could expire between signing and the first check when the test began late in a second.
  const expiresAt = Math.floor(Date.now() / 1000) + 2;
  const shortLived = await token({}, expiresAt);
  await expect(verify(shortLived)).resolves.toMatchObject({ userId: '42' });
  await expect(verify(shortLived)).resolves.toMatchObject({ userId: '42' });
  await new Promise((r) => setTimeout(r, expiresAt * 1000 - Date.now() + 100));
  await expect(verify(shortLived)).rejects.toMatchObject({ reason: 'expired' });
});

it('refuses a token it verified before once its sign-in is revoked, and tokens of other sign-ins still pass', async () => {
  const revocations = createRevocationList();
  const pair = generateKeyPairSync('ed25519');
  const checking = createTokenVerifier({ jwks: { keys: [{ ...(await exportJWK(pair.publicKey)), alg: 'EdDSA', kid: 'k1' }] }, revocations });
  const mine = await token({}, '5m', pair.privateKey);
  const theirs = await token({ sid: 'family-2' }, '5m', pair.privateKey);
  await expect(checking(mine)).resolves.toMatchObject({ sessionId: 'family-1' });
  revocations.add([{ id: '1', sessionId: 'family-1', userId: '42', notBefore: new Date().toISOString() }]);
  await expect(checking(mine)).rejects.toMatchObject({ name: 'TokenError', reason: 'revoked' });
  await expect(checking(theirs)).resolves.toMatchObject({ sessionId: 'family-2' });
});

describe('keys fetched from the identity service', () => {
  it('keep verifying with the last key set fetched while the identity service is down, and still refuse an unknown key', async () => {
    const { createServer } = await import('node:http');
    const { jwtVerify } = await import('jose');
    const pair = generateKeyPairSync('ed25519');
    const jwks = { keys: [{ ...(await exportJWK(pair.publicKey)), alg: 'EdDSA', kid: 'k1' }] };
    const server = createServer((_req, res) => res.setHeader('content-type', 'application/json').end(JSON.stringify(jwks)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const keys = lastGoodRemoteKeys(new URL(`http://127.0.0.1:${port}/.well-known/jwks.json`), { cacheMaxAgeMs: 50, cooldownMs: 0 });
    const check = async (jwt: string) => (await jwtVerify(jwt, keys, { algorithms: ['EdDSA'] })).payload.sub;

    expect(await check(await token({}, '5m', pair.privateKey))).toBe('42');
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await new Promise((resolve) => setTimeout(resolve, 100)); // the set is stale now: jose would fetch it again
    expect(await check(await token({}, '5m', pair.privateKey))).toBe('42');
    await expect(check(await token({}, '5m', generateKeyPairSync('ed25519').privateKey))).rejects.toThrow();
  });
});
