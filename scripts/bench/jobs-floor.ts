// The floors of bench:jobs: what JobDetail's jobs part and a filtered page of `jobs` cost when each
// is one hand-written statement on jobs_db, with nothing else around it. Each statement returns the
// whole GraphQL response body, built by PostgreSQL, equal to what the jobs subgraph answers for
// the benchmark's requests: the same fields, nulls and orders, the scalars spelt as the subgraph
// spells them. The benchmark checks that before measuring.
import type pg from 'pg';

/** `jobs`' variables as the benchmark sends them: the filters below, no `after`. */
export type JobListVariables = {
  first: number;
  filter: { jobTypes?: string[]; experienceLevels?: string[]; salaryMin?: number; salaryCurrency?: string };
};
const SUPPORTED_FILTERS = new Set(['jobTypes', 'experienceLevels', 'salaryMin', 'salaryCurrency']);

/** A TIMESTAMP(3) column (UTC without a zone) as the subgraph's DateTime: ISO 8601 in UTC with milliseconds. */
const dateTime = (column: string) => `to_char(${column}, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * Names in the order the subgraph sorts them, JavaScript's localeCompare (ICU, en-US): the
 * database's own collation is C (initdb --no-locale), which puts `dbt` and `esbuild` after `Ruby`.
 */
const BY_NAME = 'COLLATE "en-x-icu"';

/**
 * JobDetail: the job (null when deleted or absent), its company, its employer's handle and names
 * from the users replica as jobs shows them (the tombstone handle of an erased account, no names
 * once inactive), its categories by name with their parent, its skills required first and then by
 * name. Enums upper case, DECIMAL salaries as the doubles the subgraph sends, the deadline as
 * YYYY-MM-DD.
 */
const JOB_DETAIL_SQL = `
  SELECT json_build_object('data', json_build_object('job', (
    SELECT json_build_object(
      'id', j.id::text, 'title', j.title, 'description', j.description, 'requirements', j.requirements, 'responsibilities', j.responsibilities,
      'jobType', upper(j.job_type), 'experienceLevel', upper(j.experience_level),
      'salaryMin', j.salary_min::float8, 'salaryMax', j.salary_max::float8, 'salaryCurrency', j.salary_currency,
      'location', j.location, 'isRemote', j.is_remote, 'isActive', j.is_active,
      'applicationDeadline', to_char(j.application_deadline, 'YYYY-MM-DD'), 'createdAt', ${dateTime('j.created_at')},
      'company', json_build_object('id', c.id::text, 'name', c.name, 'logo', c.logo, 'industry', c.industry, 'size', upper(c.size), 'location', c.location),
      'employer', json_build_object('id', j.employer_id::text, 'username', coalesce(u.username, 'erased~' || j.employer_id),
        'firstName', CASE WHEN u.is_active THEN u.first_name END, 'lastName', CASE WHEN u.is_active THEN u.last_name END),
      'categories', (
        SELECT coalesce(json_agg(json_build_object(
            'id', k.id::text, 'name', k.name,
            'parent', CASE WHEN p.id IS NOT NULL THEN json_build_object('id', p.id::text, 'name', p.name) END
          ) ORDER BY k.name ${BY_NAME}), '[]')
        FROM job_categories_jobs l JOIN job_categories k ON k.id = l.category_id LEFT JOIN job_categories p ON p.id = k.parent_id
        WHERE l.job_id = j.id),
      'skills', (
        SELECT coalesce(json_agg(json_build_object('isRequired', l.is_required, 'skill', json_build_object('id', s.id::text, 'name', s.name))
          ORDER BY l.is_required DESC, s.name ${BY_NAME}), '[]')
        FROM job_skills_jobs l JOIN job_skills s ON s.id = l.skill_id
        WHERE l.job_id = j.id)
    )
    FROM jobs j JOIN companies c ON c.id = j.company_id JOIN user_replicas u ON u.id = j.employer_id
    WHERE j.id = $1::bigint AND j.deleted_at IS NULL
  )))::text AS body`;

/**
 * Which jobs the filter keeps, as the subgraph's conditions (open, not deleted; a job with one
 * salary bound is taken at that bound). A filter not given is a NULL parameter: the statement is
 * planned for its parameters, so those conditions fold away and the count can read
 * jobs_filter_count_idx alone, as the subgraph's count does.
 */
const MATCHING = `j.deleted_at IS NULL AND j.is_active = true
  AND ($1::text[] IS NULL OR j.job_type = ANY($1::text[]))
  AND ($2::text[] IS NULL OR j.experience_level = ANY($2::text[]))
  AND ($3::numeric IS NULL OR j.salary_max >= $3::numeric OR (j.salary_max IS NULL AND j.salary_min >= $3::numeric))
  AND ($4::text IS NULL OR j.salary_currency = $4::text)`;

/**
 * The subgraph's cursor: base64url of the JSON array [createdAt as ISO text, id as text], as
 * encodeCursor writes it. translate() makes base64 base64url and drops the padding; the JSON is at
 * most 50 bytes, under the 57 after which encode() would break the line.
 */
const CURSOR = `translate(encode(convert_to('["' || ${dateTime('j.created_at')} || '","' || j.id::text || '"]', 'UTF8'), 'base64'), E'+/=\\n', '-_')`;

/**
 * `jobs(filter, first)`: the total, the page newest first (first + 1 rows read, the last only
 * says that more follow) with each job's company name, and where the page ends.
 */
const JOB_LIST_SQL = `
  WITH page AS MATERIALIZED (
    SELECT j.id, j.title, j.location, j.is_remote, j.job_type, j.company_id, j.created_at, ${CURSOR} AS cursor
    FROM jobs j
    WHERE ${MATCHING}
    ORDER BY j.created_at DESC, j.id DESC
    LIMIT $5::int + 1
  ), edges AS (
    SELECT * FROM page ORDER BY created_at DESC, id DESC LIMIT $5::int
  )
  SELECT json_build_object('data', json_build_object('jobs', json_build_object(
    'totalCount', (SELECT count(*)::int FROM jobs j WHERE ${MATCHING}),
    'edges', (
      SELECT coalesce(json_agg(json_build_object(
          'cursor', e.cursor,
          'node', json_build_object('id', e.id::text, 'title', e.title, 'location', e.location, 'isRemote', e.is_remote, 'jobType', upper(e.job_type),
            'company', json_build_object('name', c.name))
        ) ORDER BY e.created_at DESC, e.id DESC), '[]')
      FROM edges e JOIN companies c ON c.id = e.company_id),
    'pageInfo', json_build_object(
      'hasNextPage', (SELECT count(*) > $5::int FROM page),
      'endCursor', (SELECT cursor FROM edges ORDER BY created_at, id LIMIT 1))
  )))::text AS body`;

const listOrNull = (values: string[] | undefined) => (values && values.length > 0 ? values.map((value) => value.toLowerCase()) : null);

/** The list statement's parameters; a filter the floor does not implement is refused, not ignored. */
function listParameters({ filter, first }: JobListVariables): unknown[] {
  const unsupported = Object.keys(filter).filter((key) => !SUPPORTED_FILTERS.has(key));
  if (unsupported.length > 0) throw new Error(`the jobs floor does not implement the filter ${unsupported.join(', ')}`);
  return [
    listOrNull(filter.jobTypes),
    listOrNull(filter.experienceLevels),
    // The subgraph compares with the bound at two decimals, as DECIMAL(10,2) holds it.
    filter.salaryMin === undefined ? null : filter.salaryMin.toFixed(2),
    filter.salaryCurrency?.trim().toUpperCase() ?? null,
    first,
  ];
}

async function bodyOf(db: pg.Pool | pg.Client, text: string, values: unknown[]): Promise<string> {
  const { rows } = await db.query<{ body: string }>(text, values);
  return rows[0]!.body;
}

/** The response body of JobDetail for one job: `{"data":{"job":…}}`, made by PostgreSQL. */
export async function jobDetailFloor(db: pg.Pool | pg.Client, id: string): Promise<string> {
  return bodyOf(db, JOB_DETAIL_SQL, [id]);
}

/** The response body of a filtered first page of `jobs`: `{"data":{"jobs":…}}`, made by PostgreSQL. */
export async function jobListFloor(db: pg.Pool | pg.Client, variables: JobListVariables): Promise<string> {
  return bodyOf(db, JOB_LIST_SQL, listParameters(variables));
}
