import type { Logger } from '@jobplatform/config';
import type { LeanSql, PartSpec } from '@jobplatform/service-runtime';
import { OLDEST_RUNNING_XID, type SqlRunner } from './db.js';
import { searchOutbox } from './events.js';
import { matchesTsQuery, parseTsQuery, type ParsedTsQuery, type TsDocument } from './tsquery.js';

/** A saved search's alert_frequency, of those the matcher holds (never is not). */
type AlertFrequency = 'instant' | 'daily' | 'weekly';

/**
 * A new job's DAILY ($3) and WEEKLY ($4) matches, a row each (none for an empty list). Should the
 * same job be matched again, its ids join those already waiting.
 */
const RECORD_DIGEST_MATCHES = `INSERT INTO saved_search_digest_matches (job_id, alert_frequency, saved_search_ids, matched_at)
  SELECT $1::bigint, due.frequency, due.ids, $2::timestamptz FROM (VALUES ('daily', $3::bigint[]), ('weekly', $4::bigint[])) AS due (frequency, ids)
   WHERE cardinality(due.ids) > 0
  ON CONFLICT (job_id, alert_frequency) DO UPDATE
    SET saved_search_ids = ARRAY(SELECT DISTINCT id FROM unnest(saved_search_digest_matches.saved_search_ids || excluded.saved_search_ids) AS id ORDER BY id)`;

/**
 * A matcher that has not looked for this long loads everything again rather than reading the
 * changes: saved_search_deletions keeps a deleted search's row for a day (see the migration).
 */
const RELOAD_AFTER_MS = 3_600_000;

/** How often a running service's matcher reads what changed, besides before each match. */
const LOOK_EVERY_MS = 5_000;

/** A saved search's filters other than salary bounds, as saved_searches holds them (the location folded). */
type SavedSearchFilters = {
  jobTypes: string[];
  experienceLevels: string[];
  isRemote: boolean | null;
  locationFolded: string | null;
  categoryIds: string[];
  skillIds: string[];
  companyIds: string[];
  salaryCurrency: string | null;
};

/** A saved_searches row as the statements below send it. */
type SavedSearchJson = SavedSearchFilters & {
  id: string;
  userId: string;
  name: string;
  alertFrequency: string;
  query: string | null;
  salaryMin: string | null;
  salaryMax: string | null;
  wordKeys: string[];
  filterKeys: string[];
};

/** An alerting saved search as the matcher holds it: what it is tested on and what its alert names. */
type SavedSearchEntry = SavedSearchFilters & {
  id: string;
  userId: string;
  name: string;
  frequency: AlertFrequency;
  /** null: no query (filters alone); `empty`: only stop words, matches nothing; `unsupported`: tested by PostgreSQL. */
  query: ParsedTsQuery | null;
  /** Whether the query holds a phrase, which needs the document's positions. */
  phrase: boolean;
  salaryMin: number | null;
  salaryMax: number | null;
  /** Its word_keys and filter_keys; neither: tested for every job. */
  wordKeys: string[];
  filterKeys: string[];
  /** The last match that took it as a candidate (so that a search listed under several of a job's keys is tested once). */
  seenBy: number;
};

/** The columns a matcher holds, as one JSON value per saved search. */
const SAVED_SEARCH_JSON = `json_build_object('id', s.id::text, 'userId', s.user_id::text, 'name', s.name, 'alertFrequency', s.alert_frequency, 'query', s.compiled_query::text,
  'jobTypes', s.job_types, 'experienceLevels', s.experience_levels, 'isRemote', s.is_remote, 'locationFolded', search_fold(s.location),
  'categoryIds', s.category_ids::text[], 'skillIds', s.skill_ids::text[], 'companyIds', s.company_ids::text[], 'salaryCurrency', s.salary_currency,
  'salaryMin', s.salary_min::text, 'salaryMax', s.salary_max::text, 'wordKeys', s.word_keys, 'filterKeys', s.filter_keys)`;

/** Every alerting saved search and the watermark, from one statement's snapshot; one row with no search when there is none. */
const EVERYTHING = `SELECT w.watermark, saved.search FROM (SELECT ${OLDEST_RUNNING_XID} AS watermark) AS w
   LEFT JOIN LATERAL (SELECT ${SAVED_SEARCH_JSON} AS search FROM saved_searches s WHERE s.alert_frequency <> 'never') AS saved ON true`;
type EverythingRow = { watermark: string; search: SavedSearchJson | null };

const CHANGES_SINCE = `SELECT ${OLDEST_RUNNING_XID} AS watermark,
         (SELECT coalesce(json_agg(${SAVED_SEARCH_JSON}), '[]') FROM saved_searches s WHERE s.changed_xid >= $1::xid8)::text AS changed,
         (SELECT coalesce(json_agg(saved_search_id::text), '[]') FROM saved_search_deletions WHERE deleted_xid >= $1::xid8)::text AS deleted`;

/**
 * A new job as matching reads it, in one statement: its filter columns, its categories with their
 * ancestors, the keys it has (as the saved searches' filter_keys name them: its company, skills,
 * categories, level, type, remote, currency and every substring of its folded location) and its
 * document's lexemes with their positions. No row when the job is not active.
 */
const JOB_FOR_MATCHING = `WITH RECURSIVE job AS (
     SELECT search_vector, job_type, experience_level, is_remote, location_folded, category_ids, skill_ids, company_id, salary_min, salary_max, salary_currency
     FROM search_indexes WHERE entity_type = 'job' AND entity_id = $1::bigint AND is_active
   ), up AS (
     SELECT c.id, c.parent_id FROM search_categories c, job WHERE c.id = ANY(job.category_ids)
     UNION SELECT c.id, c.parent_id FROM search_categories c JOIN up ON c.id = up.parent_id
   )
   SELECT job.job_type AS "jobType", job.experience_level AS "experienceLevel", job.is_remote AS "isRemote", job.location_folded AS "locationFolded",
          job.skill_ids::text[] AS "skillIds", job.company_id::text AS "companyId", job.salary_min::text AS "salaryMin", job.salary_max::text AS "salaryMax",
          job.salary_currency AS "salaryCurrency",
          (SELECT coalesce(array_agg(id::text), '{}') FROM up) AS "categoryIds",
          (SELECT coalesce(array_agg(key) FILTER (WHERE key IS NOT NULL), '{}') FROM (
             SELECT 'company:' || job.company_id
             UNION ALL SELECT 'skill:' || skill_id FROM unnest(job.skill_ids) AS skill_id
             UNION ALL SELECT 'category:' || id FROM up
             UNION ALL SELECT 'level:' || job.experience_level
             UNION ALL SELECT 'type:' || job.job_type
             UNION ALL SELECT 'remote:' || job.is_remote::text
             UNION ALL SELECT 'currency:' || job.salary_currency::text
             UNION ALL SELECT DISTINCT 'location:' || substr(job.location_folded, start, len)
               FROM generate_series(1, length(job.location_folded)) AS start, generate_series(1, length(job.location_folded) - start + 1) AS len
           ) AS k(key)) AS "filterKeys",
          (SELECT coalesce(json_agg(json_build_array(lexeme, positions)), '[]') FROM unnest(job.search_vector))::text AS lexemes
   FROM job`;

type JobForMatching = {
  jobType: string | null;
  experienceLevel: string | null;
  isRemote: boolean | null;
  locationFolded: string | null;
  skillIds: string[] | null;
  companyId: string | null;
  salaryMin: string | null;
  salaryMax: string | null;
  salaryCurrency: string | null;
  categoryIds: string[];
  filterKeys: string[];
  lexemes: string;
};

/** The same tests as a saved search's filters in SQL, NULLs included: a job without the value fails the filter. */
function passesFilters(search: SavedSearchEntry, job: JobForMatching & { salaryLow: number | null; salaryHigh: number | null }): boolean {
  if (search.jobTypes.length > 0 && (job.jobType === null || !search.jobTypes.includes(job.jobType))) return false;
  if (search.experienceLevels.length > 0 && (job.experienceLevel === null || !search.experienceLevels.includes(job.experienceLevel))) return false;
  if (search.isRemote !== null && job.isRemote !== search.isRemote) return false;
  if (search.locationFolded !== null && (job.locationFolded === null || !job.locationFolded.includes(search.locationFolded))) return false;
  if (search.categoryIds.length > 0 && !search.categoryIds.some((id) => job.categoryIds.includes(id))) return false;
  if (search.skillIds.length > 0 && !search.skillIds.some((id) => job.skillIds?.includes(id))) return false;
  if (search.companyIds.length > 0 && (job.companyId === null || !search.companyIds.includes(job.companyId))) return false;
  if (search.salaryCurrency !== null && job.salaryCurrency !== search.salaryCurrency) return false;
  // coalesce(job.salary_max, job.salary_min) >= salary_min, coalesce(job.salary_min, job.salary_max) <= salary_max.
  if (search.salaryMin !== null && (job.salaryHigh === null || job.salaryHigh < search.salaryMin)) return false;
  if (search.salaryMax !== null && (job.salaryLow === null || job.salaryLow > search.salaryMax)) return false;
  return true;
}

const hasPhrase = (query: ParsedTsQuery | null): boolean =>
  typeof query === 'object' &&
  query !== null &&
  (query.op === 'phrase' || (query.op === 'not' ? hasPhrase(query.arg) : query.op !== 'lexeme' && (hasPhrase(query.left) || hasPhrase(query.right))));

const numberOrNull = (value: string | null) => (value === null ? null : Number(value));

/**
 * Built field by field, so that every entry has the same shape in V8: entries spread from the parsed
 * row (a rest object) made each match test its candidates about three times slower.
 */
function entryOf(row: SavedSearchJson): SavedSearchEntry {
  const query = row.query === null ? null : parseTsQuery(row.query);
  return {
    id: row.id,
    userId: row.userId,
    name: row.name,
    frequency: row.alertFrequency as AlertFrequency,
    query,
    phrase: hasPhrase(query),
    jobTypes: row.jobTypes,
    experienceLevels: row.experienceLevels,
    isRemote: row.isRemote,
    locationFolded: row.locationFolded,
    categoryIds: row.categoryIds,
    skillIds: row.skillIds,
    companyIds: row.companyIds,
    salaryCurrency: row.salaryCurrency,
    salaryMin: numberOrNull(row.salaryMin),
    salaryMax: numberOrNull(row.salaryMax),
    wordKeys: row.wordKeys,
    filterKeys: row.filterKeys,
    seenBy: 0,
  };
}

/** Ids in numeric order: they are decimal text without leading zeros, so the shorter is the smaller. */
const compareIds = (a: string, b: string) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);

/** The INSTANT alerts of a new job, by owner in id order, each owner's searches in id order. */
function instantAlertsOf(hits: SavedSearchEntry[]): { userId: string; matches: { savedSearchId: string; name: string }[] }[] {
  const byOwner = new Map<string, { savedSearchId: string; name: string }[]>();
  for (const hit of hits.filter((hit) => hit.frequency === 'instant').sort((a, b) => compareIds(a.id, b.id))) {
    const matches = byOwner.get(hit.userId) ?? [];
    matches.push({ savedSearchId: hit.id, name: hit.name });
    byOwner.set(hit.userId, matches);
  }
  return [...byOwner.entries()].sort(([a], [b]) => compareIds(a, b)).map(([userId, matches]) => ({ userId, matches }));
}

/** What a match did for one job: saved searches tested, saved searches matched, INSTANT owners alerted. */
export type SavedSearchMatching = { tested: number; matched: number; instantAlerts: number };

/**
 * Matches new jobs against the alerting saved searches, held in this process's memory: each with its
 * compiled query (tsquery.ts tests it as PostgreSQL's `@@` would), its filters and its keys
 * (saved_searches.word_keys and filter_keys, set by a trigger of the migrations), indexed by key. A
 * new job looks up the searches keyed by a lexeme of its document or a value of its own, plus the
 * few with no key, and tests each with its full query and filters. Every key names something a match
 * must have, so the candidates hold every match.
 *
 * Before each match, and every few seconds in the service (savedSearchMatcherPart), the matcher
 * reads what changed since it last looked, in one statement: rows of saved_searches written by a
 * transaction at or after its watermark (changed_xid), and the deletions a trigger logs in
 * saved_search_deletions. The watermark is the oldest transaction still running when it read, so a
 * save that commits later is read then; a search saved by any replica before a job's event is
 * handled is matched against it. The first look loads every alerting saved search; so does a look
 * after an hour without one (the deletions are kept for a day).
 */
export function createSavedSearchMatcher({ sql, logger }: { sql: LeanSql; logger?: Logger }) {
  const searches = new Map<string, SavedSearchEntry>();
  // The searches by key, as lists: a match walks them, and entries (not ids) spare it a lookup per candidate.
  const byWord = new Map<string, SavedSearchEntry[]>();
  const byFilter = new Map<string, SavedSearchEntry[]>();
  const keyless: SavedSearchEntry[] = [];
  let matches = 0;
  let watermark: string | undefined;
  let lookedAt = 0;
  /** Looks one after another: each applies the changes since the one before. */
  let looking: Promise<void> = Promise.resolve();

  const list = (index: Map<string, SavedSearchEntry[]>, key: string, entry: SavedSearchEntry) => {
    const entries = index.get(key);
    if (entries) entries.push(entry);
    else index.set(key, [entry]);
  };
  /** Takes the entry out of the key's list, and the list out of the index once empty. */
  const unlist = (index: Map<string, SavedSearchEntry[]>, key: string, entry: SavedSearchEntry) => {
    const entries = index.get(key);
    if (!entries) return;
    const at = entries.indexOf(entry);
    if (at >= 0) entries.splice(at, 1);
    if (entries.length === 0) index.delete(key);
  };
  const remove = (id: string) => {
    const entry = searches.get(id);
    if (!entry) return;
    searches.delete(id);
    if (entry.wordKeys.length === 0 && entry.filterKeys.length === 0) keyless.splice(keyless.indexOf(entry), 1);
    for (const key of entry.wordKeys) unlist(byWord, key, entry);
    for (const key of entry.filterKeys) unlist(byFilter, key, entry);
  };
  const put = (row: SavedSearchJson) => {
    remove(row.id);
    if (row.alertFrequency === 'never') return;
    const entry = entryOf(row);
    searches.set(entry.id, entry);
    if (entry.wordKeys.length === 0 && entry.filterKeys.length === 0) keyless.push(entry);
    for (const key of entry.wordKeys) list(byWord, key, entry);
    for (const key of entry.filterKeys) list(byFilter, key, entry);
  };

  /** Statements outside any transaction, on a pooled connection. */
  const pooled: Pick<SqlRunner, '$queryRawUnsafe'> = { $queryRawUnsafe: <T>(text: string, ...values: unknown[]) => sql.rows(text, values) as Promise<T> };

  async function loadEverything(runner: Pick<SqlRunner, '$queryRawUnsafe'>): Promise<void> {
    const rows = await runner.$queryRawUnsafe<EverythingRow[]>(EVERYTHING);
    searches.clear();
    byWord.clear();
    byFilter.clear();
    keyless.length = 0;
    for (const { search } of rows) if (search) put(search);
    watermark = rows[0]!.watermark;
    logger?.info({ savedSearches: searches.size }, 'saved-search matcher loaded the alerting saved searches');
  }

  async function readChanges(runner: Pick<SqlRunner, '$queryRawUnsafe'>): Promise<void> {
    const [row] = await runner.$queryRawUnsafe<{ watermark: string; changed: string; deleted: string }[]>(CHANGES_SINCE, watermark);
    for (const search of JSON.parse(row!.changed) as SavedSearchJson[]) put(search);
    for (const id of JSON.parse(row!.deleted) as string[]) remove(id);
    watermark = row!.watermark;
  }

  /**
   * Brings the held searches up to date: everything on the first call or after a long pause, else
   * the changes. On the caller's transaction when there is one: a consumer's transaction waits for
   * the look, which must then not wait for another connection of the pool.
   */
  function look(tx?: SqlRunner): Promise<void> {
    const next = looking.then(async () => {
      const now = Date.now();
      const runner = tx ?? pooled;
      if (watermark === undefined || now - lookedAt > RELOAD_AFTER_MS) await loadEverything(runner);
      else await readChanges(runner);
      lookedAt = now;
    });
    // A failed look fails its caller's match; the next one starts afresh.
    looking = next.catch(() => undefined);
    return next;
  }

  return {
    /** Brings the held searches up to date outside any transaction: loads them all the first time (what the first match does otherwise). */
    look: () => look(),

    /** How many alerting saved searches this process holds. */
    get size() {
      return searches.size;
    },

    /**
     * Matches a newly indexed open job: announces the INSTANT matches at once, one
     * search.saved_search.matched.v1 per owner, and records the DAILY and WEEKLY ones for their
     * digests, all in the caller's transaction (the one that indexed the job). Call it once per job:
     * the consumer applies the job's created event once, so nobody is alerted twice.
     */
    async match(tx: SqlRunner, jobId: string, options: { now: Date; traceparent?: string }): Promise<SavedSearchMatching> {
      await look(tx);
      const [job] = await tx.$queryRawUnsafe<JobForMatching[]>(JOB_FOR_MATCHING, jobId);
      if (!job) return { tested: 0, matched: 0, instantAlerts: 0 };
      const lexemes = JSON.parse(job.lexemes) as [string, number[] | null][];
      const document: TsDocument = new Map(lexemes.map(([lexeme, positions]) => [lexeme, positions ?? []]));
      const positional = lexemes.every(([, positions]) => positions !== null);

      const match = (matches += 1);
      const candidates: SavedSearchEntry[] = [];
      const collect = (entries: readonly SavedSearchEntry[] | undefined) => {
        for (const entry of entries ?? []) {
          if (entry.seenBy === match) continue;
          entry.seenBy = match;
          candidates.push(entry);
        }
      };
      collect(keyless);
      for (const [lexeme] of lexemes) collect(byWord.get(lexeme));
      for (const key of job.filterKeys) collect(byFilter.get(key));

      const filterable = { ...job, salaryLow: numberOrNull(job.salaryMin ?? job.salaryMax), salaryHigh: numberOrNull(job.salaryMax ?? job.salaryMin) };
      const hits: SavedSearchEntry[] = [];
      const forPostgres: SavedSearchEntry[] = [];
      for (const search of candidates) {
        if (!passesFilters(search, filterable)) continue;
        if (search.query === null) hits.push(search);
        else if (search.query === 'unsupported' || (search.phrase && !positional)) forPostgres.push(search);
        else if (search.query !== 'empty' && matchesTsQuery(search.query, document)) hits.push(search);
      }
      if (forPostgres.length > 0) {
        const matched = await tx.$queryRawUnsafe<{ id: string }[]>(
          `SELECT s.id::text AS id FROM saved_searches s, search_indexes j
           WHERE s.id = ANY($2::bigint[]) AND j.entity_type = 'job' AND j.entity_id = $1::bigint AND j.search_vector @@ s.compiled_query`,
          jobId,
          forPostgres.map((search) => search.id),
        );
        const ids = new Set(matched.map((row) => row.id));
        hits.push(...forPostgres.filter((search) => ids.has(search.id)));
      }
      if (hits.length === 0) return { tested: candidates.length, matched: 0, instantAlerts: 0 };

      // DAILY and WEEKLY matches wait for their digest, in a row per frequency that holds the saved
      // searches' ids; INSTANT ones are announced now and kept nowhere (the consumer applies a job's
      // created event once: processed_events).
      const daily = hits.filter((hit) => hit.frequency === 'daily').map((hit) => hit.id);
      const weekly = hits.filter((hit) => hit.frequency === 'weekly').map((hit) => hit.id);
      if (daily.length + weekly.length > 0) await tx.$executeRawUnsafe(RECORD_DIGEST_MATCHES, jobId, options.now, daily, weekly);
      const alerts = instantAlertsOf(hits).map(({ userId, matches }) => ({
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
      // A popular job alerts many owners: their events go in one statement, not one each.
      await searchOutbox.recordMany(tx, alerts);
      return { tested: candidates.length, matched: hits.length, instantAlerts: alerts.length };
    },
  };
}

export type SavedSearchMatcher = ReturnType<typeof createSavedSearchMatcher>;

/**
 * Loads the matcher's saved searches while the service starts, and then reads what changed every
 * `lookEveryMs`, so that a new job's match, in its consumer's transaction, finds few changes to read
 * even after a burst of saves (a first match after 100,000 saves read them all: 4.3 s). A failed look
 * is logged and left to the next one or to the next match.
 */
export function savedSearchMatcherPart(matcher: SavedSearchMatcher, logger: Logger, lookEveryMs = LOOK_EVERY_MS): PartSpec {
  const look = () => matcher.look().catch((error: unknown) => logger.warn({ err: error }, 'saved-search matcher: reading the saved searches failed; the next look tries again'));
  return {
    name: 'saved-search-matcher',
    start: async () => {
      void look();
      const timer = setInterval(() => void look(), lookEveryMs);
      timer.unref();
      return { stop: () => clearInterval(timer) };
    },
  };
}
