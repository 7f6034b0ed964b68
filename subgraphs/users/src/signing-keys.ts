import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, SignJWT, type JSONWebKeySet } from 'jose';
import { randomUUID } from 'node:crypto';
import { ACCESS_TOKEN_ALGORITHM, TOKEN_AUDIENCE, TOKEN_ISSUER, type Role } from '@jobplatform/auth';

export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;

export type AccessTokenSigner = {
  sign(user: { id: bigint; role: Role; sessionId: string }): Promise<string>;
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

export async function createAccessTokenSigner(privateKey: KeyObject): Promise<AccessTokenSigner> {
  const publicJwk = await exportJWK(createPublicKey(privateKey));
  const kid = await calculateJwkThumbprint(publicJwk);
  return {
    jwks: { keys: [{ ...publicJwk, kid, alg: ACCESS_TOKEN_ALGORITHM, use: 'sig' }] },
    sign: ({ id, role, sessionId }) =>
      new SignJWT({ role, sid: sessionId })
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
