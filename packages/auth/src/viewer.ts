export const ROLES = ['job_seeker', 'employer', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** Who is asking, as proven by a verified access token. */
export type Viewer = {
  userId: string;
  role: Role;
  /** The token's jti, for logs and revocation checks. */
  tokenId: string;
  /** The sign-in (refresh-token family) the token was issued for, when it names one. */
  sessionId: string | undefined;
  /** When the token was issued (`iat`, seconds since the epoch): revocations compare it. */
  issuedAt?: number;
  /**
   * The account's handle when the token was issued (`preferred_username`). What users reported
   * since comes first: a service reads it only about an account it has heard nothing of yet.
   */
  username?: string;
};
