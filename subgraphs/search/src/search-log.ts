import type { Viewer } from '@jobplatform/auth';
import type { SearchDb } from './db.js';
import type { Prisma } from './generated/prisma/client.js';
import { searchOutbox } from './events.js';
import { analyticsKeyOf } from './search-input.js';

export type SearchKind = 'jobs' | 'companies';

/** One search as it is recorded: the query as typed, the filters given, how many results. */
export type PerformedSearch = { kind: SearchKind; query: string; filters: Record<string, unknown>; resultCount: number };

/**
 * What happens to every search, in one transaction: it counts in search_analytics under its
 * normalised query (a signed-in searcher once more in distinct_users the first time), it is
 * published as search.search.performed.v1 without who made it, and a signed-in user's job search
 * goes into their history.
 */
export async function recordSearch(db: SearchDb, viewer: Viewer | undefined, search: PerformedSearch, now: Date): Promise<void> {
  const key = analyticsKeyOf(search.query);
  await db.$transaction(async (tx) => {
    if (key) {
      const [row] = await tx.$queryRawUnsafe<{ id: bigint }[]>(
        `INSERT INTO search_analytics (kind, query, search_count, distinct_users, last_searched_at, created_at) VALUES ($1, $2, 1, 0, $3, $3)
         ON CONFLICT (kind, query) DO UPDATE SET search_count = search_analytics.search_count + 1, last_searched_at = EXCLUDED.last_searched_at
         RETURNING id`,
        search.kind,
        key,
        now,
      );
      if (viewer && row) {
        const added = await tx.$executeRawUnsafe(
          `INSERT INTO search_analytics_searchers (analytics_id, user_id) VALUES ($1, $2::bigint) ON CONFLICT DO NOTHING`,
          row.id,
          viewer.userId,
        );
        if (added > 0) await tx.$executeRawUnsafe(`UPDATE search_analytics SET distinct_users = distinct_users + 1 WHERE id = $1`, row.id);
      }
    }
    if (viewer && search.kind === 'jobs') {
      await tx.searchHistory.create({
        data: {
          userId: BigInt(viewer.userId),
          query: search.query,
          filters: Object.keys(search.filters).length > 0 ? (search.filters as Prisma.InputJsonValue) : undefined,
          resultsCount: search.resultCount,
          createdAt: now,
        },
      });
    }
    await searchOutbox.record(tx, 'search.search.performed.v1', { kind: search.kind, query: key, resultCount: search.resultCount, searchedAt: now.toISOString() });
  });
}
