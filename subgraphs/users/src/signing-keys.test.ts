import { generateKeyPairSync } from 'node:crypto';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { createAccessTokenSigner, loadPreviousPublicKey } from './signing-keys.js';

describe('signing-key rotation', () => {
  it('publishes the previous public key beside the current one, so the tokens it signed verify until they expire', async () => {
    const previous = generateKeyPairSync('ed25519');
    const current = generateKeyPairSync('ed25519');
    const before = await createAccessTokenSigner(previous.privateKey);
    const oldToken = await before.sign({ id: 7n, role: 'employer', sessionId: 'family-1', username: 'ada' });

    const pem = previous.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const after = await createAccessTokenSigner(current.privateKey, loadPreviousPublicKey(pem));
    expect(after.jwks.keys).toHaveLength(2);
    const published = createLocalJWKSet(after.jwks);
    const newToken = await after.sign({ id: 7n, role: 'employer', sessionId: 'family-2', username: 'ada' });
    expect((await jwtVerify(oldToken, published)).payload.sid).toBe('family-1');
    expect((await jwtVerify(newToken, published)).payload).toMatchObject({ sid: 'family-2', sub: '7', role: 'employer', preferred_username: 'ada' });

    // Without the previous key, the old token no longer verifies.
    const alone = await createAccessTokenSigner(current.privateKey);
    await expect(jwtVerify(oldToken, createLocalJWKSet(alone.jwks))).rejects.toThrow();
  });

  it('refuses a previous key that is not Ed25519', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    expect(() => loadPreviousPublicKey(rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString())).toThrow(/Ed25519/);
  });
});
