/**
 * Access tokens that stop working before they expire. The users service records a revocation for
 * each sign-in that ends (logout, a reused refresh token, the other sign-ins at a password change,
 * all of them at a password reset) and one for the whole account when it is deleted; every
 * verifier holds the recent ones in memory and refuses the tokens they name. An entry is kept only
 * as long as a token it names could still be valid (ACCESS_TOKEN_MAX_AGE_MS), so the list stays small.
 */
export type TokenRevocation = {
  /** Unique per revocation: the feed may deliver one twice. */
  id: string;
  /** The sign-in (refresh-token family, the token's `sid`) whose tokens all end: a revoked family issues no more. */
  sessionId: string | null;
  /** The account whose tokens issued before notBefore end, when the revocation names no sign-in. */
  userId: string | null;
  /** For an account-wide revocation: tokens issued (`iat`, whole seconds) before this instant, RFC 3339, end. */
  notBefore: string;
};

/** The longest an access token lives (15 minutes), and so the longest a revocation matters, plus clock skew. */
export const ACCESS_TOKEN_MAX_AGE_MS = 15 * 60_000;
const KEEP_MS = ACCESS_TOKEN_MAX_AGE_MS + 2 * 60_000;

/** What a revocation check needs of a verified token. */
export type RevocableToken = { userId: string; sessionId: string | undefined; issuedAt?: number | undefined };

export type RevocationList = {
  /** Adds revocations (again: a known id changes nothing). */
  add(revocations: readonly TokenRevocation[]): void;
  /** Whether a verified token was revoked. A token without `iat` counts as issued at the epoch. */
  isRevoked(token: RevocableToken): boolean;
  size(): number;
};

type Entry = { notBefore: number; addedAt: number };

export function createRevocationList(options: { now?: () => number } = {}): RevocationList {
  const now = options.now ?? Date.now;
  const seen = new Map<string, number>();
  const bySession = new Map<string, number>();
  const byUser = new Map<string, Entry[]>();
  let lastPrune = 0;

  const prune = () => {
    const at = now();
    if (at - lastPrune < 10_000) return;
    lastPrune = at;
    const cutoff = at - KEEP_MS;
    for (const [id, addedAt] of seen) if (addedAt < cutoff) seen.delete(id);
    for (const [key, addedAt] of bySession) if (addedAt < cutoff) bySession.delete(key);
    for (const [key, entries] of byUser) {
      const kept = entries.filter((entry) => entry.addedAt >= cutoff);
      if (kept.length === 0) byUser.delete(key);
      else byUser.set(key, kept);
    }
  };

  return {
    add(revocations) {
      prune();
      const addedAt = now();
      for (const revocation of revocations) {
        if (seen.has(revocation.id)) continue;
        const notBefore = Date.parse(revocation.notBefore);
        if (Number.isNaN(notBefore)) continue;
        seen.set(revocation.id, addedAt);
        if (revocation.sessionId) bySession.set(revocation.sessionId, addedAt);
        else if (revocation.userId) byUser.set(revocation.userId, [...(byUser.get(revocation.userId) ?? []), { notBefore, addedAt }]);
      }
    },
    isRevoked(token) {
      prune();
      if (token.sessionId && bySession.has(token.sessionId)) return true;
      // iat counts whole seconds: a token from the revocation's own second counts as issued before
      // it. Account-wide revocations are for deleted accounts, which get no new tokens.
      const issuedAtMs = (token.issuedAt ?? 0) * 1000;
      return (byUser.get(token.userId) ?? []).some((entry) => issuedAtMs < entry.notBefore);
    },
    size: () => seen.size,
  };
}
