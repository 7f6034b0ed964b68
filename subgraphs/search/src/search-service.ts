import { z } from 'zod';
import type { Viewer } from '@jobplatform/auth';
import { decodeCursor, encodeCursor, invalidField, pageSize, toConnection, validateInput, type Connection, type LeanSql, type PageInfo } from '@jobplatform/service-runtime';
import type { SearchDb, SearchHistoryRow } from './db.js';
import { createQueryAdmission } from './query-admission.js';
import { createJobSearch, type JobHit, type FacetCounts, type JobSearchSort, type MatchMode } from './job-search.js';
import type { JobTextIndex } from './job-text-index.js';
import type { SearchLog } from './search-log.js';
import { escapeLike, filterAsGiven, normaliseQuery, parseJobFilter } from './search-input.js';

export type JobSearchArgs = { query?: string | null; filter?: Record<string, unknown> | null; sort?: JobSearchSort | null; first?: number | null; after?: string | null };

/** A page of job results with its total, and its facets when the operation asks for them: one statement (job-search.ts). */
export type JobSearchResult = { edges: JobHit[]; pageInfo: PageInfo; totalCount: number; facets: () => Promise<FacetCounts> };

export type CompanyHit = { id: bigint; name: string; logo: string | null; industry: string | null; location: string | null; score: number };

export type PopularSearchRow = { query: string; searchCount: number; lastSearchedAt: Date };

const once = <T>(load: () => Promise<T>) => {
  let promise: Promise<T> | undefined;
  return () => (promise ??= load());
};

const prefixSchema = z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters');
const limitSchema = (max: number) => z.number().int().min(1, `must be from 1 to ${max}`).max(max, `must be from 1 to ${max}`);

/** Searching jobs and companies, suggestions, popular searches and each user's history. */
export function createSearchService({
  db,
  sql,
  searchLog,
  now,
  popularMinUsers,
  concurrentQueries,
  jobTextIndex,
}: {
  db: SearchDb;
  sql: LeanSql;
  searchLog: SearchLog;
  now: () => Date;
  popularMinUsers: number;
  /** searchJobs statements at once in PostgreSQL (query-admission.ts). */
  concurrentQueries: number;
  /** The open jobs in memory, which answers searchJobs once loaded (job-text-index.ts); without it, PostgreSQL does. */
  jobTextIndex?: JobTextIndex;
}) {
  const admission = createQueryAdmission(concurrentQueries);
  const jobSearch = createJobSearch({ rows: (statement, values, options) => admission.run(() => sql.rows(statement, values, options)) }, jobTextIndex);

  return {
    /**
     * searchJobs. The first page of a search (no `after`) is handed to the search log (analytics, the
     * event, and the signed-in viewer's history, written in its next batch); later pages of the same
     * search are not counted again.
     */
    async searchJobs(viewer: Viewer | undefined, args: JobSearchArgs, options: { withFacets: boolean }): Promise<JobSearchResult> {
      const query = normaliseQuery(args.query);
      const filter = parseJobFilter(args.filter);
      const sort = args.sort ?? 'RELEVANCE';
      const at = now();
      const request = { query, filter, sort, first: args.first, after: args.after };
      const found = await jobSearch.search(request, options, at);
      if (!args.after) searchLog.record(viewer, { kind: 'jobs', query, filters: filterAsGiven(args.filter), resultCount: found.counts.total }, at);
      // Facets not foreseen from the selection (a fragment's field) are read by a statement of their own.
      const facets = once(async () => found.counts.facets ?? (await jobSearch.search(request, { withFacets: true }, at)).counts.facets!);
      return { edges: found.hits, pageInfo: found.pageInfo, totalCount: found.counts.total, facets };
    },

    /** searchCompanies: full-text on name (A), industry (B), location (C) and description (D), or by similar name when misspelt. */
    async searchCompanies(viewer: Viewer | undefined, args: { query: string; first?: number | null; after?: string | null }): Promise<Connection<CompanyHit>> {
      const query = normaliseQuery(args.query);
      if (!query) throw invalidField('query', 'must not be empty');
      const size = pageSize(args.first);
      const cursor = decodeCursor(args.after, ([score, id]) => (score && /^\d+(\.\d+)?$/.test(score) && id && /^\d{1,18}$/.test(id) ? { score, id: BigInt(id) } : undefined));
      const score = `round(greatest(ts_rank(j.search_vector, websearch_to_tsquery('search_english', $1)), word_similarity(search_fold($1), search_fold(j.title)))::numeric, 6)`;
      const match = `j.entity_type = 'company' AND (j.search_vector @@ websearch_to_tsquery('search_english', $1) OR search_fold($1) <% search_fold(j.title))`;
      const rows = await db.$queryRawUnsafe<(CompanyHit & { scoreKey: string })[]>(
        `SELECT j.entity_id AS id, j.title AS name, j.metadata->>'logo' AS logo, j.metadata->>'industry' AS industry, j.location, ${score}::float8 AS score, ${score}::text AS "scoreKey"
         FROM search_indexes j WHERE ${match} ${cursor ? `AND (${score}, j.entity_id) < ($3::numeric, $4::bigint)` : ''}
         ORDER BY ${score} DESC, j.entity_id DESC LIMIT $2`,
        query,
        size + 1,
        ...(cursor ? [cursor.score, cursor.id] : []),
      );
      const totalCount = once(async () => (await db.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM search_indexes j WHERE ${match}`, query))[0]!.n);
      if (!args.after) searchLog.record(viewer, { kind: 'companies', query, filters: {}, resultCount: await totalCount() }, now());
      return toConnection(rows, size, (row) => encodeCursor([row.scoreKey, row.id.toString()]), totalCount);
    },

    /**
     * Completions of a prefix: open jobs' titles (most frequent first), skills and popular queries
     * that start with it (or have a word that does); when those are too few, titles and skills that
     * resemble it (trigram similarity), for a misspelt prefix.
     */
    async suggestions(args: { prefix: string; limit?: number | null }): Promise<string[]> {
      const prefix = validateInput(prefixSchema, args.prefix, 'prefix').toLowerCase();
      const limit = validateInput(limitSchema(20), args.limit ?? 10, 'limit');
      const rows = await db.$queryRawUnsafe<{ suggestion: string }[]>(
        `WITH p AS (SELECT search_fold($1) AS plain, search_fold($2) AS escaped)
         (SELECT title AS suggestion FROM search_indexes, p WHERE entity_type = 'job' AND is_active
            AND (search_fold(title) LIKE p.escaped || '%' OR search_fold(title) LIKE '% ' || p.escaped || '%')
            GROUP BY title ORDER BY count(*) DESC, title LIMIT $3)
         UNION ALL (SELECT name FROM search_skills, p WHERE search_fold(name) LIKE p.escaped || '%' ORDER BY name LIMIT $3)
         UNION ALL (SELECT query FROM search_analytics, p WHERE kind = 'jobs' AND distinct_users >= $4 AND query LIKE p.escaped || '%' ORDER BY search_count DESC LIMIT $3)`,
        prefix,
        escapeLike(prefix),
        limit,
        popularMinUsers,
      );
      let found = rows.map((row) => row.suggestion);
      if (new Set(found.map((s) => s.toLowerCase())).size < limit && prefix.length >= 3) {
        const similar = await db.$queryRawUnsafe<{ suggestion: string }[]>(
          `(SELECT title AS suggestion, max(word_similarity(search_fold($1), search_fold(title))) AS sim FROM search_indexes
              WHERE entity_type = 'job' AND is_active AND search_fold($1) <% search_fold(title) GROUP BY title ORDER BY sim DESC, title LIMIT $2)
           UNION ALL (SELECT name, word_similarity(search_fold($1), search_fold(name)) FROM search_skills WHERE search_fold($1) <% search_fold(name) ORDER BY 2 DESC LIMIT $2)
           ORDER BY sim DESC`,
          prefix,
          limit,
        );
        found = [...found, ...similar.map((row) => row.suggestion)];
      }
      const seen = new Set<string>();
      return found.filter((s) => !seen.has(s.toLowerCase()) && seen.add(s.toLowerCase())).slice(0, limit);
    },

    /** Queries at least popularMinUsers different signed-in users searched, most searched first (this process's held searches written first). */
    async popular(args: { limit?: number | null }): Promise<PopularSearchRow[]> {
      const limit = validateInput(limitSchema(50), args.limit ?? 10, 'limit');
      await searchLog.flush();
      const rows = await db.searchAnalytics.findMany({
        where: { kind: 'jobs', distinctUsers: { gte: popularMinUsers }, query: { not: '' } },
        orderBy: [{ searchCount: 'desc' }, { query: 'asc' }],
        take: limit,
      });
      return rows.map((row) => ({ query: row.query, searchCount: row.searchCount, lastSearchedAt: row.lastSearchedAt }));
    },

    /** A user's history, newest first, for that user alone: null for anyone else, admins too (searches are private). */
    async history(viewer: Viewer | undefined, userId: string, args: { first?: number | null; after?: string | null }): Promise<Connection<SearchHistoryRow> | null> {
      if (!viewer || viewer.userId !== userId) return null;
      // The owner sees the searches they just made: this process's log writes what it holds first.
      await searchLog.flush();
      const size = pageSize(args.first);
      const afterId = decodeCursor(args.after, ([id]) => (id && /^\d{1,18}$/.test(id) ? BigInt(id) : undefined));
      const rows = await db.searchHistory.findMany({
        where: { userId: BigInt(userId), ...(afterId !== undefined ? { id: { lt: afterId } } : {}) },
        orderBy: { id: 'desc' },
        take: size + 1,
      });
      return toConnection(
        rows,
        size,
        (row) => encodeCursor([row.id.toString()]),
        async () => db.searchHistory.count({ where: { userId: BigInt(userId) } }),
      );
    },

    /** Deletes the viewer's history; how many searches it held. */
    async clearHistory(viewer: Viewer): Promise<number> {
      const { count } = await db.searchHistory.deleteMany({ where: { userId: BigInt(viewer.userId) } });
      return count;
    },
  };
}

export type SearchService = ReturnType<typeof createSearchService>;
export type { MatchMode };
