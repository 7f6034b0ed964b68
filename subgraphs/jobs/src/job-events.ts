import { createOutbox, type EventInput } from '@jobplatform/events';
import type { Prisma } from './generated/prisma/client.js';
import type { JobRow } from './db.js';

/**
 * A job and a company as the jobs events carry them. The contracts in
 * packages/events/src/contracts/jobs.ts are the single source; these types follow from them.
 */
export type JobSnapshot = EventInput<'jobs.job.created.v1'>['job'];
export type CompanySnapshot = EventInput<'jobs.company.created.v1'>['company'];

/**
 * Where the jobs service writes its events: the transactional outbox (event_outbox in jobs_db).
 * `record(tx, subject, data)` runs inside the transaction that makes the change, after the change
 * to the aggregate's own row, so the change and its event commit together or not at all; a payload
 * that breaks its contract throws and rolls the change back. The relay started in events.ts
 * publishes the rows to JetStream.
 */
export const jobsOutbox = createOutbox({ source: 'jobs' });

const isoDate = (date: Date | null) => (date ? date.toISOString().slice(0, 10) : null);

type JobRelations = { companyName: string; categories: { id: bigint; name: string; parentId: bigint | null }[]; skills: { id: bigint; name: string; isRequired: boolean }[] };

function toJobSnapshot(job: JobRow, relations: JobRelations): JobSnapshot {
  return {
    id: job.id.toString(),
    title: job.title,
    description: job.description,
    requirements: job.requirements,
    responsibilities: job.responsibilities,
    companyId: job.companyId.toString(),
    companyName: relations.companyName,
    employerId: job.employerId.toString(),
    // The CHECK constraints hold these to the contract's values; the outbox validates them again.
    jobType: job.jobType as JobSnapshot['jobType'],
    experienceLevel: job.experienceLevel as JobSnapshot['experienceLevel'],
    salaryMin: job.salaryMin?.toFixed(2) ?? null,
    salaryMax: job.salaryMax?.toFixed(2) ?? null,
    salaryCurrency: job.salaryCurrency,
    location: job.location,
    isRemote: job.isRemote,
    isActive: job.isActive,
    applicationDeadline: isoDate(job.applicationDeadline),
    categories: relations.categories.map((c) => ({ id: c.id.toString(), name: c.name, parentId: c.parentId?.toString() ?? null })).sort((a, b) => a.name.localeCompare(b.name)),
    skills: relations.skills.map((s) => ({ id: s.id.toString(), name: s.name, isRequired: s.isRequired })).sort((a, b) => a.name.localeCompare(b.name)),
    createdAt: job.createdAt.toISOString(),
    updatedAt: job.updatedAt.toISOString(),
  };
}

/**
 * The snapshots of jobs as they stand in the caller's transaction, in id order: four statements one
 * after another, whatever the number of jobs. Not one `include` of the company, categories and
 * skills: Prisma loads sibling relations side by side, which inside an interactive transaction means
 * concurrent queries on its single pg connection (pg warns "client.query() when the client is
 * already executing a query", and pg 9 refuses; prisma/orm#29407).
 */
export async function loadJobSnapshots(tx: Prisma.TransactionClient, ids: bigint[]): Promise<JobSnapshot[]> {
  const jobs = await tx.job.findMany({ where: { id: { in: ids } }, orderBy: { id: 'asc' } });
  if (jobs.length === 0) return [];
  const companies = await tx.company.findMany({ where: { id: { in: [...new Set(jobs.map((job) => job.companyId))] } }, select: { id: true, name: true } });
  const categoryLinks = await tx.jobCategoryJob.findMany({
    where: { jobId: { in: ids } },
    select: { jobId: true, category: { select: { id: true, name: true, parentId: true } } },
  });
  const skillLinks = await tx.jobSkillJob.findMany({ where: { jobId: { in: ids } }, select: { jobId: true, isRequired: true, skill: { select: { id: true, name: true } } } });
  const companyName = new Map(companies.map((company) => [company.id, company.name]));
  const ofJob = <T extends { jobId: bigint }>(links: T[], jobId: bigint) => links.filter((link) => link.jobId === jobId);
  return jobs.map((job) =>
    toJobSnapshot(job, {
      companyName: companyName.get(job.companyId)!,
      categories: ofJob(categoryLinks, job.id).map((link) => link.category),
      skills: ofJob(skillLinks, job.id).map((link) => ({ ...link.skill, isRequired: link.isRequired })),
    }),
  );
}

/** One job's snapshot, in the caller's transaction. */
export async function loadJobSnapshot(tx: Prisma.TransactionClient, id: bigint): Promise<JobSnapshot> {
  const [snapshot] = await loadJobSnapshots(tx, [id]);
  if (!snapshot) throw new Error(`job ${id} does not exist`);
  return snapshot;
}

export function toCompanySnapshot(company: Prisma.CompanyGetPayload<object>): CompanySnapshot {
  return {
    id: company.id.toString(),
    name: company.name,
    description: company.description,
    website: company.website,
    logo: company.logo,
    industry: company.industry,
    size: company.size as CompanySnapshot['size'],
    foundedYear: company.foundedYear,
    location: company.location,
    isVerified: company.isVerified,
    createdAt: company.createdAt.toISOString(),
    updatedAt: company.updatedAt.toISOString(),
  };
}
