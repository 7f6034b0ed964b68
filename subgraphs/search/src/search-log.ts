import type { Viewer } from '@jobplatform/auth';
import type { Logger } from '@jobplatform/config';
import type { LeanSql, LeanTx } from '@jobplatform/service-runtime';
import { searchOutbox } from './events.js';
import { analyticsKeyOf } from './search-input.js';

export type SearchKind = 'jobs' | 'companies';

/** One search as it is recorded: the query as typed, the filters given, how many results. */
export type PerformedSearch = { kind: SearchKind; query: string; filters: Record<string, unknown>; resultCount: number };

/** A search accepted for the log: who made it (a signed-in user, or no one) and when. */
type LoggedSearch = PerformedSearch & { userId: string | undefined; at: Date };

/** Searches written by one transaction at the most; more wait for the next (each is one row of a statement per table). */
const BATCH_LIMIT = 1_000;
/** Searches held while the database refuses the writes; beyond this the oldest are dropped, and the log says how many. */
const BUFFER_LIMIT = 50_000;

export type SearchLog = {
  /** Accepts a search: it is written with the next batch, within flushIntervalMs. */
  record(viewer: Viewer | undefined, search: PerformedSearch, at: Date): void;
  /** Writes every search accepted so far; resolves once they are committed (or their write failed and they wait for the next). */
  flush(): Promise<void>;
  /** Writes what is still held (the service stops: HTTP has closed, so nothing more arrives); the timer stops. */
  stop(): Promise<void>;
};

/**
 * What happens to every search, off the request's path: the request hands the search to this log,
 * which writes the searches of the last flushIntervalMs together in one transaction. Each counts in
 * search_analytics under its normalised query (a signed-in searcher once more in distinct_users the
 * first time), is published as search.search.performed.v1 without who made it, and a signed-in
 * user's job search goes into their history. The service's shutdown stops the log after HTTP has
 * closed, so every accepted search is written before the pool closes; a failed write keeps its
 * searches for the next.
 */
export function createSearchLog({ sql, logger, flushIntervalMs }: { sql: LeanSql; logger: Logger; flushIntervalMs: number }): SearchLog {
  let held: LoggedSearch[] = [];
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();

  const schedule = () => {
    timer ??= setTimeout(() => {
      timer = undefined;
      void flush();
    }, flushIntervalMs);
  };

  /** Writes the held searches in batches, one after another; a failed batch goes back to the front and is tried again later. */
  async function writeHeld(): Promise<void> {
    while (held.length > 0) {
      const batch = held.slice(0, BATCH_LIMIT);
      held = held.slice(batch.length);
      try {
        await sql.transaction((tx) => writeSearches(tx, batch));
      } catch (error) {
        held = [...batch, ...held];
        logger.error({ err: error, searches: held.length }, 'search log: writing searches failed; they are kept and tried again');
        schedule();
        return;
      }
    }
  }

  function flush(): Promise<void> {
    if (timer) {
      clearTimeout(timer);
      timer = undefined;
    }
    writing = writing.then(writeHeld);
    return writing;
  }

  return {
    record(viewer, search, at) {
      held.push({ ...search, userId: viewer?.userId, at });
      if (held.length > BUFFER_LIMIT) {
        const dropped = held.splice(0, held.length - BUFFER_LIMIT);
        logger.error({ dropped: dropped.length }, 'search log: too many searches held while writes fail; the oldest were dropped');
      }
      schedule();
    },
    flush,
    async stop() {
      await flush();
      if (timer) clearTimeout(timer);
      timer = undefined;
      if (held.length > 0) logger.error({ searches: held.length }, 'search log: searches not written at shutdown');
    },
  };
}

/**
 * One batch of searches in one transaction, a statement per concern: the counts (and the
 * searchers' marks, whose first appearance adds to distinct_users) with the history, then the
 * events.
 */
async function writeSearches(tx: LeanTx, searches: LoggedSearch[]): Promise<void> {
  const keyed = searches.map((search) => ({ ...search, key: analyticsKeyOf(search.query) }));
  const counted = keyed.filter((search) => search.key);
  const history = searches.filter((search) => search.userId !== undefined && search.kind === 'jobs');
  // The counts and the history, in one statement: each query's row once, however often the batch holds it.
  await tx.query(
    `WITH counted AS (
       INSERT INTO search_analytics (kind, query, search_count, distinct_users, last_searched_at, created_at)
       SELECT kind, query, count(*)::int, 0, max(at), min(at)
       FROM unnest($1::text[], $2::text[], $3::timestamptz[]) AS s(kind, query, at) GROUP BY kind, query
       -- In key order, so that concurrent batches (replicas) lock the rows they share in the same order.
       ORDER BY kind, query
       ON CONFLICT (kind, query) DO UPDATE SET search_count = search_analytics.search_count + EXCLUDED.search_count,
         last_searched_at = greatest(search_analytics.last_searched_at, EXCLUDED.last_searched_at)
       RETURNING 1
     )
     INSERT INTO search_history (user_id, query, filters, results_count, created_at)
     SELECT user_id, query, filters, results_count, created_at
     FROM unnest($4::bigint[], $5::text[], $6::jsonb[], $7::int[], $8::timestamptz[]) WITH ORDINALITY AS h(user_id, query, filters, results_count, created_at, n)
     ORDER BY n`,
    [
      counted.map((search) => search.kind),
      counted.map((search) => search.key),
      counted.map((search) => search.at),
      history.map((search) => search.userId),
      history.map((search) => search.query),
      history.map((search) => (Object.keys(search.filters).length > 0 ? JSON.stringify(search.filters) : null)),
      history.map((search) => search.resultCount),
      history.map((search) => search.at),
    ],
  );
  // A signed-in searcher counts once per query: a new mark adds one to distinct_users (rows the statement above wrote, so a statement of its own).
  const searchers = counted.filter((search) => search.userId !== undefined);
  if (searchers.length > 0) {
    await tx.query(
      `WITH marked AS (
         INSERT INTO search_analytics_searchers (analytics_id, user_id)
         SELECT DISTINCT a.id, s.user_id FROM unnest($1::text[], $2::text[], $3::bigint[]) AS s(kind, query, user_id)
         JOIN search_analytics a ON a.kind = s.kind AND a.query = s.query
         ON CONFLICT DO NOTHING RETURNING analytics_id
       )
       UPDATE search_analytics a SET distinct_users = a.distinct_users + m.n
       FROM (SELECT analytics_id, count(*)::int AS n FROM marked GROUP BY analytics_id) m WHERE a.id = m.analytics_id`,
      [searchers.map((search) => search.kind), searchers.map((search) => search.key), searchers.map((search) => search.userId)],
    );
  }
  await searchOutbox.recordMany(
    tx,
    keyed.map((search) => ({
      subject: 'search.search.performed.v1' as const,
      data: { kind: search.kind, query: search.key, resultCount: search.resultCount, searchedAt: search.at.toISOString() },
    })),
  );
}
