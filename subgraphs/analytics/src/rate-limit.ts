import { AppError } from '@jobplatform/service-runtime';

export type RateLimits = { perSession: number; perAddress: number; windowMs: number };

/**
 * Fixed-window counters of events per session and per client address, in this process. Each
 * replica counts what reaches it, so the platform-wide limit is the limit times the replicas behind
 * the gateway: enough to stop a runaway client without a database round trip on the hot path.
 * Counters live for one window, so memory holds only the sessions and addresses of the last minute.
 */
export function createRateLimiter(limits: RateLimits, now: () => Date) {
  let windowStart = 0;
  let sessions = new Map<string, number>();
  let addresses = new Map<string, number>();

  const roll = (at: number) => {
    const start = at - (at % limits.windowMs);
    if (start !== windowStart) {
      windowStart = start;
      sessions = new Map();
      addresses = new Map();
    }
  };

  return {
    /**
     * Counts `count` events of each session (and all of them for the address), or refuses the whole
     * call with TOO_MANY_REQUESTS and counts nothing when any would go over its limit.
     */
    take(sessionCounts: ReadonlyMap<string, number>, address: string | undefined): void {
      const at = now().getTime();
      roll(at);
      const retryAfterSeconds = Math.max(1, Math.ceil((windowStart + limits.windowMs - at) / 1000));
      const total = [...sessionCounts.values()].reduce((sum, count) => sum + count, 0);
      if (address !== undefined && (addresses.get(address) ?? 0) + total > limits.perAddress) {
        throw new AppError('TOO_MANY_REQUESTS', `Too many events from this address. Try again in ${retryAfterSeconds} seconds.`, { retryAfterSeconds });
      }
      for (const [session, count] of sessionCounts) {
        if ((sessions.get(session) ?? 0) + count > limits.perSession) {
          throw new AppError('TOO_MANY_REQUESTS', `Too many events from this session. Try again in ${retryAfterSeconds} seconds.`, { retryAfterSeconds });
        }
      }
      if (address !== undefined) addresses.set(address, (addresses.get(address) ?? 0) + total);
      for (const [session, count] of sessionCounts) sessions.set(session, (sessions.get(session) ?? 0) + count);
    },
  };
}

export type RateLimiter = ReturnType<typeof createRateLimiter>;
