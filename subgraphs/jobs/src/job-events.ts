import type { Logger } from '@jobplatform/config';
import type { Prisma } from './generated/prisma/client.js';

/**
 * A job as search, applications and analytics need it, so none of them calls back to ask.
 * Enums are the database values (full_time, senior); amounts are decimal strings ("85000.00").
 */
export type JobSnapshot = {
  id: string;
  title: string;
  description: string;
  requirements: string | null;
  responsibilities: string | null;
  companyId: string;
  companyName: string;
  employerId: string;
  jobType: string;
  experienceLevel: string;
  salaryMin: string | null;
  salaryMax: string | null;
  salaryCurrency: string;
  location: string | null;
  isRemote: boolean;
  isActive: boolean;
  /** YYYY-MM-DD, or null for no deadline. */
  applicationDeadline: string | null;
  categories: { id: string; name: string }[];
  skills: { id: string; name: string; isRequired: boolean }[];
  createdAt: string;
  updatedAt: string;
};

export type CompanySnapshot = {
  id: string;
  name: string;
  description: string | null;
  website: string | null;
  logo: string | null;
  industry: string | null;
  size: string | null;
  foundedYear: number | null;
  location: string | null;
  isVerified: boolean;
  createdAt: string;
  updatedAt: string;
};

/** What the jobs service tells the rest of the platform; `actorId` is the user who made the change. */
export type JobEvent =
  | { type: 'job.created'; actorId: string; job: JobSnapshot }
  | { type: 'job.updated'; actorId: string; job: JobSnapshot }
  | { type: 'job.closed'; actorId: string; job: JobSnapshot }
  | { type: 'job.deleted'; actorId: string; job: JobSnapshot }
  | { type: 'company.created'; actorId: string; company: CompanySnapshot }
  | { type: 'company.updated'; actorId: string; company: CompanySnapshot };

/** Records an event as part of the transaction that made the change (the outbox). */
export type JobEventSink = {
  record(tx: Prisma.TransactionClient, event: JobEvent): Promise<void>;
};

/**
 * Until the platform's outbox is wired in, events are only logged at debug level. The calls sit
 * inside each change's transaction already, so the outbox write will commit or roll back with it.
 */
export function createLoggingEventSink(logger: Logger): JobEventSink {
  return {
    async record(_tx, event) {
      logger.debug({ event: event.type, id: 'job' in event ? event.job.id : event.company.id }, 'jobs event');
    },
  };
}

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
    jobType: job.jobType,
    experienceLevel: job.experienceLevel,
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
    size: company.size,
    foundedYear: company.foundedYear,
    location: company.location,
    isVerified: company.isVerified,
    createdAt: company.createdAt.toISOString(),
    updatedAt: company.updatedAt.toISOString(),
  };
}
