import { z } from 'zod';
import type { Viewer } from '@jobplatform/auth';
import { AppError, parseId, requireId, validateInput } from '@jobplatform/service-runtime';
import type { SavedSearchRow, SearchDb, SqlRunner } from './db.js';
import { searchOutbox } from './events.js';
import { filterAsGiven, jobSearchFilterSchema, normaliseQuery, parseJobFilter } from './search-input.js';

/** Saves of one user queue on a lock: a burst of them gets the time to pass one by one. */
const saveTransaction = { maxWait: 10_000, timeout: 15_000 };

/** INSTANT alerts written to the outbox by one statement (nine parameters each, of PostgreSQL's 65,535). */
const ALERTS_PER_STATEMENT = 1_000;

/** How many saved searches one user may keep. */
export const MAX_SAVED_SEARCHES_PER_USER = 50;

export type AlertFrequency = 'INSTANT' | 'DAILY' | 'WEEKLY' | 'NEVER';

const saveSearchSchema = z.object({
  name: z.string().trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters'),
  query: z.string().nullish(),
  filters: jobSearchFilterSchema.nullish(),
  alertFrequency: z.enum(['INSTANT', 'DAILY', 'WEEKLY', 'NEVER']).nullish(),
});

export type SaveSearchInput = { name: string; query?: string | null; filters?: Record<string, unknown> | null; alertFrequency?: AlertFrequency | null };

/**
 * Saved searches: kept compiled (the query as a tsquery, the filters as columns, and the keys a
 * trigger derives from them), so that a new job is tested only against those whose keys it has;
 * INSTANT matches are announced in the transaction that indexed the job, DAILY and
 * WEEKLY ones wait for the digest scheduler (saved-search-digests.ts).
 */
export function createSavedSearches({ db, now }: { db: SearchDb; now: () => Date }) {
  return {
    async save(viewer: Viewer, input: SaveSearchInput): Promise<SavedSearchRow> {
      const parsed = validateInput(saveSearchSchema, input, 'input');
      const query = normaliseQuery(parsed.query, 'input.query');
      const filter = parseJobFilter(input.filters, 'input.filters');
      const userId = BigInt(viewer.userId);
      return db.$transaction(async (tx) => {
        // One user's saves one after another, so two at once cannot pass the limit together.
        await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(hashtext('saved_searches'), hashtext($1))`, viewer.userId);
        if ((await tx.savedSearch.count({ where: { userId } })) >= MAX_SAVED_SEARCHES_PER_USER) {
          throw new AppError('CONFLICT', `You already have ${MAX_SAVED_SEARCHES_PER_USER} saved searches: delete one first`);
        }
        const tsquery = `CASE WHEN $4 = '' THEN NULL ELSE websearch_to_tsquery('search_english', $4) END`;
        const [row] = await tx.$queryRawUnsafe<{ id: bigint }[]>(
          `INSERT INTO saved_searches (user_id, name, query, filters, alert_frequency, compiled_query, job_types, experience_levels, is_remote,
              location, category_ids, skill_ids, company_ids, salary_min, salary_max, salary_currency, created_at)
           VALUES ($1::bigint, $2, $4, $3::jsonb, $5, ${tsquery}, $6::text[], $7::text[], $8::boolean,
              $9, $10::bigint[], $11::bigint[], $12::bigint[], $13::numeric, $14::numeric, $15, $16::timestamptz)
           RETURNING id`,
          userId,
          parsed.name,
          JSON.stringify(filterAsGiven(input.filters)),
          query,
          (parsed.alertFrequency ?? 'NEVER').toLowerCase(),
          filter.jobTypes,
          filter.experienceLevels,
          filter.isRemote ?? null,
          filter.location ?? null,
          filter.categoryIds,
          filter.skillIds,
          filter.companyIds,
          filter.salaryMin ?? null,
          filter.salaryMax ?? null,
          filter.salaryCurrency ?? null,
          now(),
        );
        return tx.savedSearch.findUniqueOrThrow({ where: { id: row!.id } });
      }, saveTransaction);
    },

    /** A user's saved searches, newest first: for that user alone (null for anyone else, admins too). */
    async list(viewer: Viewer | undefined, userId: string): Promise<SavedSearchRow[] | null> {
      if (!viewer || viewer.userId !== userId) return null;
      return db.savedSearch.findMany({ where: { userId: BigInt(userId) }, orderBy: { id: 'desc' } });
    },

    /** One saved search of the viewer's (an entity reference); null for anyone else's. */
    async findOwn(viewer: Viewer | undefined, id: string): Promise<SavedSearchRow | null> {
      const searchId = parseId(id);
      if (!viewer || searchId === undefined) return null;
      return db.savedSearch.findFirst({ where: { id: searchId, userId: BigInt(viewer.userId) } });
    },

    /** Deletes one of the viewer's saved searches; false when they have none with that id. */
    async delete(viewer: Viewer, id: string): Promise<boolean> {
      const { count } = await db.savedSearch.deleteMany({ where: { id: requireId(id, 'id'), userId: BigInt(viewer.userId) } });
      return count > 0;
    },
  };
}

export type SavedSearches = ReturnType<typeof createSavedSearches>;

/** What a candidate is tested on, and what its alert names. */
const CANDIDATE_COLUMNS = `s.id, s.user_id, s.name, s.alert_frequency, s.compiled_query, s.job_types, s.experience_levels, s.is_remote, s.location, s.category_ids,
       s.skill_ids, s.company_ids, s.salary_currency, s.salary_min, s.salary_max`;

/** An INSTANT saved search that matched a new job: its id, owner and name. */
type InstantHit = { id: string; userId: string; name: string };

const compareIds = (a: string, b: string) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0);

/** The INSTANT alerts of a new job: the matches inserted now (not those recorded before), by owner in id order, each owner's searches in id order. */
function instantAlertsOf(insertedIds: string[], instantHits: InstantHit[]): { userId: string; matches: { savedSearchId: string; name: string }[] }[] {
  const inserted = new Set(insertedIds);
  const byOwner = new Map<string, { savedSearchId: string; name: string }[]>();
  for (const hit of [...instantHits].sort((a, b) => compareIds(a.id, b.id))) {
    if (!inserted.has(hit.id)) continue;
    const matches = byOwner.get(hit.userId) ?? [];
    matches.push({ savedSearchId: hit.id, name: hit.name });
    byOwner.set(hit.userId, matches);
  }
  return [...byOwner.entries()].sort(([a], [b]) => compareIds(a, b)).map(([userId, matches]) => ({ userId, matches }));
}

/** What matchSavedSearches did for one job: saved searches tested, matches recorded, INSTANT owners alerted. */
export type SavedSearchMatching = { tested: number; matched: number; instantAlerts: number };

/**
 * Matches a newly indexed open job against the saved searches that can match it, records each
 * match, and announces the INSTANT ones at once: one search.saved_search.matched.v1 per owner,
 * written in the caller's transaction (the one that indexed the job). The candidates are the
 * saved searches whose keys the job has (saved_searches.word_keys and filter_keys, set by a trigger
 * of the migrations): a word of its document, or a value of its filters (its company, skills,
 * categories and their ancestors, every substring of its folded location, level, type, remote,
 * currency); plus the few with no key, tested for every job. Every key is something a match must
 * have, so the candidates hold every match; each is then tested with its full query and filters,
 * exactly as before. The matches go in with the same statement, which returns the INSTANT matches
 * it inserted and the names and owners of the INSTANT searches that matched; the alerts are the
 * inserted ones grouped by owner, put together here (in the statement, joining the inserted rows
 * back to the matches compared every pair, as the planner knows no row counts of a CTE). A job
 * already matched records nothing again, so a redelivered event alerts no one twice.
 */
export async function matchSavedSearches(tx: SqlRunner, jobId: string, options: { now: Date; traceparent?: string }): Promise<SavedSearchMatching> {
  const [result] = await tx.$queryRawUnsafe<{ tested: number; matched: number; alerted: string; instant: string }[]>(
    `WITH RECURSIVE job AS (
       -- The document's vector unpacked once (|| copies it): a long one is stored compressed or out
       -- of line, and the CTE would otherwise hand on the stored form, unpacked again by every @@ below.
       SELECT entity_id, search_vector || ''::tsvector AS search_vector, job_type, experience_level, is_remote, location_folded, category_ids, skill_ids, company_id, salary_min, salary_max, salary_currency
       FROM search_indexes WHERE entity_type = 'job' AND entity_id = $1::bigint AND is_active
     ), up AS (
       SELECT c.id, c.parent_id FROM search_categories c, job WHERE c.id = ANY(job.category_ids)
       UNION SELECT c.id, c.parent_id FROM search_categories c JOIN up ON c.id = up.parent_id
     ), job_filter_keys AS (
       SELECT coalesce(array_agg(key) FILTER (WHERE key IS NOT NULL), '{}') AS keys FROM (
         SELECT 'company:' || company_id FROM job
         UNION ALL SELECT 'skill:' || skill_id FROM job, unnest(job.skill_ids) AS skill_id
         UNION ALL SELECT 'category:' || id FROM up
         UNION ALL SELECT 'level:' || experience_level FROM job
         UNION ALL SELECT 'type:' || job_type FROM job
         UNION ALL SELECT 'remote:' || is_remote::text FROM job
         UNION ALL SELECT 'currency:' || salary_currency::text FROM job
         UNION ALL SELECT DISTINCT 'location:' || substr(folded, start, len)
           FROM (SELECT location_folded AS folded FROM job) AS j, generate_series(1, length(folded)) AS start, generate_series(1, length(folded) - start + 1) AS len
       ) AS k(key)
     ), candidates AS (
       SELECT ${CANDIDATE_COLUMNS} FROM saved_searches s, job
       WHERE s.alert_frequency <> 'never' AND s.word_keys && tsvector_to_array(job.search_vector)
       UNION ALL
       SELECT ${CANDIDATE_COLUMNS} FROM saved_searches s, job_filter_keys k
       WHERE s.alert_frequency <> 'never' AND s.filter_keys && k.keys
       UNION ALL
       SELECT ${CANDIDATE_COLUMNS} FROM saved_searches s
       WHERE s.alert_frequency <> 'never' AND s.word_keys = '{}' AND s.filter_keys = '{}'
     ), hits AS (
       SELECT s.id, s.user_id, s.name, s.alert_frequency FROM candidates s, job
       WHERE (s.compiled_query IS NULL OR job.search_vector @@ s.compiled_query)
         AND (s.job_types = '{}' OR job.job_type = ANY(s.job_types))
         AND (s.experience_levels = '{}' OR job.experience_level = ANY(s.experience_levels))
         AND (s.is_remote IS NULL OR job.is_remote = s.is_remote)
         AND (s.location IS NULL OR job.location_folded LIKE '%' || search_fold(replace(replace(replace(s.location, '\\', '\\\\'), '%', '\\%'), '_', '\\_')) || '%')
         AND (s.category_ids = '{}' OR s.category_ids && (SELECT coalesce(array_agg(id), '{}') FROM up))
         AND (s.skill_ids = '{}' OR job.skill_ids && s.skill_ids)
         AND (s.company_ids = '{}' OR job.company_id = ANY(s.company_ids))
         AND (s.salary_currency IS NULL OR job.salary_currency = s.salary_currency)
         AND (s.salary_min IS NULL OR coalesce(job.salary_max, job.salary_min) >= s.salary_min)
         AND (s.salary_max IS NULL OR coalesce(job.salary_min, job.salary_max) <= s.salary_max)
     ), inserted AS (
       INSERT INTO saved_search_matches (saved_search_id, job_id, matched_at, notified_at)
       SELECT h.id, $1::bigint, $2::timestamptz, CASE WHEN h.alert_frequency = 'instant' THEN $2::timestamptz END FROM hits h
       ON CONFLICT DO NOTHING
       RETURNING saved_search_id, notified_at
     )
     SELECT (SELECT count(*) FROM candidates)::int AS tested, (SELECT count(*) FROM inserted)::int AS matched,
            (SELECT coalesce(json_agg(saved_search_id::text), '[]') FROM inserted WHERE notified_at IS NOT NULL)::text AS alerted,
            (SELECT coalesce(json_agg(json_build_object('id', id::text, 'userId', user_id::text, 'name', name)), '[]') FROM hits WHERE alert_frequency = 'instant')::text AS instant`,
    jobId,
    options.now,
  );
  const alerts = instantAlertsOf(JSON.parse(result!.alerted) as string[], JSON.parse(result!.instant) as InstantHit[]).map(({ userId, matches }) => ({
    subject: 'search.saved_search.matched.v1' as const,
    data: {
      userId,
      alertFrequency: 'instant' as const,
      periodStart: null,
      periodEnd: null,
      matches: matches.map((match) => ({ ...match, jobIds: [jobId] })),
    },
    ...(options.traceparent ? { traceparent: options.traceparent } : {}),
  }));
  // A popular job alerts many owners: their events go in a few statements, not one each.
  for (let start = 0; start < alerts.length; start += ALERTS_PER_STATEMENT) await searchOutbox.recordMany(tx, alerts.slice(start, start + ALERTS_PER_STATEMENT));
  return { tested: result!.tested, matched: result!.matched, instantAlerts: alerts.length };
}
