import { z } from 'zod';
import type { Viewer } from '@jobplatform/auth';
import { AppError, parseId, requireId, validateInput } from '@jobplatform/service-runtime';
import type { SavedSearchRow, SearchDb } from './db.js';
import { filterAsGiven, jobSearchFilterSchema, normaliseQuery, parseJobFilter } from './search-input.js';

/** Saves of one user queue on a lock: a burst of them gets the time to pass one by one. */
const saveTransaction = { maxWait: 10_000, timeout: 15_000 };

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
 * trigger derives from them), so that a new job is tested only against those whose keys it has
 * (saved-search-matcher.ts); INSTANT matches are announced in the transaction that indexed the job,
 * DAILY and WEEKLY ones wait for the digest scheduler (saved-search-digests.ts).
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
