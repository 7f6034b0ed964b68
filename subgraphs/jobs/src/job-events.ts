import { createOutbox, type EventInput } from '@jobplatform/events';
import type { Prisma } from './generated/prisma/client.js';

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

type JobWithRelations = Prisma.JobGetPayload<{ include: { company: true; categories: { include: { category: true } }; skills: { include: { skill: true } } } }>;

export const jobSnapshotInclude = {
  company: true,
  categories: { include: { category: true } },
  skills: { include: { skill: true } },
} as const satisfies Prisma.JobInclude;

export function toJobSnapshot(job: JobWithRelations): JobSnapshot {
  return {
    id: job.id.toString(),
    title: job.title,
    description: job.description,
    requirements: job.requirements,
    responsibilities: job.responsibilities,
    companyId: job.companyId.toString(),
    companyName: job.company.name,
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
    categories: job.categories.map((link) => ({ id: link.category.id.toString(), name: link.category.name })).sort((a, b) => a.name.localeCompare(b.name)),
    skills: job.skills
      .map((link) => ({ id: link.skill.id.toString(), name: link.skill.name, isRequired: link.isRequired }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    createdAt: job.createdAt.toISOString(),
    updatedAt: job.updatedAt.toISOString(),
  };
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
