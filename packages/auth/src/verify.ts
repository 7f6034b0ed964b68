import { createLocalJWKSet, createRemoteJWKSet, errors, jwtVerify, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import { ACCESS_TOKEN_ALGORITHM, TOKEN_AUDIENCE, TOKEN_ISSUER } from './tokens.js';
import type { RevocationList } from './revocations.js';
import { isRole, type Viewer } from './viewer.js';

export class TokenError extends Error {
  override name = 'TokenError';
  constructor(
    message: string,
    readonly reason: 'expired' | 'invalid' | 'revoked',
  ) {
    super(message);
  }
}

export type TokenVerifierOptions = (
  | /** Fetches and caches the users service's published keys. */
    { jwksUrl: string }
    /** Verifies against keys held in memory (the users service itself). */
  | { jwks: JSONWebKeySet }
) & {
  /** Revoked sign-ins and accounts, checked on every call, remembered tokens included. */
  revocations?: RevocationList;
};

export type TokenVerifier = (token: string) => Promise<Viewer>;

/** Verified tokens remembered per process; bounded, and never past a token's own expiry. */
const CACHE_LIMIT = 10_000;
const CACHE_TTL_MS = 60_000;

/**
 * The identity service's published keys, fetched and refreshed by jose (every 10 minutes, and at
 * once for an unknown key id, at most every 30 s). When a refresh fails (the identity service is
 * down or slow) the last key set fetched keeps verifying, so a users outage does not sign everyone
 * out of the rest of the platform; a key id that set does not hold still fails.
 */
export function lastGoodRemoteKeys(url: URL, options: { cacheMaxAgeMs?: number; cooldownMs?: number } = {}): JWTVerifyGetKey {
  const remote = createRemoteJWKSet(url, { cooldownDuration: options.cooldownMs ?? 30_000, cacheMaxAge: options.cacheMaxAgeMs ?? 10 * 60_000 });
  // jose keeps the last key set it fetched when a refresh fails (remote.jwks() returns it), but
  // throws instead of using it. The fallback is built from that set only when a refresh fails, and
  // dropped at the next success, so verifying while users answers costs nothing extra.
  let fallback: JWTVerifyGetKey | undefined;
  return async (header, token) => {
    try {
      const key = await remote(header, token);
      fallback = undefined;
      return key;
    } catch (error) {
      const keyProblem = error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys;
      const lastFetched = keyProblem ? undefined : remote.jwks();
      if (!lastFetched) throw error;
      fallback ??= createLocalJWKSet(lastFetched);
      return fallback(header, token);
    }
  };
}

/**
 * Verifies an access token: signature by a published key, EdDSA only (so `alg: none` and
 * algorithm confusion fail), issuer, audience, expiry, and the claims a Viewer needs.
 */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const keys: JWTVerifyGetKey = 'jwksUrl' in options ? lastGoodRemoteKeys(new URL(options.jwksUrl)) : createLocalJWKSet(options.jwks);
  // Signature checks go through WebCrypto's thread pool, which costs more than the rest of a
  // small request. A client sends the same token many times, and every hop (gateway, then each
  // subgraph) verifies it, so the outcome of a successful check is kept until the token expires.
  const verified = new Map<string, { viewer: Viewer; until: number }>();
  const remember = (token: string, viewer: Viewer, expiresAtSeconds: number) => {
    if (verified.size >= CACHE_LIMIT) verified.delete(verified.keys().next().value!);
    verified.set(token, { viewer, until: Math.min(expiresAtSeconds * 1000, Date.now() + CACHE_TTL_MS) });
  };
  const unlessRevoked = (viewer: Viewer): Viewer => {
    if (options.revocations?.isRevoked(viewer)) throw new TokenError('The access token was revoked (signed out, password changed or account closed); sign in again', 'revoked');
    return viewer;
  };
  return async (token) => {
    const known = verified.get(token);
    if (known) {
      if (known.until > Date.now()) return unlessRevoked(known.viewer);
      verified.delete(token);
    }
    try {
      const { payload } = await jwtVerify(token, keys, {
        algorithms: [ACCESS_TOKEN_ALGORITHM],
        issuer: TOKEN_ISSUER,
        audience: TOKEN_AUDIENCE,
        requiredClaims: ['sub', 'jti', 'exp', 'iat'],
      });
      if (typeof payload.sub !== 'string' || !/^\d+$/.test(payload.sub) || !isRole(payload.role) || typeof payload.jti !== 'string') {
        throw new TokenError('The access token is missing required claims', 'invalid');
      }
      const viewer: Viewer = {
        userId: payload.sub,
        role: payload.role,
        tokenId: payload.jti,
        sessionId: typeof payload.sid === 'string' ? payload.sid : undefined,
        issuedAt: payload.iat!,
        ...(typeof payload.preferred_username === 'string' ? { username: payload.preferred_username } : {}),
      };
      remember(token, viewer, payload.exp!);
      return unlessRevoked(viewer);
    } catch (error) {
      if (error instanceof TokenError) throw error;
      if (error instanceof errors.JWTExpired) throw new TokenError('The access token has expired; refresh it', 'expired');
      throw new TokenError('The access token is invalid', 'invalid');
    }
  };
}
