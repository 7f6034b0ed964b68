// The floor of bench:search: what a page of `searchJobs` (a full-text query, filters, every facet)
// costs when computed by one hand-written statement on search_db, with nothing else around it. It
// gives the same result as the search service for a query that the full-text search matches
// (sort RELEVANCE): the page's jobs with their score and highlight, whether a next page follows,
// the total, and every facet counted disjunctively (each ignores its own filter), with the
// service's limits and tie-breaks. The benchmark checks that on a sample before measuring.
import pg from 'pg';

/** `searchJobs`' variables as the benchmark sends them: the client operation's, sort left to RELEVANCE. */
export type SearchVariables = {
  query: string;
  first: number;
  after?: string | null;
  filter: {
    jobTypes?: string[];
    experienceLevels?: string[];
    isRemote?: boolean;
    location?: string;
    categoryIds?: string[];
    skillIds?: string[];
    companyIds?: string[];
    salaryMin?: number;
    salaryMax?: number;
    salaryCurrency?: string;
    postedWithinDays?: number;
  };
};

/** ts_headline's options as the service gives them; \u0001 and \u0002 mark the matches until the text is escaped. */
const HEADLINE_OPTIONS = 'StartSel=\u0001, StopSel=\u0002, MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "';
const SALARY_BANDS = 'ARRAY[0, 25000, 50000, 75000, 100000, 150000, 200000]::numeric[]';

/** Per facet, whether a row passes that facet's filter (true when the filter is not given). */
const flags = {
  job_type: `($2::text[] IS NULL OR j.job_type = ANY($2))`,
  level: `($3::text[] IS NULL OR j.experience_level = ANY($3))`,
  remote: `($4::boolean IS NULL OR j.is_remote = $4)`,
  location: `($5::text IS NULL OR j.location_folded LIKE '%' || search_fold($5) || '%')`,
  category: `($6::bigint[] IS NULL OR j.category_ids && (SELECT ids FROM categories))`,
  skill: `($7::bigint[] IS NULL OR j.skill_ids && $7)`,
  salary: `($9::numeric IS NULL OR coalesce(j.salary_max, j.salary_min) >= $9) AND ($10::numeric IS NULL OR coalesce(j.salary_min, j.salary_max) <= $10)`,
};
type Flag = keyof typeof flags;
const names = Object.keys(flags) as Flag[];
const allBut = (flag?: Flag) =>
  names
    .filter((name) => name !== flag)
    .map((name) => `m_${name}`)
    .join(' AND ');
const escapeHtml = (sql: string) =>
  [
    ['&', '&amp;'],
    ['<', '&lt;'],
    ['>', '&gt;'],
    ['"', '&quot;'],
    ["''", '&#39;'],
  ].reduce((text, [from, to]) => `replace(${text}, '${from}', '${to}')`, sql);

/** An enum facet: its values upper case, in the enum's order. */
const enumFacet = (column: string, flag: Flag, order: string[]) => `
  (SELECT coalesce(json_agg(json_build_object('value', upper(v), 'count', n) ORDER BY array_position(ARRAY[${order.map((v) => `'${v}'`).join(', ')}], v)), '[]')
   FROM (SELECT ${column} AS v, count(*)::int AS n FROM base WHERE ${allBut(flag)} GROUP BY 1) f)`;
/** A facet of the most frequent values (ties by value), at most `limit`. */
const topFacet = (from: string, value: string, flag: Flag, limit: number) => `
  (SELECT coalesce(json_agg(json_build_object('value', v::text, 'count', n) ORDER BY n DESC, v), '[]')
   FROM (SELECT ${value} AS v, count(*)::int AS n FROM ${from} WHERE ${allBut(flag)} AND ${value} IS NOT NULL GROUP BY 1 ORDER BY n DESC, 1 LIMIT ${limit}) f)`;

/**
 * One statement: the jobs the query matches (GIN on search_vector), each with a flag per facet
 * filter, read once; the page, the total and the facets are computed from that set, and the
 * result leaves PostgreSQL as the JSON the client gets.
 */
const FLOOR_SQL = `
  WITH RECURSIVE below(id) AS (
    SELECT unnest($6::bigint[]) UNION SELECT c.id FROM search_categories c JOIN below b ON c.parent_id = b.id
  ), categories AS (SELECT array_agg(id) AS ids FROM below),
  base AS MATERIALIZED (
    SELECT j.entity_id, j.job_type, j.experience_level, j.is_remote, j.location, j.category_ids, j.skill_ids, coalesce(j.salary_max, j.salary_min) AS pay,
           ${names.map((name) => `${flags[name]} AS m_${name}`).join(', ')},
           CASE WHEN ${names.map((name) => flags[name]).join(' AND ')}
             THEN round(ts_rank(j.search_vector, websearch_to_tsquery('search_english', $1))::numeric, 6) END AS score
    FROM search_indexes j
    WHERE j.entity_type = 'job' AND j.is_active AND j.search_vector @@ websearch_to_tsquery('search_english', $1)
      AND ($8::bigint[] IS NULL OR j.company_id = ANY($8)) AND ($11::text IS NULL OR j.salary_currency = $11)
      AND ($12::int IS NULL OR j.posted_at >= now() - make_interval(days => $12))
      -- A job failing two filters counts nowhere: not in the page or the total, nor in any facet.
      AND ${names.map((name) => `coalesce((NOT ${flags[name]})::int, 1)`).join(' + ')} <= 1
  ), page AS (
    SELECT entity_id, score FROM base
    WHERE score IS NOT NULL AND ($13::numeric IS NULL OR (score, entity_id) < ($13, $14::bigint))
    ORDER BY score DESC, entity_id DESC LIMIT $15::int + 1
  )
  SELECT json_build_object('data', json_build_object('searchJobs', json_build_object(
    'totalCount', (SELECT count(*)::int FROM base WHERE score IS NOT NULL),
    'pageInfo', json_build_object('hasNextPage', (SELECT count(*) > $15 FROM page)),
    'edges', (SELECT coalesce(json_agg(json_build_object(
        'score', p.score::float8,
        'highlight', replace(replace(${escapeHtml(`ts_headline('search_english', j.body, websearch_to_tsquery('search_english', $1), $16)`)}, chr(1), '<mark>'), chr(2), '</mark>'),
        'node', json_build_object('id', j.entity_id::text, 'title', j.title, 'location', j.location, 'isRemote', j.is_remote, 'jobType', upper(j.job_type),
          'experienceLevel', upper(j.experience_level), 'salaryMin', j.salary_min::float8, 'salaryMax', j.salary_max::float8, 'salaryCurrency', j.salary_currency,
          'createdAt', j.posted_at, 'company', json_build_object('id', j.company_id::text, 'name', j.company_name, 'logo', c.metadata->>'logo'))
      ) ORDER BY p.score DESC, p.entity_id DESC), '[]')
      FROM (SELECT * FROM page ORDER BY score DESC, entity_id DESC LIMIT $15) p
      JOIN search_indexes j ON j.entity_type = 'job' AND j.entity_id = p.entity_id
      LEFT JOIN search_indexes c ON c.entity_type = 'company' AND c.entity_id = j.company_id),
    'facets', json_build_object(
      'jobType', ${enumFacet('job_type', 'job_type', ['full_time', 'part_time', 'contract', 'internship', 'freelance'])},
      'experienceLevel', ${enumFacet('experience_level', 'level', ['entry', 'mid', 'senior', 'executive'])},
      'isRemote', (SELECT coalesce(json_agg(json_build_object('value', v::text, 'count', n) ORDER BY v DESC), '[]')
        FROM (SELECT is_remote AS v, count(*)::int AS n FROM base WHERE ${allBut('remote')} GROUP BY 1) f),
      'category', ${topFacet('base, unnest(category_ids) AS id', 'id', 'category', 20)},
      'skill', ${topFacet('base, unnest(skill_ids) AS id', 'id', 'skill', 20)},
      'location', ${topFacet('base', 'location', 'location', 10)},
      'salary', (SELECT coalesce(json_agg(json_build_object('min', (${SALARY_BANDS})[band]::float8, 'max', (${SALARY_BANDS})[band + 1]::float8, 'count', n) ORDER BY band), '[]')
        FROM (SELECT width_bucket(pay, ${SALARY_BANDS}) AS band, count(*)::int AS n FROM base WHERE ${allBut('salary')} AND pay IS NOT NULL GROUP BY 1) f)
    )
  )))::text AS body`;

/** `LIKE` pattern text that matches the value literally, as the service escapes a location. */
const escapeLike = (value: string) => value.replace(/[\\%_]/g, (char) => `\\${char}`);
const listOrNull = (values: string[] | undefined, map: (value: string) => string = (value) => value) => (values && values.length > 0 ? values.map(map) : null);

/** The statement's parameters for a request; the cursor is the service's (sort, mode, score, id). */
function parametersOf(variables: SearchVariables): unknown[] {
  const { filter } = variables;
  const cursor = variables.after ? (JSON.parse(Buffer.from(variables.after, 'base64url').toString('utf8')) as string[]) : undefined;
  return [
    variables.query,
    listOrNull(filter.jobTypes, (value) => value.toLowerCase()),
    listOrNull(filter.experienceLevels, (value) => value.toLowerCase()),
    filter.isRemote ?? null,
    filter.location ? escapeLike(filter.location) : null,
    listOrNull(filter.categoryIds),
    listOrNull(filter.skillIds),
    listOrNull(filter.companyIds),
    filter.salaryMin ?? null,
    filter.salaryMax ?? null,
    filter.salaryCurrency ?? null,
    filter.postedWithinDays ?? null,
    cursor?.[2] ?? null,
    cursor?.[3] ?? null,
    variables.first,
    HEADLINE_OPTIONS,
  ];
}

/** The response body for one request: `{"data":{"searchJobs":…}}`, made by PostgreSQL. */
export async function searchFloor(db: pg.Pool | pg.Client, variables: SearchVariables): Promise<string> {
  const { rows } = await db.query<{ body: string }>(FLOOR_SQL, parametersOf(variables));
  return rows[0]!.body;
}

/** The statement and its parameters, for EXPLAIN. */
export const floorStatement = (variables: SearchVariables) => ({ text: FLOOR_SQL, values: parametersOf(variables) });
