import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, SignJWT, type JSONWebKeySet } from 'jose';
import { randomUUID } from 'node:crypto';
import { ACCESS_TOKEN_ALGORITHM, TOKEN_AUDIENCE, TOKEN_ISSUER, type Role } from '@jobplatform/auth';

export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;

export type AccessTokenSigner = {
  /** `username` goes in as `preferred_username` (OpenID Connect's claim for the handle). */
  sign(user: { id: bigint; role: Role; sessionId: string; username: string }): Promise<string>;
  /** The public half, served at /.well-known/jwks.json. */
  jwks: JSONWebKeySet;
};

/** Loads the Ed25519 signing key, or makes a throw-away one (development and tests only). */
export function loadSigningKey(pem: string | undefined): { privateKey: KeyObject; generated: boolean } {
  if (pem) {
    const privateKey = createPrivateKey(pem.replace(/\\n/g, '\n'));
    if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error('JWT_PRIVATE_KEY must be an Ed25519 private key (PKCS#8 PEM)');
    return { privateKey, generated: false };
  }
  return { privateKey: generateKeyPairSync('ed25519').privateKey, generated: true };
}

/** A retired key's public half (JWT_PREVIOUS_PUBLIC_KEY, SPKI PEM), published until the tokens it signed have expired. */
export function loadPreviousPublicKey(pem: string | undefined): KeyObject | undefined {
  if (!pem) return undefined;
  const publicKey = createPublicKey(pem.replace(/\\n/g, '\n'));
  if (publicKey.asymmetricKeyType !== 'ed25519') throw new Error('JWT_PREVIOUS_PUBLIC_KEY must be an Ed25519 public key (SPKI PEM)');
  return publicKey;
}

async function publishedKey(publicKey: KeyObject) {
  const jwk = await exportJWK(publicKey);
  return { ...jwk, kid: await calculateJwkThumbprint(jwk), alg: ACCESS_TOKEN_ALGORITHM, use: 'sig' };
}

/**
 * Signs access tokens with the current key. The key set it publishes holds the current key and,
 * during a rotation, the previous one: tokens that key signed keep verifying until they expire
 * (15 minutes), after which JWT_PREVIOUS_PUBLIC_KEY can be removed.
 */
export async function createAccessTokenSigner(privateKey: KeyObject, previousPublicKey?: KeyObject): Promise<AccessTokenSigner> {
  const current = await publishedKey(createPublicKey(privateKey));
  const kid = current.kid;
  const previous = previousPublicKey ? await publishedKey(previousPublicKey) : undefined;
  return {
    jwks: { keys: previous && previous.kid !== kid ? [current, previous] : [current] },
    sign: ({ id, role, sessionId, username }) =>
      new SignJWT({ role, sid: sessionId, preferred_username: username })
        .setProtectedHeader({ alg: ACCESS_TOKEN_ALGORITHM, kid, typ: 'JWT' })
        .setSubject(id.toString())
        .setIssuer(TOKEN_ISSUER)
        .setAudience(TOKEN_AUDIENCE)
        .setJti(randomUUID())
        .setIssuedAt()
        .setExpirationTime(`${ACCESS_TOKEN_TTL_SECONDS}s`)
        .sign(privateKey),
  };
}
