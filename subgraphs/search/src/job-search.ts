import { decodeCursor, encodeCursor, pageSize, type PageInfo } from '@jobplatform/service-runtime';
import { createParams, type SqlRunner } from './db.js';
import { escapeHighlight } from './highlight.js';
import { escapeLike, type JobFilter } from './search-input.js';

export type JobSearchSort = 'RELEVANCE' | 'NEWEST' | 'SALARY_HIGH' | 'SALARY_LOW';

/**
 * How the query selects jobs: `all` without a query; `text` the full-text query; `fuzzy` trigram
 * similarity, when the full-text query finds nothing (misspelt words, or only stop words).
 */
export type MatchMode = 'all' | 'text' | 'fuzzy';

/** A job of a result page: what the read model serves of Job and its company. */
export type JobHit = {
  id: bigint;
  title: string;
  location: string | null;
  isRemote: boolean;
  jobType: string;
  experienceLevel: string;
  salaryMin: number | null;
  salaryMax: number | null;
  salaryCurrency: string;
  postedAt: Date;
  companyId: bigint;
  companyName: string;
  companyLogo: string | null;
  score: number;
  highlight: string | null;
  cursor: string;
};

export type FacetValue = { value: string; label: string; count: number };
export type SalaryBucket = { min: number; max: number | null; count: number };
export type FacetCounts = {
  jobType: FacetValue[];
  experienceLevel: FacetValue[];
  isRemote: FacetValue[];
  category: FacetValue[];
  skill: FacetValue[];
  location: FacetValue[];
  salary: SalaryBucket[];
};

export type JobSearchRequest = { query: string; filter: JobFilter; sort: JobSearchSort; first: number | null | undefined; after: string | null | undefined };
export type JobSearchPage = { mode: MatchMode; hits: JobHit[]; pageInfo: PageInfo };
export type JobCounts = { total: number; facets: FacetCounts };

/** Salary bands of the facet: lower bounds, each band up to the next. */
export const salaryBands = [0, 25_000, 50_000, 75_000, 100_000, 150_000, 200_000] as const;
const FACET_LIMIT = { category: 20, skill: 20, location: 10 } as const;

/** ts_headline's match markers: characters no description contains, replaced by <mark> after escaping. */
const MARK_START = '\u0001';
const MARK_END = '\u0002';

/** The sort key of each order, as SQL over search_indexes (alias j), and how it compares. */
const sortKeys: Record<JobSearchSort, { key: (score: string) => string; direction: 'DESC' | 'ASC'; cast: string }> = {
  RELEVANCE: { key: (score) => score, direction: 'DESC', cast: 'numeric' },
  NEWEST: { key: () => 'j.posted_at', direction: 'DESC', cast: 'timestamptz' },
  // Jobs without a salary sort after every paid one in both directions.
  SALARY_HIGH: { key: () => 'coalesce(j.salary_max, j.salary_min, -1)', direction: 'DESC', cast: 'numeric' },
  SALARY_LOW: { key: () => 'coalesce(j.salary_min, j.salary_max, 1000000000)', direction: 'ASC', cast: 'numeric' },
};

type Cursor = { sort: JobSearchSort; mode: MatchMode; key: string; id: bigint };

/** Without a query there is no relevance: the newest come first. */
const effectiveSort = (sort: JobSearchSort, mode: MatchMode): JobSearchSort => (sort === 'RELEVANCE' && mode === 'all' ? 'NEWEST' : sort);

/**
 * The job search over the read model: one statement for a page, one for the total and every facet.
 * Facets are disjunctive: each counts the jobs that pass every filter but its own.
 */
export function createJobSearch(db: SqlRunner) {
  /** A category filter holds its sub-categories too: the tree as job events described it. */
  async function withSubcategories(ids: bigint[]): Promise<bigint[]> {
    if (ids.length === 0) return ids;
    const rows = await db.$queryRawUnsafe<{ id: bigint }[]>(
      `WITH RECURSIVE below AS (
         SELECT unnest($1::bigint[]) AS id
         UNION SELECT c.id FROM search_categories c JOIN below b ON c.parent_id = b.id
       ) SELECT id FROM below`,
      ids,
    );
    return rows.map((row) => row.id);
  }

  /** The statement's WHERE parts: those every facet obeys, and one per facet that its own count leaves out. */
  function conditions(params: ReturnType<typeof createParams>, request: { query: string; filter: JobFilter; mode: MatchMode; categoryIds: bigint[] }, now: Date) {
    const { param } = params;
    const { filter, mode } = request;
    const base = [`j.entity_type = 'job'`, 'j.is_active'];
    if (mode === 'text') base.push(`j.search_vector @@ websearch_to_tsquery('search_english', ${param(request.query)})`);
    if (mode === 'fuzzy') base.push(`search_fold(${param(request.query)}) <% search_fold(j.title || ' ' || j.tags || ' ' || coalesce(j.company_name, ''))`);
    if (filter.companyIds.length > 0) base.push(`j.company_id = ANY(${param(filter.companyIds)}::bigint[])`);
    if (filter.salaryCurrency) base.push(`j.salary_currency = ${param(filter.salaryCurrency)}`);
    if (filter.postedWithinDays) base.push(`j.posted_at >= ${param(new Date(now.getTime() - filter.postedWithinDays * 86_400_000))}::timestamptz`);
    const facet = {
      jobType: filter.jobTypes.length > 0 ? `j.job_type = ANY(${param(filter.jobTypes)}::text[])` : 'true',
      experienceLevel: filter.experienceLevels.length > 0 ? `j.experience_level = ANY(${param(filter.experienceLevels)}::text[])` : 'true',
      isRemote: filter.isRemote !== undefined ? `j.is_remote = ${param(filter.isRemote)}::boolean` : 'true',
      location: filter.location ? `search_fold(j.location) LIKE '%' || search_fold(${param(escapeLike(filter.location))}) || '%'` : 'true',
      category: request.categoryIds.length > 0 ? `j.category_ids && ${param(request.categoryIds)}::bigint[]` : 'true',
      skill: filter.skillIds.length > 0 ? `j.skill_ids && ${param(filter.skillIds)}::bigint[]` : 'true',
      salary: [
        filter.salaryMin !== undefined ? `coalesce(j.salary_max, j.salary_min) >= ${param(filter.salaryMin)}::numeric` : 'true',
        filter.salaryMax !== undefined ? `coalesce(j.salary_min, j.salary_max) <= ${param(filter.salaryMax)}::numeric` : 'true',
      ].join(' AND '),
    };
    return { base, facet };
  }

  const scoreOf = (mode: MatchMode, queryParam: string) =>
    mode === 'text'
      ? `round(ts_rank(j.search_vector, websearch_to_tsquery('search_english', ${queryParam}))::numeric, 6)`
      : mode === 'fuzzy'
        ? `round(word_similarity(search_fold(${queryParam}), search_fold(j.title || ' ' || j.tags || ' ' || coalesce(j.company_name, '')))::numeric, 6)`
        : '0::numeric';

  function readCursor(after: string | null | undefined, sort: JobSearchSort): Cursor | undefined {
    return decodeCursor(after, ([cursorSort, mode, key, id]) => {
      if (cursorSort !== sort || !mode || !['all', 'text', 'fuzzy'].includes(mode) || key === undefined || !id || !/^\d{1,18}$/.test(id)) return undefined;
      if (sortKeys[effectiveSort(sort, mode as MatchMode)].cast === 'numeric' ? !/^-?\d+(\.\d+)?$/.test(key) : Number.isNaN(Date.parse(key))) return undefined;
      return { sort, mode: mode as MatchMode, key, id: BigInt(id) };
    });
  }

  async function runPage(request: JobSearchRequest, mode: MatchMode, size: number, cursor: Cursor | undefined, categoryIds: bigint[], now: Date) {
    const params = createParams();
    const { param } = params;
    const queryParam = mode === 'all' ? '' : param(request.query);
    const { base, facet } = conditions(params, { ...request, mode, categoryIds }, now);
    const sort = effectiveSort(request.sort, mode);
    const { key, direction, cast } = sortKeys[sort];
    const score = scoreOf(mode, queryParam);
    const sortKey = key(score);
    const where = [...base, ...Object.values(facet)];
    if (cursor) where.push(`(${sortKey}, j.entity_id) ${direction === 'DESC' ? '<' : '>'} (${param(cursor.key)}::${cast}, ${param(cursor.id)}::bigint)`);
    const headline =
      mode === 'text'
        ? `ts_headline('search_english', p.body, websearch_to_tsquery('search_english', ${queryParam}), 'StartSel=${MARK_START}, StopSel=${MARK_END}, MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "')`
        : 'NULL';
    const sql = `
      SELECT p.entity_id AS id, p.title, p.location, p.is_remote AS "isRemote", p.job_type AS "jobType", p.experience_level AS "experienceLevel",
             p.salary_min::float8 AS "salaryMin", p.salary_max::float8 AS "salaryMax", p.salary_currency AS "salaryCurrency", p.posted_at AS "postedAt",
             p.company_id AS "companyId", p.company_name AS "companyName", c.metadata->>'logo' AS "companyLogo",
             p.score::float8 AS score, p.sort_key::text AS "sortKey", ${headline} AS highlight
      FROM (
        SELECT j.entity_id, j.title, j.location, j.is_remote, j.job_type, j.experience_level, j.salary_min, j.salary_max, j.salary_currency,
               j.posted_at, j.company_id, j.company_name, j.body, ${score} AS score, ${sortKey} AS sort_key
        FROM search_indexes j
        WHERE ${where.join(' AND ')}
        ORDER BY ${sortKey} ${direction}, j.entity_id ${direction}
        LIMIT ${param(size + 1)}
      ) p
      LEFT JOIN search_indexes c ON c.entity_type = 'company' AND c.entity_id = p.company_id
      ORDER BY p.sort_key ${direction}, p.entity_id ${direction}`;
    const rows = await db.$queryRawUnsafe<(Omit<JobHit, 'cursor'> & { sortKey: string })[]>(sql, ...params.values);
    const hits = rows.slice(0, size).map(({ sortKey: rowKey, ...row }) => ({
      ...row,
      // The timestamp's text is PostgreSQL's; its cursor is read back with the same cast.
      highlight: row.highlight === null ? null : escapeHighlight(row.highlight, MARK_START, MARK_END),
      cursor: encodeCursor([request.sort, mode, sort === 'NEWEST' ? new Date(row.postedAt).toISOString() : rowKey, row.id.toString()]),
    }));
    return { hits, pageInfo: { hasNextPage: rows.length > size, endCursor: hits.at(-1)?.cursor ?? null } };
  }

  return {
    /**
     * A page of results. A query the full-text search finds nothing for is tried again by trigram
     * similarity (misspelt words); the page's cursors remember which, so later pages stay in it.
     */
    async page(request: JobSearchRequest, now: Date): Promise<JobSearchPage & { categoryIds: bigint[] }> {
      const size = pageSize(request.first);
      const cursor = readCursor(request.after, request.sort);
      const categoryIds = await withSubcategories(request.filter.categoryIds);
      if (!request.query) return { mode: 'all', categoryIds, ...(await runPage(request, 'all', size, cursor, categoryIds, now)) };
      const first = cursor?.mode ?? 'text';
      const page = await runPage(request, first, size, cursor, categoryIds, now);
      if (page.hits.length > 0 || cursor || first !== 'text') return { mode: first, categoryIds, ...page };
      return { mode: 'fuzzy', categoryIds, ...(await runPage(request, 'fuzzy', size, undefined, categoryIds, now)) };
    },

    /** How many jobs match in all (one count, without facets). */
    async count(request: Pick<JobSearchRequest, 'query' | 'filter'>, mode: MatchMode, categoryIds: bigint[], now: Date): Promise<number> {
      const params = createParams();
      const { base, facet } = conditions(params, { ...request, mode, categoryIds }, now);
      const [row] = await db.$queryRawUnsafe<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM search_indexes j WHERE ${[...base, ...Object.values(facet)].join(' AND ')}`,
        ...params.values,
      );
      return row?.n ?? 0;
    },

    /** The total and every facet, in one statement over the jobs that pass the filters every facet obeys. */
    async counts(request: Pick<JobSearchRequest, 'query' | 'filter'>, mode: MatchMode, categoryIds: bigint[], now: Date): Promise<JobCounts> {
      const params = createParams();
      const { base, facet } = conditions(params, { ...request, mode, categoryIds }, now);
      const names = Object.keys(facet) as (keyof typeof facet)[];
      // m_<facet>: whether the row passes that facet's filter; a facet's count requires all the others.
      const flags = names.map((name) => `(${facet[name]}) AS m_${name}`).join(', ');
      const allBut = (name: keyof typeof facet | undefined) =>
        names
          .filter((other) => other !== name)
          .map((other) => `m_${other}`)
          .join(' AND ') || 'true';
      const bands = `ARRAY[${salaryBands.join(', ')}]::numeric[]`;
      const sql = `
        WITH base AS MATERIALIZED (
          SELECT j.job_type, j.experience_level, j.is_remote, j.location, j.category_ids, j.skill_ids, coalesce(j.salary_max, j.salary_min) AS pay, ${flags}
          FROM search_indexes j WHERE ${base.join(' AND ')}
        )
        SELECT 'total' AS facet, '' AS value, '' AS label, count(*)::int AS count FROM base WHERE ${allBut(undefined)}
        UNION ALL SELECT 'jobType', job_type, job_type, count(*)::int FROM base WHERE ${allBut('jobType')} GROUP BY job_type
        UNION ALL SELECT 'experienceLevel', experience_level, experience_level, count(*)::int FROM base WHERE ${allBut('experienceLevel')} GROUP BY experience_level
        UNION ALL SELECT 'isRemote', is_remote::text, is_remote::text, count(*)::int FROM base WHERE ${allBut('isRemote')} GROUP BY is_remote
        UNION ALL (SELECT 'category', f.id::text, coalesce(c.name, f.id::text), f.n FROM (
            SELECT id, count(*)::int AS n FROM base, unnest(category_ids) AS id WHERE ${allBut('category')} GROUP BY id ORDER BY n DESC, id LIMIT ${FACET_LIMIT.category}
          ) f LEFT JOIN search_categories c ON c.id = f.id)
        UNION ALL (SELECT 'skill', f.id::text, coalesce(s.name, f.id::text), f.n FROM (
            SELECT id, count(*)::int AS n FROM base, unnest(skill_ids) AS id WHERE ${allBut('skill')} GROUP BY id ORDER BY n DESC, id LIMIT ${FACET_LIMIT.skill}
          ) f LEFT JOIN search_skills s ON s.id = f.id)
        UNION ALL (SELECT 'location', location, location, count(*)::int AS n FROM base WHERE ${allBut('location')} AND location IS NOT NULL
            GROUP BY location ORDER BY n DESC, location LIMIT ${FACET_LIMIT.location})
        UNION ALL SELECT 'salary', width_bucket(pay, ${bands})::text, '', count(*)::int FROM base WHERE ${allBut('salary')} AND pay IS NOT NULL
            GROUP BY width_bucket(pay, ${bands})`;
      const rows = await db.$queryRawUnsafe<{ facet: string; value: string; label: string; count: number }[]>(sql, ...params.values);
      return toCounts(rows);
    },
  };
}

const facetOrder = {
  jobType: ['full_time', 'part_time', 'contract', 'internship', 'freelance'],
  experienceLevel: ['entry', 'mid', 'senior', 'executive'],
  isRemote: ['true', 'false'],
} as const;

/** Ids as text, in numeric order. */
const compareIds = (a: string, b: string) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0);

/**
 * Statement rows to the GraphQL shape: enum facets in the enum's order with their names upper case;
 * the others most frequent first, ties by id (categories, skills) or as the statement ordered them
 * (locations, by text). The statement's order does not survive the join that adds category and
 * skill names, so it is not relied on for those.
 */
function toCounts(rows: { facet: string; value: string; label: string; count: number }[]): JobCounts {
  const of = (facet: string) => rows.filter((row) => row.facet === facet);
  const enumFacet = (facet: keyof typeof facetOrder, toValue: (value: string) => string) =>
    of(facet)
      .sort((a, b) => (facetOrder[facet] as readonly string[]).indexOf(a.value) - (facetOrder[facet] as readonly string[]).indexOf(b.value))
      .map((row) => ({ value: toValue(row.value), label: toValue(row.value), count: row.count }));
  const listed = (facet: string, compareTies: (a: string, b: string) => number = () => 0) =>
    of(facet)
      .map(({ value, label, count }) => ({ value, label, count }))
      .sort((a, b) => b.count - a.count || compareTies(a.value, b.value));
  return {
    total: of('total')[0]?.count ?? 0,
    facets: {
      jobType: enumFacet('jobType', (value) => value.toUpperCase()),
      experienceLevel: enumFacet('experienceLevel', (value) => value.toUpperCase()),
      isRemote: enumFacet('isRemote', (value) => value),
      category: listed('category', compareIds),
      skill: listed('skill', compareIds),
      location: listed('location'),
      salary: of('salary')
        .map((row) => Number(row.value))
        .sort((a, b) => a - b)
        .map((band) => ({
          min: salaryBands[band - 1] ?? salaryBands.at(-1)!,
          max: salaryBands[band] ?? null,
          count: of('salary').find((row) => Number(row.value) === band)!.count,
        })),
    },
  };
}

export type JobSearch = ReturnType<typeof createJobSearch>;
