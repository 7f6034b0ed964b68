/** Access tokens are EdDSA (Ed25519) JWTs signed only by the users service. */
export const ACCESS_TOKEN_ALGORITHM = 'EdDSA';
export const TOKEN_ISSUER = 'jobplatform-users';
export const TOKEN_AUDIENCE = 'jobplatform';

/** The token of an `Authorization: Bearer <token>` header, or undefined when there is none. */
export function bearerToken(header: string | undefined | null): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}
