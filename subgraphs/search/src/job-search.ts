import { decodeCursor, encodeCursor, pageSize, type PageInfo } from '@jobplatform/service-runtime';
import type { LeanSql, SqlFragment, WarmUpConnection } from '@jobplatform/service-runtime';
import { createParams } from './db.js';
import { escapeHighlight } from './highlight.js';
import type { IndexFilter, JobTextIndex } from './job-text-index.js';
import { escapeLike, parseJobFilter, type JobFilter } from './search-input.js';
import { parseTsQuery } from './tsquery.js';

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
/** A hit's highlight: ts_headline of the job's description for a tsquery. */
const headlineOf = (tsquery: string) =>
  `ts_headline('search_english', j.body, ${tsquery}, 'StartSel=${MARK_START}, StopSel=${MARK_END}, MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "')`;
/** A hit's fields as JSON, from its job's row (j) and its company's (c). */
const HIT_FIELDS = `'id', j.entity_id::text, 'title', j.title, 'location', j.location, 'isRemote', j.is_remote, 'jobType', j.job_type,
  'experienceLevel', j.experience_level, 'salaryMin', j.salary_min::float8, 'salaryMax', j.salary_max::float8,
  'salaryCurrency', j.salary_currency, 'postedAt', j.posted_at, 'companyId', j.company_id::text, 'companyName', j.company_name,
  'companyLogo', c.metadata->>'logo'`;

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

/** What the job search sends its statements through: the lean client (node-postgres) or a stand-in with its `rows`. */
export type SqlRows = Pick<LeanSql, 'rows'>;

/** A hit as the statement returns it, inside its JSON: ids and the timestamp as text. */
type HitJson = Omit<JobHit, 'id' | 'companyId' | 'postedAt' | 'cursor'> & { id: string; companyId: string; postedAt: string; sortKey: string };
type FacetRow = { facet: string; value: string; label: string; count: number };
/** The statement's one row. */
type ResultRow = { total: number; hasNextPage: boolean; hits: HitJson[]; facets: FacetRow[] | null };

/** A category filter's categories (an array parameter) and every category below them, as the CTE `below(id)`. */
const categoriesBelow = (ids: string) => `RECURSIVE below(id) AS (SELECT unnest(${ids}::bigint[]) UNION SELECT c.id FROM search_categories c JOIN below b ON c.parent_id = b.id)`;

/** What the in-memory search needs PostgreSQL for before it: the query's tsquery ($1), the location folded ($2), the categories ($3) and those below them. */
const PREPARE = `SELECT websearch_to_tsquery('search_english', $1::text)::text AS query, search_fold($2::text) AS location,
  (WITH ${categoriesBelow('$3')} SELECT coalesce(array_agg(id::text), '{}') FROM below) AS categories`;
type PreparedRow = { query: string | null; location: string | null; categories: string[] };

/** The in-memory search's page: the hits' rows in order ($1), highlighted for the tsquery ($2, null: none), and the names of the facets' categories ($3) and skills ($4). */
const PAGE = `SELECT
  (SELECT coalesce(json_agg(json_build_object(${HIT_FIELDS}, 'highlight', ${headlineOf('$2::tsquery')}) ORDER BY p.ord), '[]')
     FROM unnest($1::bigint[]) WITH ORDINALITY AS p(id, ord)
     JOIN search_indexes j ON j.entity_type = 'job' AND j.entity_id = p.id
     LEFT JOIN search_indexes c ON c.entity_type = 'company' AND c.entity_id = j.company_id) AS hits,
  (SELECT coalesce(json_agg(json_build_array(id::text, name)), '[]') FROM search_categories WHERE id = ANY($3::bigint[])) AS categories,
  (SELECT coalesce(json_agg(json_build_array(id::text, name)), '[]') FROM search_skills WHERE id = ANY($4::bigint[])) AS skills`;
type PageRow = { hits: Omit<HitJson, 'score' | 'sortKey'>[]; categories: [string, string][]; skills: [string, string][] };

/** A hit as GraphQL serves it, with its cursor: the order, how the query matched, the row's sort key and id. */
function hitOf(hit: Omit<HitJson, 'sortKey'>, page: { sort: JobSearchSort; mode: MatchMode; sortKey: string }): JobHit {
  return {
    ...hit,
    id: BigInt(hit.id),
    companyId: BigInt(hit.companyId),
    postedAt: new Date(hit.postedAt),
    highlight: hit.highlight === null ? null : escapeHighlight(hit.highlight, MARK_START, MARK_END),
    // A numeric key's text is PostgreSQL's (or the index's, the same); its cursor is read back with the same cast.
    cursor: encodeCursor([page.sort, page.mode, page.sortKey, hit.id]),
  };
}

/**
 * The job search over the read model. With the in-memory index (job-text-index.ts), once it has
 * loaded, the index finds, ranks and counts, and PostgreSQL writes the page (runInIndex). Without
 * it, and for what it cannot answer (trigram similarity for misspelt words, queries it does not
 * compile), one statement per request reads the jobs that pass the
 * filters every facet obeys and fail at most one facet filter (allButOneFilter) once, with a flag
 * per facet filter, and computes from that set the
 * page (ranked, with its highlight), whether a next page follows, the total and, when asked for,
 * every facet. Facets are disjunctive: each counts the jobs that pass every filter but its own.
 */
export function createJobSearch(db: SqlRows, index?: JobTextIndex) {
  /** The statement's WHERE parts: those every facet obeys, and one per facet that its own count leaves out. */
  function conditions(params: ReturnType<typeof createParams>, request: { queryParam: string; filter: JobFilter; mode: MatchMode }, now: Date) {
    const { param } = params;
    const { filter, mode } = request;
    const base = [`j.entity_type = 'job'`, 'j.is_active'];
    if (mode === 'text') base.push(`j.search_vector @@ websearch_to_tsquery('search_english', ${request.queryParam})`);
    if (mode === 'fuzzy') base.push(`search_fold(${request.queryParam}) <% search_fold(j.title || ' ' || j.tags || ' ' || coalesce(j.company_name, ''))`);
    if (filter.companyIds.length > 0) base.push(`j.company_id = ANY(${param(filter.companyIds)}::bigint[])`);
    if (filter.salaryCurrency) base.push(`j.salary_currency = ${param(filter.salaryCurrency)}`);
    if (filter.postedWithinDays) base.push(`j.posted_at >= ${param(new Date(now.getTime() - filter.postedWithinDays * 86_400_000))}::timestamptz`);
    const facet = {
      jobType: filter.jobTypes.length > 0 ? `j.job_type = ANY(${param(filter.jobTypes)}::text[])` : 'true',
      experienceLevel: filter.experienceLevels.length > 0 ? `j.experience_level = ANY(${param(filter.experienceLevels)}::text[])` : 'true',
      isRemote: filter.isRemote !== undefined ? `j.is_remote = ${param(filter.isRemote)}::boolean` : 'true',
      location: filter.location ? `j.location_folded LIKE '%' || search_fold(${param(escapeLike(filter.location))}) || '%'` : 'true',
      // A category filter holds its sub-categories too (the statement's CTE "categories").
      category: filter.categoryIds.length > 0 ? `j.category_ids && (SELECT ids FROM categories)` : 'true',
      skill: filter.skillIds.length > 0 ? `j.skill_ids && ${param(filter.skillIds)}::bigint[]` : 'true',
      salary:
        [
          filter.salaryMin !== undefined ? `coalesce(j.salary_max, j.salary_min) >= ${param(filter.salaryMin)}::numeric` : undefined,
          filter.salaryMax !== undefined ? `coalesce(j.salary_min, j.salary_max) <= ${param(filter.salaryMax)}::numeric` : undefined,
        ]
          .filter((part) => part !== undefined)
          .join(' AND ') || 'true',
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

  /** The facets' rows (value, label, count per facet), computed from the statement's CTE "base". */
  function facetsSql(allBut: (name: FacetName) => string): string {
    const bands = `ARRAY[${salaryBands.join(', ')}]::numeric[]`;
    return `
      SELECT 'jobType' AS facet, job_type AS value, job_type AS label, count(*)::int AS count FROM base WHERE ${allBut('jobType')} GROUP BY job_type
      UNION ALL SELECT 'experienceLevel', experience_level, experience_level, count(*)::int FROM base WHERE ${allBut('experienceLevel')} GROUP BY experience_level
      UNION ALL SELECT 'isRemote', is_remote::text, is_remote::text, count(*)::int FROM base WHERE ${allBut('isRemote')} GROUP BY is_remote
      UNION ALL (SELECT 'category', f.id::text, coalesce(c.name, f.id::text), f.n FROM (
          SELECT id, count(*)::int AS n FROM base, unnest(category_ids) AS id WHERE ${allBut('category')} GROUP BY id ORDER BY n DESC, id LIMIT ${FACET_LIMIT.category}
        ) f LEFT JOIN search_categories c ON c.id = f.id)
      UNION ALL (SELECT 'skill', f.id::text, coalesce(s.name, f.id::text), f.n FROM (
          SELECT id, count(*)::int AS n FROM base, unnest(skill_ids) AS id WHERE ${allBut('skill')} GROUP BY id ORDER BY n DESC, id LIMIT ${FACET_LIMIT.skill}
        ) f LEFT JOIN search_skills s ON s.id = f.id)
      UNION ALL (SELECT 'location', location, location, count(*)::int AS n FROM base WHERE ${allBut('location')} AND location IS NOT NULL
          GROUP BY location ORDER BY n DESC, location COLLATE "C" LIMIT ${FACET_LIMIT.location})
      UNION ALL SELECT 'salary', width_bucket(pay, ${bands})::text, '', count(*)::int FROM base WHERE ${allBut('salary')} AND pay IS NOT NULL
          GROUP BY width_bucket(pay, ${bands})`;
  }

  /** One read of the matching jobs: the page, whether another follows, the total and (withFacets) the facets. */
  async function run(
    request: JobSearchRequest,
    mode: MatchMode,
    size: number,
    cursor: Cursor | undefined,
    withFacets: boolean,
    now: Date,
  ): Promise<JobSearchPage & { counts: Partial<JobCounts> & { total: number } }> {
    const params = createParams();
    const { param } = params;
    const queryParam = mode === 'all' ? '' : param(request.query);
    const categories = request.filter.categoryIds.length > 0 ? param(request.filter.categoryIds) : undefined;
    const { base, facet } = conditions(params, { queryParam, filter: request.filter, mode }, now);
    const sort = effectiveSort(request.sort, mode);
    const { key, direction, cast } = sortKeys[sort];
    const score = scoreOf(mode, queryParam);
    const names = Object.keys(facet) as FacetName[];
    // m_<facet>: whether the row passes that facet's filter; the page and the total require them all, a facet all the others.
    const allBut = (name?: FacetName) =>
      names
        .filter((other) => other !== name)
        .map((other) => `m_${other}`)
        .join(' AND ');
    const passesAll = names.map((name) => `(${facet[name]})`).join(' AND ');
    const nearMisses = allButOneFilter(names.filter((name) => facet[name] !== 'true').map((name) => facet[name]));
    const after = cursor ? `AND (sort_key, entity_id) ${direction === 'DESC' ? '<' : '>'} (${param(cursor.key)}::${cast}, ${param(cursor.id)}::bigint)` : '';
    const limit = param(size);
    const headline = mode === 'text' ? headlineOf(`websearch_to_tsquery('search_english', ${queryParam})`) : 'NULL';
    const sql = `
      WITH ${categories ? `${categoriesBelow(categories)}, categories AS (SELECT array_agg(id) AS ids FROM below),` : ''}
      base AS MATERIALIZED (
        SELECT j.entity_id, j.job_type, j.experience_level, j.is_remote, j.location, j.category_ids, j.skill_ids, coalesce(j.salary_max, j.salary_min) AS pay,
               ${names.map((name) => `(${facet[name]}) AS m_${name}`).join(', ')},
               CASE WHEN ${passesAll} THEN ${score} END AS score,
               CASE WHEN ${passesAll} THEN ${key(score)} END AS sort_key
        FROM search_indexes j WHERE ${[...base, ...nearMisses].join(' AND ')}
      ), page AS (
        SELECT entity_id, score, sort_key FROM base WHERE ${allBut()} ${after}
        ORDER BY sort_key ${direction}, entity_id ${direction} LIMIT ${limit}::int + 1
      )
      SELECT (SELECT count(*)::int FROM base WHERE ${allBut()}) AS total,
             (SELECT count(*) > ${limit}::int FROM page) AS "hasNextPage",
             (SELECT coalesce(json_agg(json_build_object(
                 ${HIT_FIELDS}, 'score', p.score::float8, 'sortKey', p.sort_key::text, 'highlight', ${headline}
               ) ORDER BY p.sort_key ${direction}, p.entity_id ${direction}), '[]')
              FROM (SELECT * FROM page ORDER BY sort_key ${direction}, entity_id ${direction} LIMIT ${limit}::int) p
              JOIN search_indexes j ON j.entity_type = 'job' AND j.entity_id = p.entity_id
              LEFT JOIN search_indexes c ON c.entity_type = 'company' AND c.entity_id = j.company_id) AS hits,
             ${withFacets ? `(SELECT coalesce(json_agg(f), '[]') FROM (${facetsSql(allBut)}) f)` : 'NULL::json'} AS facets`;
    // The text holds a clause per filter given (one text per combination of filters, sort and
    // page), so it goes unnamed and leaves the service's prepared-statement names to its fixed
    // statements; its plan depends on the words searched anyway.
    const [row] = await db.rows<ResultRow>(sql, params.values, { prepared: false });
    const { total, hasNextPage, hits: found, facets } = row!;
    const hits = found.map(({ sortKey, ...hit }) => hitOf(hit, { sort: request.sort, mode, sortKey: sort === 'NEWEST' ? new Date(hit.postedAt).toISOString() : sortKey }));
    const counts = facets ? toCounts(total, facets) : { total };
    return { mode, hits, pageInfo: { hasNextPage, endCursor: hits.at(-1)?.cursor ?? null }, counts };
  }

  /**
   * The same read from the in-memory index (job-text-index.ts), with two statements: one before
   * (the query's tsquery, the location folded, the categories below those asked for), run while
   * the index reads what changed, and one after (the page's rows, highlights and the facets'
   * names). Undefined when the index cannot answer (not loaded, or a query it does not compile):
   * the caller asks PostgreSQL.
   */
  async function runInIndex(
    index: JobTextIndex,
    request: JobSearchRequest,
    mode: 'text' | 'all',
    size: number,
    cursor: Cursor | undefined,
    withFacets: boolean,
    now: Date,
  ): Promise<(JobSearchPage & { counts: Partial<JobCounts> & { total: number } }) | undefined> {
    const { filter } = request;
    if (cursor && !Number.isSafeInteger(Number(cursor.id))) return undefined;
    const needsPostgres = mode === 'text' || filter.location !== undefined || filter.categoryIds.length > 0;
    const [prepared, ready] = await Promise.all([
      needsPostgres
        ? db.rows<PreparedRow>(PREPARE, [mode === 'text' ? request.query : null, filter.location ?? null, filter.categoryIds.length > 0 ? filter.categoryIds : null])
        : [undefined],
      index.catchUp().catch(() => false),
    ]);
    if (!ready) return undefined;
    const query = mode === 'text' ? parseTsQuery(prepared[0]!.query!) : null;
    if (query === 'unsupported' || query === 'empty') return undefined;
    const indexFilter: IndexFilter = {
      companyIds: filter.companyIds.map(Number),
      salaryCurrency: filter.salaryCurrency,
      postedSince: filter.postedWithinDays ? now.getTime() - filter.postedWithinDays * 86_400_000 : undefined,
      jobTypes: filter.jobTypes,
      experienceLevels: filter.experienceLevels,
      isRemote: filter.isRemote,
      locationFolded: filter.location !== undefined ? prepared[0]!.location! : undefined,
      categoryIds: filter.categoryIds.length > 0 ? prepared[0]!.categories.map(Number) : undefined,
      skillIds: filter.skillIds.map(Number),
      salaryMin: filter.salaryMin,
      salaryMax: filter.salaryMax,
    };
    const sort = effectiveSort(request.sort, mode);
    const found = index.search({
      query,
      filter: indexFilter,
      sort,
      after: cursor ? { key: cursor.key, id: Number(cursor.id) } : undefined,
      size,
      withFacets,
      facetLimits: FACET_LIMIT,
      salaryBands,
    });
    if (!found) return undefined;
    const facetIds = (facet: string) => (found.facets ?? []).filter((row) => row.facet === facet).map((row) => row.value);
    const [page] = await db.rows<PageRow>(PAGE, [found.hits.map((hit) => hit.id), mode === 'text' ? prepared[0]!.query : null, facetIds('category'), facetIds('skill')]);
    const fields = new Map(page!.hits.map((hit) => [hit.id, hit]));
    const hits = found.hits.flatMap((hit) => {
      const row = fields.get(hit.id);
      return row ? [hitOf({ ...row, score: hit.score }, { sort: request.sort, mode, sortKey: hit.sortKey })] : [];
    });
    const names = new Map<string, string>([
      ...page!.categories.map(([id, name]) => [`category:${id}`, name] as const),
      ...page!.skills.map(([id, name]) => [`skill:${id}`, name] as const),
    ]);
    const facets = found.facets?.map((row) => ({ ...row, label: names.get(`${row.facet}:${row.value}`) ?? row.label }));
    const counts = facets ? toCounts(found.total, facets) : { total: found.total };
    return { mode, hits, pageInfo: { hasNextPage: found.hasNextPage, endCursor: hits.at(-1)?.cursor ?? null }, counts };
  }

  return {
    /**
     * A page of results with its total and (withFacets) its facets: from the in-memory index when it
     * can answer, else from one statement. A query the full-text search finds nothing for is tried
     * again by trigram similarity (misspelt words); the page's cursors remember which, so later
     * pages stay in it.
     */
    async search(request: JobSearchRequest, options: { withFacets: boolean }, now: Date): Promise<JobSearchPage & { counts: Partial<JobCounts> & { total: number } }> {
      const size = pageSize(request.first);
      const cursor = readCursor(request.after, request.sort);
      const first = !request.query ? 'all' : (cursor?.mode ?? 'text');
      const read = async (mode: MatchMode) =>
        (index && mode !== 'fuzzy' ? await runInIndex(index, request, mode, size, cursor, options.withFacets, now) : undefined) ??
        (await run(request, mode, size, cursor, options.withFacets, now));
      const found = await read(first);
      if (found.counts.total > 0 || cursor || first !== 'text') return found;
      return run(request, 'fuzzy', size, undefined, options.withFacets, now);
    },
  };
}

/**
 * What a row must pass to count anywhere, given the facet filters of a request: every one of them
 * but at most one. A row failing two is in no facet (each counts the rows that pass all filters
 * but its own), nor in the page or the total. Written as a disjunction of conjunctions ("a or b"
 * for two filters, "(b and c) or (a and c) or (a and b)" for three), PostgreSQL can answer it from
 * the filters' own indexes instead of reading every job the words match. With fewer than two facet
 * filters every row can count.
 */
export function allButOneFilter(filters: readonly string[]): string[] {
  if (filters.length < 2) return [];
  return [`(${filters.map((_, left) => `(${filters.filter((__, i) => i !== left).join(' AND ')})`).join(' OR ')})`];
}

type FacetName = 'jobType' | 'experienceLevel' | 'isRemote' | 'location' | 'category' | 'skill' | 'salary';

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
function toCounts(total: number, rows: FacetRow[]): JobCounts {
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
    total,
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

/**
 * searchJobs' statements run once on a connection (the service's warmUp): a query no document
 * holds, with every filter and the facets, so that they read nothing, then the similarity search
 * that follows a query the full text finds nothing for. A new PostgreSQL connection's first search
 * otherwise loads the read model's catalogs and statistics and the text-search dictionaries on a
 * client's time.
 */
export async function warmUpJobSearch(connection: WarmUpConnection, now: Date): Promise<void> {
  const search = createJobSearch({
    rows: async <Row>(sql: SqlFragment | string, values?: readonly unknown[]) => (await connection.query<Row>(sql as string, [...(values ?? [])])).rows,
  });
  const filter = parseJobFilter({
    jobTypes: ['FULL_TIME'],
    experienceLevels: ['MID'],
    isRemote: true,
    location: 'warm-up',
    categoryIds: ['1'],
    skillIds: ['1'],
    salaryMin: 1,
    salaryCurrency: 'EUR',
    postedWithinDays: 1,
  });
  await search.search({ query: 'zzwarmupzz', filter, sort: 'RELEVANCE', first: 20, after: undefined }, { withFacets: true }, now);
}
