import { z } from 'zod';
import { defineEvent, type ServiceName } from './define-event.js';
import { bigintId } from './users.js';

const isoTimestamp = z.iso.datetime({ offset: true });
/** DECIMAL(10,2) as text, so no amount is rounded on the way: "85000.00". */
const amount = z.string().regex(/^\d{1,8}\.\d{2}$/, 'a DECIMAL(10,2) amount such as 85000.00');

/**
 * A job as search, applications and analytics need it, so none of them calls back to ask.
 * Enums are the database values (full_time, senior); amounts are decimal strings.
 */
const jobSnapshot = z.object({
  id: bigintId,
  title: z.string().min(1).max(255),
  description: z.string().min(1),
  requirements: z.string().nullable(),
  responsibilities: z.string().nullable(),
  companyId: bigintId,
  companyName: z.string().min(1).max(255),
  employerId: bigintId.describe('The user who posted the job. Kept when that account is erased: it then names the tombstone users keeps.'),
  jobType: z.enum(['full_time', 'part_time', 'contract', 'internship', 'freelance']),
  experienceLevel: z.enum(['entry', 'mid', 'senior', 'executive']),
  salaryMin: amount.nullable(),
  salaryMax: amount.nullable(),
  /** ISO 4217. */
  salaryCurrency: z.string().regex(/^[A-Z]{3}$/),
  location: z.string().max(255).nullable(),
  isRemote: z.boolean(),
  isActive: z.boolean(),
  /** No applications after this day; null for no deadline. */
  applicationDeadline: z.iso.date().nullable(),
  categories: z.array(
    z.object({
      id: bigintId,
      name: z.string(),
      parentId: bigintId
        .nullable()
        .optional()
        .describe(
          'The category this one is part of (null for a top-level one), so that a copy can find the jobs of a category and its sub-categories. Absent in events written before it was added.',
        ),
    }),
  ),
  skills: z.array(z.object({ id: bigintId, name: z.string(), isRequired: z.boolean() })),
  createdAt: isoTimestamp,
  updatedAt: isoTimestamp,
});

const companySnapshot = z.object({
  id: bigintId,
  name: z.string().min(1).max(255),
  description: z.string().nullable(),
  website: z.string().max(255).nullable(),
  logo: z.string().max(255).nullable(),
  industry: z.string().max(100).nullable(),
  size: z.enum(['startup', 'small', 'medium', 'large']).nullable(),
  foundedYear: z.number().int().nullable(),
  location: z.string().max(255).nullable(),
  isVerified: z.boolean(),
  createdAt: isoTimestamp,
  updatedAt: isoTimestamp,
});

const actorId = bigintId.nullable().describe('Who made the change: a user id, or null when the platform did (the account-erasure saga).');

const jobChange = z.object({ actorId, job: jobSnapshot });
const companyChange = z.object({ actorId, company: companySnapshot });

const memberRole = z.enum(['owner', 'member']);
/** One person's membership of one company; who acts for the company is the set of these. */
const membership = z.object({ companyId: bigintId, userId: bigintId });

const memberRemoved = membership
  .extend({
    role: memberRole.describe('The role the user held until the removal.'),
    actorId,
    reason: z
      .enum(['removed', 'left', 'user_erased'])
      .describe('removed: by an owner or an admin; left: the user removed themselves; user_erased: the account-erasure saga removed it (actorId null).'),
  })
  .refine((data) => (data.reason === 'user_erased') === (data.actorId === null), { path: ['actorId'], message: 'is null exactly when reason is user_erased' })
  .refine((data) => data.reason === 'user_erased' || (data.reason === 'left') === (data.actorId === data.userId), {
    path: ['reason'],
    message: 'is left exactly when the actor is the user',
  });

const byJob = (data: { job: { id: string } }) => data.job.id;
const byCompany = (data: { company: { id: string } }) => data.company.id;
const byMembershipCompany = (data: { companyId: string }) => data.companyId;
const consumers = ['search', 'applications', 'notifications', 'analytics'] as const satisfies readonly ServiceName[];
const membershipConsumers = ['applications', 'analytics'] as const satisfies readonly ServiceName[];

/**
 * Every job and company event carries the whole job or company after the change (not a diff), so a
 * consumer's copy converges from any one of them. A company's new name reaches copies of its jobs
 * only through jobs.company.updated.v1: consumers that show companyName apply it to their job copies
 * themselves.
 *
 * Membership events carry one membership each, with the company as their aggregate: the events of
 * one company (its creation, then every member added, changed or removed) stay in the order they
 * were committed, so a copy of who acts for a company that applies them in order, or keeps the
 * newest per (companyId, userId), ends as jobs' company_members.
 */
export const jobsEvents = {
  'jobs.job.created.v1': defineEvent({
    producer: 'jobs',
    consumers,
    aggregate: 'job',
    aggregateIdOf: byJob,
    summary: 'A job was posted (open for applications).',
    schema: jobChange,
  }),
  'jobs.job.updated.v1': defineEvent({
    producer: 'jobs',
    consumers,
    aggregate: 'job',
    aggregateIdOf: byJob,
    summary: "A job's fields, categories or skills changed. Carries the whole job.",
    schema: jobChange,
  }),
  'jobs.job.closed.v1': defineEvent({
    producer: 'jobs',
    consumers,
    aggregate: 'job',
    aggregateIdOf: byJob,
    summary: 'A job stopped accepting applications (isActive false): closed by its employer or an admin, or because the account that posted it was erased.',
    schema: jobChange.extend({
      reason: z.enum(['closed', 'employer_erased']).describe('closed: by its employer or an admin; employer_erased: the account-erasure saga closed it (actorId null).'),
    }),
  }),
  'jobs.job.deleted.v1': defineEvent({
    producer: 'jobs',
    consumers,
    aggregate: 'job',
    aggregateIdOf: byJob,
    summary:
      "A job was deleted: closed for good and gone from every list and job(id), while references to it (an application's job) still resolve. The snapshot is its last state (isActive false), categories and skills included. Deleting an open job writes no jobs.job.closed.v1: this event is its closing too.",
    schema: jobChange,
  }),
  'jobs.company.created.v1': defineEvent({
    producer: 'jobs',
    consumers,
    aggregate: 'company',
    aggregateIdOf: byCompany,
    summary: 'A company was created; its creator became its owner.',
    schema: companyChange,
  }),
  'jobs.company.updated.v1': defineEvent({
    producer: 'jobs',
    consumers,
    aggregate: 'company',
    aggregateIdOf: byCompany,
    summary: "A company's fields or verification changed. Carries the whole company; copies of its jobs take companyName from it.",
    schema: companyChange,
  }),
  'jobs.company.member_added.v1': defineEvent({
    producer: 'jobs',
    consumers: membershipConsumers,
    aggregate: 'company',
    aggregateIdOf: byMembershipCompany,
    summary: 'A user became a member of a company: its creator as owner (right after jobs.company.created.v1), or someone an owner or an admin added.',
    schema: membership.extend({ role: memberRole, actorId: bigintId.describe('Who added the member (the creator, for a new company).') }),
  }),
  'jobs.company.member_updated.v1': defineEvent({
    producer: 'jobs',
    consumers: membershipConsumers,
    aggregate: 'company',
    aggregateIdOf: byMembershipCompany,
    summary:
      "A member's role changed: by an owner or an admin, or by the account-erasure saga, which makes the longest-standing remaining member owner of a company that lost its last owner (actorId null).",
    schema: membership
      .extend({ role: memberRole.describe('The role from now on.'), previousRole: memberRole, actorId })
      .refine((data) => data.role !== data.previousRole, { path: ['role'], message: 'differs from previousRole' }),
  }),
  'jobs.company.member_removed.v1': defineEvent({
    producer: 'jobs',
    consumers: membershipConsumers,
    aggregate: 'company',
    aggregateIdOf: byMembershipCompany,
    summary: 'A user stopped being a member of a company: removed by an owner or an admin, left, or removed by the account-erasure saga.',
    schema: memberRemoved,
  }),
};
