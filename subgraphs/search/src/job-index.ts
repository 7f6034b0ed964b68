import type { EventEnvelope } from '@jobplatform/events';
import type { SqlRunner } from './db.js';

export type JobEvent = EventEnvelope<'jobs.job.created.v1' | 'jobs.job.updated.v1' | 'jobs.job.closed.v1' | 'jobs.job.deleted.v1'>;
export type CompanyEvent = EventEnvelope<'jobs.company.created.v1' | 'jobs.company.updated.v1'>;
export type JobSnapshot = JobEvent['data']['job'];
export type CompanySnapshot = CompanyEvent['data']['company'];
/** The live read model, or the one a rebuild fills beside it (reindex.ts). */
export type IndexTable = 'search_indexes' | 'search_indexes_next';

/** The subjects the read model is kept from, by the search-job-index consumer. */
export const jobIndexSubjects = [
  'jobs.job.created.v1',
  'jobs.job.updated.v1',
  'jobs.job.closed.v1',
  'jobs.job.deleted.v1',
  'jobs.company.created.v1',
  'jobs.company.updated.v1',
] as const;

/** What a job's document is made of: the columns search_document() weighs. */
export function jobDocumentOf(job: JobSnapshot) {
  return {
    title: job.title,
    tags: [...job.skills.map((skill) => skill.name), ...job.categories.map((category) => category.name)].join(' '),
    location: job.location,
    body: [job.description, job.requirements].filter((part): part is string => Boolean(part)).join('\n'),
  };
}

/**
 * Writes a job into the read model as the event describes it, unless a newer event already did
 * (source_version: the event's time in ms; events of one job arrive in order, so an equal version is
 * a later event of the same millisecond). Closed and deleted jobs stay as inactive rows, so that a
 * late event cannot bring them back into results. The company's name comes from the company's own
 * row when search has it, since a rename reaches search as a company event. Returns whether the row
 * changed and the job is open.
 */
export async function indexJob(
  db: SqlRunner,
  job: JobSnapshot,
  options: { version: number; deleted: boolean; table?: IndexTable },
): Promise<{ applied: boolean; active: boolean }> {
  const table = options.table ?? 'search_indexes';
  const document = jobDocumentOf(job);
  const active = job.isActive && !options.deleted;
  await upsertCategoriesAndSkills(db, job);
  const rows = await db.$queryRawUnsafe<{ id: bigint }[]>(
    `INSERT INTO ${table} AS s (entity_type, entity_id, title, tags, company_name, location, location_folded, body, search_vector, is_active, company_id,
        job_type, experience_level, is_remote, salary_min, salary_max, salary_currency, category_ids, skill_ids, posted_at, source_version, updated_at)
     SELECT 'job', $1::bigint, $2::text, $3::text, n.name, $4::text, search_fold($4::text), $5::text, search_document($2::text, $3::text, n.name, $4::text, $5::text), $6::boolean, $7::bigint,
        $8::text, $9::text, $10::boolean, $11::numeric, $12::numeric, $13::text, $14::bigint[], $15::bigint[], $16::timestamptz, $17::bigint, now()
     FROM (SELECT coalesce((SELECT title::text FROM ${table} WHERE entity_type = 'company' AND entity_id = $7::bigint), $18::text) AS name) n
     ON CONFLICT (entity_type, entity_id) DO UPDATE SET
        title = EXCLUDED.title, tags = EXCLUDED.tags, company_name = EXCLUDED.company_name, location = EXCLUDED.location, location_folded = EXCLUDED.location_folded, body = EXCLUDED.body,
        search_vector = EXCLUDED.search_vector, is_active = EXCLUDED.is_active, company_id = EXCLUDED.company_id,
        job_type = EXCLUDED.job_type, experience_level = EXCLUDED.experience_level, is_remote = EXCLUDED.is_remote,
        salary_min = EXCLUDED.salary_min, salary_max = EXCLUDED.salary_max, salary_currency = EXCLUDED.salary_currency,
        category_ids = EXCLUDED.category_ids, skill_ids = EXCLUDED.skill_ids, posted_at = EXCLUDED.posted_at,
        source_version = EXCLUDED.source_version, updated_at = now()
     WHERE s.source_version <= EXCLUDED.source_version
     RETURNING s.id`,
    job.id,
    document.title,
    document.tags,
    document.location,
    document.body,
    active,
    job.companyId,
    job.jobType,
    job.experienceLevel,
    job.isRemote,
    job.salaryMin,
    job.salaryMax,
    job.salaryCurrency,
    job.categories.map((category) => category.id),
    job.skills.map((skill) => skill.id),
    job.createdAt,
    options.version,
    job.companyName,
  );
  return { applied: rows.length > 0, active };
}

/**
 * Category and skill names (and the category tree) as the newest job event names them: facet labels,
 * sub-category filters, suggestions. Only rows that are missing or differ are written: an upsert
 * locks its row even when it changes nothing, and the consumer indexes jobs in concurrent
 * transactions, which would then queue on every popular skill and deadlock when two take the same
 * rows in different orders. What is written is written in id order.
 */
async function upsertCategoriesAndSkills(db: SqlRunner, job: JobSnapshot): Promise<void> {
  if (job.categories.length > 0) {
    await db.$executeRawUnsafe(
      `INSERT INTO search_categories (id, name, parent_id)
       SELECT v.id, v.name, v.parent_id FROM unnest($1::bigint[], $2::text[], $3::bigint[]) AS v(id, name, parent_id)
       WHERE NOT EXISTS (SELECT 1 FROM search_categories c WHERE c.id = v.id AND c.name = v.name AND (NOT $4::boolean OR c.parent_id IS NOT DISTINCT FROM v.parent_id))
       ORDER BY v.id
       ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, parent_id = CASE WHEN $4::boolean THEN EXCLUDED.parent_id ELSE search_categories.parent_id END`,
      job.categories.map((category) => category.id),
      job.categories.map((category) => category.name),
      job.categories.map((category) => category.parentId ?? null),
      // Events written before categories carried their parent say nothing about it.
      job.categories.every((category) => category.parentId !== undefined),
    );
  }
  if (job.skills.length > 0) {
    await db.$executeRawUnsafe(
      `INSERT INTO search_skills (id, name)
       SELECT v.id, v.name FROM unnest($1::bigint[], $2::text[]) AS v(id, name)
       WHERE NOT EXISTS (SELECT 1 FROM search_skills s WHERE s.id = v.id AND s.name = v.name)
       ORDER BY v.id
       ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name`,
      job.skills.map((skill) => skill.id),
      job.skills.map((skill) => skill.name),
    );
  }
}

/**
 * Writes a company into the read model (name, industry, location and description are searchable),
 * and when its name changed, the company name in the documents of its jobs.
 */
export async function indexCompany(db: SqlRunner, company: CompanySnapshot, options: { version: number; table?: IndexTable }): Promise<{ applied: boolean }> {
  const table = options.table ?? 'search_indexes';
  const metadata = { logo: company.logo, industry: company.industry, size: company.size, website: company.website, isVerified: company.isVerified };
  const rows = await db.$queryRawUnsafe<{ id: bigint }[]>(
    `INSERT INTO ${table} AS s (entity_type, entity_id, title, tags, location, location_folded, body, search_vector, metadata, is_active, posted_at, source_version, updated_at)
     VALUES ('company', $1::bigint, $2::text, $3::text, $4::text, search_fold($4::text), $5::text, search_document($2::text, $3::text, NULL, $4::text, $5::text), $6::jsonb, true, $7::timestamptz, $8::bigint, now())
     ON CONFLICT (entity_type, entity_id) DO UPDATE SET
        title = EXCLUDED.title, tags = EXCLUDED.tags, location = EXCLUDED.location, location_folded = EXCLUDED.location_folded, body = EXCLUDED.body, search_vector = EXCLUDED.search_vector,
        metadata = EXCLUDED.metadata, posted_at = EXCLUDED.posted_at, source_version = EXCLUDED.source_version, updated_at = now()
     WHERE s.source_version <= EXCLUDED.source_version
     RETURNING s.id`,
    company.id,
    company.name,
    company.industry ?? '',
    company.location,
    company.description ?? '',
    JSON.stringify(metadata),
    company.createdAt,
    options.version,
  );
  if (rows.length === 0) return { applied: false };
  await db.$executeRawUnsafe(
    `UPDATE ${table} SET company_name = $2::text, search_vector = search_document(title, tags, $2::text, location, body), updated_at = now()
     WHERE entity_type = 'job' AND company_id = $1::bigint AND company_name IS DISTINCT FROM $2::text`,
    company.id,
    company.name,
  );
  return { applied: true };
}
