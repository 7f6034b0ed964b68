import { emptyStatement, SqlFragment, statement } from '@jobplatform/service-runtime';
import type { JobCursor } from './job-pages.js';
import type { JobFilter } from './validation.js';

/**
 * The SQL of `jobs(filter, first, after)`: which jobs a validated filter keeps, as conditions on
 * `jobs j`, shared by the page and its count. Values are always parameters. The conditions always
 * say `deleted_at IS NULL`, and the scalar filters but location and company name only columns of
 * jobs_filter_count_idx, so that the count of such a filter is an index-only scan of that partial
 * index (test/list-indexes.test.ts).
 */

/** `%`, `_` and `\` in the user's text stand for themselves in (I)LIKE, whose escape is `\`. */
export const likeLiteral = (text: string) => text.replace(/[\\%_]/g, (character) => `\\${character}`);

/** `a AND b AND ...` of fragments, each with its own values. */
const allOf = (conditions: readonly SqlFragment[]) => new SqlFragment(['', ...conditions.slice(1).map(() => ' AND '), ''], conditions);

/** A salary bound with two decimals, as DECIMAL(10,2) holds it. */
const money = (value: number) => value.toFixed(2);

/** The conditions of a filter (deleted jobs never; open ones when isActive is not given, both for null). */
function jobFilterConditions(filter: JobFilter): SqlFragment {
  const conditions = [statement`j.deleted_at IS NULL`];
  const isActive = filter.isActive === undefined ? true : filter.isActive;
  if (isActive !== null) conditions.push(statement`j.is_active = ${isActive}::boolean`);
  if (filter.jobTypes?.length) conditions.push(statement`j.job_type = ANY(${filter.jobTypes}::text[])`);
  if (filter.experienceLevels?.length) conditions.push(statement`j.experience_level = ANY(${filter.experienceLevels}::text[])`);
  if (filter.isRemote !== null && filter.isRemote !== undefined) conditions.push(statement`j.is_remote = ${filter.isRemote}::boolean`);
  if (filter.location) conditions.push(statement`j.location ILIKE ${`%${likeLiteral(filter.location)}%`}::text`);
  // A job's range overlaps the wanted one; a job with one bound only is taken at that bound.
  if (filter.salaryMin !== null && filter.salaryMin !== undefined) {
    const atLeast = money(filter.salaryMin);
    conditions.push(statement`(j.salary_max >= ${atLeast}::numeric OR (j.salary_max IS NULL AND j.salary_min >= ${atLeast}::numeric))`);
  }
  if (filter.salaryMax !== null && filter.salaryMax !== undefined) {
    const atMost = money(filter.salaryMax);
    conditions.push(statement`(j.salary_min <= ${atMost}::numeric OR (j.salary_min IS NULL AND j.salary_max <= ${atMost}::numeric))`);
  }
  if (filter.salaryCurrency) conditions.push(statement`j.salary_currency = ${filter.salaryCurrency}::text`);
  if (filter.companyId) conditions.push(statement`j.company_id = ${filter.companyId}::bigint`);
  // A category stands for its whole subtree; the walk is part of the statement.
  if (filter.categoryId) {
    conditions.push(statement`j.id IN (
      SELECT l.job_id FROM job_categories_jobs l
      WHERE l.category_id IN (
        WITH RECURSIVE below(id) AS (
          SELECT id FROM job_categories WHERE id = ${filter.categoryId}::bigint
          UNION
          SELECT c.id FROM job_categories c JOIN below b ON c.parent_id = b.id
        )
        SELECT id FROM below))`);
  }
  if (filter.skillId) conditions.push(statement`j.id IN (SELECT l.job_id FROM job_skills_jobs l WHERE l.skill_id = ${filter.skillId}::bigint)`);
  return allOf(conditions);
}

/** Jobs strictly after the cursor in newest-first order (every job without one). */
function pastCursor(cursor: JobCursor | undefined): SqlFragment {
  return cursor ? statement` AND (j.created_at, j.id) < (${cursor.createdAt}::timestamp(3), ${cursor.id}::bigint)` : emptyStatement;
}

/** One page: `columns` of the matching jobs after the cursor, newest first, size + 1 rows (the last only says that more follow). */
export function jobListPage(columns: SqlFragment, filter: JobFilter, cursor: JobCursor | undefined, size: number): SqlFragment {
  return statement`SELECT ${columns} FROM jobs j
    WHERE ${jobFilterConditions(filter)}${pastCursor(cursor)}
    ORDER BY j.created_at DESC, j.id DESC
    LIMIT ${size + 1}::int`;
}

/** How many jobs match, as `n`. */
export function jobListCount(filter: JobFilter): SqlFragment {
  return statement`SELECT count(*)::int AS n FROM jobs j WHERE ${jobFilterConditions(filter)}`;
}
