import { ACCESS_TOKEN_MAX_AGE_MS, createRevocationList, type RevocationList, type TokenRevocation } from '@jobplatform/auth';
import type { Logger } from '@jobplatform/config';
import { HOP_SIGNATURE_HEADER, signHop } from './gateway-hop.js';

/** The path the identity service serves its recent token revocations at. */
export const TOKEN_REVOCATIONS_PATH = '/internal/token-revocations';

/** One answer of the revocation source: the revocations recorded after `since`, and the source's clock. */
export type RevocationPage = { asOf: string; revocations: TokenRevocation[] };

/** Reads the revocations recorded after `since` (all that still matter when undefined). */
export type RevocationSource = (since: string | undefined) => Promise<RevocationPage>;

/**
 * The identity service's revocations over HTTP (GET TOKEN_REVOCATIONS_PATH?since=…), signed with
 * the gateway hop secret as the gateway signs its calls: the list names accounts and sign-ins, so
 * the identity service answers only callers that hold the secret (where one is set).
 */
export function httpRevocationSource(url: string, hopSecret: string | undefined, timeoutMs = 2_000): RevocationSource {
  return async (since) => {
    const target = new URL(url);
    if (since) target.searchParams.set('since', since);
    const path = `${target.pathname}${target.search}`;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (hopSecret) headers[HOP_SIGNATURE_HEADER] = signHop(hopSecret, { method: 'GET', path, authorization: undefined, requestId: undefined, clientIp: undefined, body: '' });
    const response = await fetch(target, { headers, signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) throw new Error(`${target.origin}${target.pathname} answered ${response.status}`);
    return (await response.json()) as RevocationPage;
  };
}

/** The revocations URL beside a JWKS URL: both are the identity service's. */
export const revocationsUrlBeside = (jwksUrl: string) => new URL(TOKEN_REVOCATIONS_PATH, jwksUrl).toString();

/**
 * How far back each read reaches before the previous answer's clock: a revocation's row gets its
 * time when its transaction starts and is seen when it commits, so a read may miss one that
 * commits just after; the next read, reaching back this far, finds it.
 */
const OVERLAP_MS = 30_000;

export type RevocationFeed = {
  list: RevocationList;
  /** Whether a read has succeeded yet. */
  isCaughtUp(): boolean;
  stop(): void;
};

/**
 * Keeps a revocation list up to date by reading the source every `intervalMs` (a revocation takes
 * effect at every verifier within about that long). The first read fetches every revocation that
 * still matters; a failed read is logged and tried again at the next tick, and what was read
 * before still applies. While the identity service is unreachable no new revocation can be made
 * there either, except by a replica this verifier cannot reach.
 *
 * Until its first read succeeds, a feed logs its failures at debug level for `startGraceMs`: the
 * platform's services start together, and the identity service may answer a few seconds after
 * the others. Past that, and after any read has succeeded, a failure is a warning (once a minute
 * at most).
 */
export function startRevocationFeed(options: { source: RevocationSource; intervalMs?: number; logger: Logger; list?: RevocationList; startGraceMs?: number }): RevocationFeed {
  const list = options.list ?? createRevocationList();
  const intervalMs = options.intervalMs ?? 1_000;
  const startGraceMs = options.startGraceMs ?? 30_000;
  const startedAt = Date.now();
  let since: string | undefined;
  let caughtUp = false;
  let warned = false;
  let lastWarning = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const read = async () => {
    try {
      const page = await options.source(since);
      list.add(page.revocations);
      const asOf = Date.parse(page.asOf);
      if (!Number.isNaN(asOf)) since = new Date(asOf - OVERLAP_MS).toISOString();
      if (warned) options.logger.info('token revocations can be read again');
      caughtUp = true;
      warned = false;
    } catch (error) {
      if (!caughtUp && Date.now() - startedAt < startGraceMs) {
        options.logger.debug({ err: error }, 'cannot read token revocations yet; the identity service may still be starting');
        return;
      }
      // Once a minute at most: the identity service may be down for a while.
      if (Date.now() - lastWarning > 60_000) {
        warned = true;
        lastWarning = Date.now();
        options.logger.warn({ err: error }, 'cannot read token revocations; those read before still apply');
      }
    }
  };
  const tick = async () => {
    await read();
    if (!stopped) timer = setTimeout(() => void tick(), intervalMs).unref();
  };
  void tick();
  return {
    list,
    isCaughtUp: () => caughtUp,
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}

/** The oldest revocation that still matters at `now`: older ones name only tokens that have expired. */
export const oldestRelevantRevocation = (now: Date) => new Date(now.getTime() - ACCESS_TOKEN_MAX_AGE_MS - 60_000);
