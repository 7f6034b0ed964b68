import { shownUserProfile, type ShownUserProfile } from '@jobplatform/events';
import { SqlFragment, statement, type LeanSql } from '@jobplatform/service-runtime';
import type { CompanyRow, JobCategoryRow, JobRow } from './db.js';
import { Prisma } from './generated/prisma/client.js';
import type { JobCursor } from './job-pages.js';
import { jobListCount, jobListPage } from './job-list-sql.js';
import type { JobSkillModel } from './job-skills.js';
import type { JobFilter } from './validation.js';

/**
 * The reads every job page and list makes (a job by id, the filtered list's page and count,
 * companies, category links and the tree, skills), over the kit's node-postgres client instead of
 * Prisma's: each is one statement, and Prisma's client costs about ten times node-postgres' CPU per
 * statement. Rows come back under the Prisma models' field names and types (bigint ids, Date times,
 * Decimal salaries), so resolvers and rules take them as they took Prisma's.
 */

const JOB_COLUMNS = statement`j.id, j.title, j.description, j.requirements, j.responsibilities,
  j.company_id AS "companyId", j.employer_id AS "employerId", j.job_type AS "jobType", j.experience_level AS "experienceLevel",
  j.salary_min AS "salaryMin", j.salary_max AS "salaryMax", j.salary_currency AS "salaryCurrency", j.location,
  j.is_remote AS "isRemote", j.is_active AS "isActive", j.application_deadline AS "applicationDeadline",
  j.created_at AS "createdAt", j.updated_at AS "updatedAt", j.deleted_at AS "deletedAt"`;

const COMPANY_COLUMNS = statement`c.id, c.name, c.description, c.website, c.logo, c.industry, c.size, c.founded_year AS "foundedYear",
  c.location, c.is_verified AS "isVerified", c.created_at AS "createdAt", c.updated_at AS "updatedAt"`;

type LeanJobRow = Omit<JobRow, 'salaryMin' | 'salaryMax'> & { salaryMin: string | null; salaryMax: string | null };

/** numeric comes back as text; Prisma gives a Decimal of the same digits. */
const decimalOf = (text: string | null) => (text === null ? null : new Prisma.Decimal(text));

function toJobRow(row: LeanJobRow): JobRow {
  return { ...row, salaryMin: decimalOf(row.salaryMin), salaryMax: decimalOf(row.salaryMax) };
}

/** What a job page shows besides the job's own columns: `job(id)` reads those the client selected with the job. */
export type JobViewParts = { company: boolean; categories: boolean; skills: boolean; employer: boolean };

/** A job with what its page shows; a part is undefined when it was not asked for. */
export type JobView = {
  job: JobRow;
  company?: CompanyRow;
  /** The job's categories, unsorted, each with its parent (null at the top of the tree). */
  categories?: { category: JobCategoryRow; parent: JobCategoryRow | null }[];
  /** The job's skills, unsorted. */
  skills?: JobSkillModel[];
  /** Its employer's handle and names from the users replica; null when the replica has no row for them. */
  employer?: UserProfileRow | null;
};

/** An account's handle and names as shown (shownUserProfile), by id. */
export type UserProfileRow = ShownUserProfile & { id: bigint };

/** Rows as json_build_object gives them: ids as text, times as timestamp text without a zone (stored as UTC). */
type CategoryJson = { id: string; name: string; description: string | null; parentId: string | null; createdAt: string };
type CompanyJson = Omit<CompanyRow, 'id' | 'createdAt' | 'updatedAt'> & { id: string; createdAt: string; updatedAt: string };
type SkillJson = { isRequired: boolean; id: string; name: string; createdAt: string };
type ReplicaUserRow = { id: bigint; username: string | null; firstName: string | null; lastName: string | null; isActive: boolean };
type ReplicaUserJson = Omit<ReplicaUserRow, 'id'>;
type JobViewRow = LeanJobRow & {
  company: CompanyJson | null;
  categories: (CategoryJson & { parent: CategoryJson | null })[] | null;
  skills: SkillJson[] | null;
  /** Null when not asked for; `{ found: false }` when the replica has no row. */
  employer: (ReplicaUserJson & { found: true }) | { found: false } | null;
};

const utcTimestampOf = (text: string) => new Date(`${text}Z`);

const categoryOf = (json: CategoryJson): JobCategoryRow => ({
  id: BigInt(json.id),
  name: json.name,
  description: json.description,
  parentId: json.parentId === null ? null : BigInt(json.parentId),
  createdAt: utcTimestampOf(json.createdAt),
});

const companyOf = (json: CompanyJson): CompanyRow => ({
  ...json,
  id: BigInt(json.id),
  createdAt: utcTimestampOf(json.createdAt),
  updatedAt: utcTimestampOf(json.updatedAt),
});

function toJobView(row: JobViewRow): JobView {
  const { company, categories, skills, employer, ...job } = row;
  const view: JobView = { job: toJobRow(job) };
  if (employer !== null) view.employer = employer.found ? { id: job.employerId, ...shownUserProfile({ ...employer, id: job.employerId }) } : null;
  if (company !== null) view.company = companyOf(company);
  if (categories !== null) view.categories = categories.map((json) => ({ category: categoryOf(json), parent: json.parent === null ? null : categoryOf(json.parent) }));
  if (skills !== null)
    view.skills = skills.map((json) => ({ isRequired: json.isRequired, skill: { id: BigInt(json.id), name: json.name, createdAt: utcTimestampOf(json.createdAt) } }));
  return view;
}

const COMPANY_JSON = statement`(
  SELECT json_build_object('id', c.id::text, 'name', c.name, 'description', c.description, 'website', c.website, 'logo', c.logo,
    'industry', c.industry, 'size', c.size, 'foundedYear', c.founded_year, 'location', c.location, 'isVerified', c.is_verified,
    'createdAt', c.created_at, 'updatedAt', c.updated_at)
  FROM companies c WHERE c.id = j.company_id)`;

/** The key-value pairs of a category's JSON (CategoryJson), for the job_categories row under `alias`. */
const categoryPairs = (alias: 'c' | 'p') =>
  new SqlFragment(
    [`'id', ${alias}.id::text, 'name', ${alias}.name, 'description', ${alias}.description, 'parentId', ${alias}.parent_id::text, 'createdAt', ${alias}.created_at`],
    [],
  );

const CATEGORIES_JSON = statement`(
  SELECT COALESCE(json_agg(json_build_object(${categoryPairs('c')},
    'parent', CASE WHEN p.id IS NULL THEN NULL ELSE json_build_object(${categoryPairs('p')}) END)), '[]'::json)
  FROM job_categories_jobs l JOIN job_categories c ON c.id = l.category_id LEFT JOIN job_categories p ON p.id = c.parent_id
  WHERE l.job_id = j.id)`;

const SKILLS_JSON = statement`(
  SELECT COALESCE(json_agg(json_build_object('isRequired', l.is_required, 'id', s.id::text, 'name', s.name, 'createdAt', s.created_at)), '[]'::json)
  FROM job_skills_jobs l JOIN job_skills s ON s.id = l.skill_id WHERE l.job_id = j.id)`;

const EMPLOYER_JSON = statement`COALESCE((
  SELECT json_build_object('found', true, 'username', u.username, 'firstName', u.first_name, 'lastName', u.last_name, 'isActive', u.is_active)
  FROM user_replicas u WHERE u.id = j.employer_id), '{"found": false}'::json)`;

export function createLeanReads(sql: LeanSql) {
  return {
    /** Jobs by id, deleted ones included. */
    async jobsById(ids: readonly bigint[]): Promise<JobRow[]> {
      const rows = await sql.rows<LeanJobRow>(statement`SELECT ${JOB_COLUMNS} FROM jobs j WHERE j.id = ANY(${ids}::bigint[])`);
      return rows.map(toJobRow);
    },

    /**
     * Jobs by id, deleted ones included, each read in one statement with the parts of its page
     * asked for (its company, its categories with their parents, its skills).
     */
    async jobViews(ids: readonly bigint[], parts: JobViewParts): Promise<JobView[]> {
      const rows = await sql.rows<JobViewRow>(statement`
        SELECT ${JOB_COLUMNS},
          ${parts.company ? COMPANY_JSON : statement`NULL::json`} AS company,
          ${parts.categories ? CATEGORIES_JSON : statement`NULL::json`} AS categories,
          ${parts.skills ? SKILLS_JSON : statement`NULL::json`} AS skills,
          ${parts.employer ? EMPLOYER_JSON : statement`NULL::json`} AS employer
        FROM jobs j WHERE j.id = ANY(${ids}::bigint[])`);
      return rows.map(toJobView);
    },

    /** Accounts' handles and names as shown (shownUserProfile), from the users replica; absent ids have no row. */
    async userProfiles(ids: readonly bigint[]): Promise<UserProfileRow[]> {
      const rows = await sql.rows<ReplicaUserRow>(statement`
        SELECT id, username, first_name AS "firstName", last_name AS "lastName", is_active AS "isActive" FROM user_replicas WHERE id = ANY(${ids}::bigint[])`);
      return rows.map((row) => ({ id: row.id, ...shownUserProfile(row) }));
    },

    /** A page of `jobs(filter, first, after)`: size + 1 rows at most, newest first. */
    async jobList(filter: JobFilter, cursor: JobCursor | undefined, size: number): Promise<JobRow[]> {
      const rows = await sql.rows<LeanJobRow>(jobListPage(JOB_COLUMNS, filter, cursor, size));
      return rows.map(toJobRow);
    },

    /** How many jobs `jobs(filter:)` holds, over all its pages. */
    async jobListCount(filter: JobFilter): Promise<number> {
      const [row] = await sql.rows<{ n: number }>(jobListCount(filter));
      return row!.n;
    },

    companiesById(ids: readonly bigint[]): Promise<CompanyRow[]> {
      return sql.rows<CompanyRow>(statement`SELECT ${COMPANY_COLUMNS} FROM companies c WHERE c.id = ANY(${ids}::bigint[])`);
    },

    categoryLinks(jobIds: readonly bigint[]): Promise<{ jobId: bigint; categoryId: bigint }[]> {
      return sql.rows(statement`SELECT job_id AS "jobId", category_id AS "categoryId" FROM job_categories_jobs WHERE job_id = ANY(${jobIds}::bigint[])`);
    },

    /** Every category, by name (the tree a request walks). */
    allCategories(): Promise<JobCategoryRow[]> {
      return sql.rows(statement`SELECT id, name, description, parent_id AS "parentId", created_at AS "createdAt" FROM job_categories ORDER BY name`);
    },

    /** Each job's skills with whether it requires them, unsorted. */
    async skillsOfJobs(jobIds: readonly bigint[]): Promise<(JobSkillModel & { jobId: bigint })[]> {
      const rows = await sql.rows<{ jobId: bigint; isRequired: boolean; id: bigint; name: string; createdAt: Date }>(statement`
        SELECT l.job_id AS "jobId", l.is_required AS "isRequired", s.id, s.name, s.created_at AS "createdAt"
        FROM job_skills_jobs l JOIN job_skills s ON s.id = l.skill_id
        WHERE l.job_id = ANY(${jobIds}::bigint[])`);
      return rows.map((row) => ({ jobId: row.jobId, isRequired: row.isRequired, skill: { id: row.id, name: row.name, createdAt: row.createdAt } }));
    },
  };
}

export type LeanReads = ReturnType<typeof createLeanReads>;
