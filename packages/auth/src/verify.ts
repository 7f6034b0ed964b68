import { createLocalJWKSet, createRemoteJWKSet, errors, jwtVerify, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import { ACCESS_TOKEN_ALGORITHM, TOKEN_AUDIENCE, TOKEN_ISSUER } from './tokens.js';
import { isRole, type Viewer } from './viewer.js';

export class TokenError extends Error {
  override name = 'TokenError';
  constructor(
    message: string,
    readonly reason: 'expired' | 'invalid',
  ) {
    super(message);
  }
}

export type TokenVerifierOptions =
  /** Fetches and caches the users service's published keys. */
  | { jwksUrl: string }
  /** Verifies against keys held in memory (the users service itself). */
  | { jwks: JSONWebKeySet };

export type TokenVerifier = (token: string) => Promise<Viewer>;

/**
 * Verifies an access token: signature by a published key, EdDSA only (so `alg: none` and
 * algorithm confusion fail), issuer, audience, expiry, and the claims a Viewer needs.
 */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const keys: JWTVerifyGetKey =
    'jwksUrl' in options
      ? createRemoteJWKSet(new URL(options.jwksUrl), { cooldownDuration: 30_000, cacheMaxAge: 10 * 60_000 })
      : createLocalJWKSet(options.jwks);
  return async (token) => {
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
      return { userId: payload.sub, role: payload.role, tokenId: payload.jti, sessionId: typeof payload.sid === 'string' ? payload.sid : undefined };
    } catch (error) {
      if (error instanceof TokenError) throw error;
      if (error instanceof errors.JWTExpired) throw new TokenError('The access token has expired; refresh it', 'expired');
      throw new TokenError('The access token is invalid', 'invalid');
    }
  };
}
