import { AppError, assertRole, invalidField, pageSize, parseId, requireAdminOrMember, toCalendarDate, validateInput } from '@jobplatform/service-runtime';
import type { Viewer } from '@jobplatform/auth';
import { Prisma } from './generated/prisma/client.js';
import type { JobRow, JobsDb } from './db.js';
import { companyActorRoles, membershipOf } from './companies.js';
import { actingViewer } from './acting-account.js';
import { jobsOutbox, loadJobSnapshot } from './job-events.js';
import { ensureSkills } from './job-skills.js';
import { decodeJobCursor, toJobPage, type JobPage } from './job-pages.js';
import type { LeanReads } from './lean-reads.js';
import { createJobInputSchema, jobFilterSchema, updateJobInputSchema, type SkillInput } from './validation.js';

export type JobPostingDeps = { db: JobsDb; reads: LeanReads; now?: () => Date };

const jobNotFound = () => new AppError('NOT_FOUND', 'There is no job with that id');

const dateColumn = (value: string | null | undefined) => (value === null || value === undefined ? value : new Date(`${value}T00:00:00Z`));
const decimalColumn = (value: number | null | undefined) => (value === null || value === undefined ? value : new Prisma.Decimal(value.toFixed(2)));

/** The posting rules: who may post and change jobs, what a job may hold, and the events each change sends. */
export function createJobPostingService(deps: JobPostingDeps) {
  const { db, reads } = deps;
  const now = deps.now ?? (() => new Date());

  async function assertCategoriesExist(tx: Prisma.TransactionClient, ids: bigint[]): Promise<void> {
    if (ids.length === 0) return;
    const found = await tx.jobCategory.count({ where: { id: { in: ids } } });
    if (found !== ids.length) throw invalidField('input.categoryIds', 'names a category that does not exist');
  }

  async function replaceLinks(tx: Prisma.TransactionClient, jobId: bigint, categoryIds: bigint[] | undefined, skills: SkillInput[] | undefined): Promise<void> {
    if (categoryIds !== undefined) {
      await assertCategoriesExist(tx, categoryIds);
      await tx.jobCategoryJob.deleteMany({ where: { jobId } });
      if (categoryIds.length > 0) await tx.jobCategoryJob.createMany({ data: categoryIds.map((categoryId) => ({ jobId, categoryId })) });
    }
    if (skills !== undefined) {
      const byName = await ensureSkills(tx, skills);
      await tx.jobSkillJob.deleteMany({ where: { jobId } });
      if (skills.length > 0) {
        await tx.jobSkillJob.createMany({ data: skills.map((s) => ({ jobId, skillId: byName.get(s.name.toLowerCase())!.id, isRequired: s.isRequired })) });
      }
    }
  }

  /**
   * Loads and locks a job the viewer may change: its employer (still a company member) or an admin.
   * A deleted job is NOT_FOUND, also when its deletion commits while this waits for the lock.
   */
  async function lockOwnJob(tx: Prisma.TransactionClient, tokenViewer: Viewer, id: string): Promise<JobRow> {
    const jobId = parseId(id);
    if (jobId === undefined) throw jobNotFound();
    const viewer = await actingViewer(tx, tokenViewer);
    const locked = await tx.$queryRaw<{ id: bigint }[]>`SELECT id FROM jobs WHERE id = ${jobId} AND deleted_at IS NULL FOR UPDATE`;
    if (locked.length === 0) throw jobNotFound();
    const job = await tx.job.findUniqueOrThrow({ where: { id: jobId } });
    // Another member of the company may not change the job: only the poster's membership counts.
    const posterMembership = async () => (job.employerId.toString() === viewer.userId ? membershipOf(tx, job.companyId, viewer.userId) : undefined);
    await requireAdminOrMember(viewer, posterMembership, { message: 'Only the employer who posted this job and admins can change it' });
    return job;
  }

  return {
    async create(viewer: Viewer, rawInput: unknown): Promise<JobRow> {
      assertRole(viewer, companyActorRoles);
      const input = validateInput(createJobInputSchema(toCalendarDate(now())), rawInput, 'input');
      return db.$transaction(async (tx) => {
        const actor = assertRole(await actingViewer(tx, viewer), companyActorRoles);
        // FOR SHARE: the company cannot be deleted, nor the membership checked against a stale row, until this commits.
        const company = await tx.$queryRaw<{ id: bigint }[]>`SELECT id FROM companies WHERE id = ${input.companyId} FOR SHARE`;
        if (company.length === 0) throw invalidField('input.companyId', 'is not an existing company');
        await requireAdminOrMember(actor, () => membershipOf(tx, input.companyId, actor.userId), { message: 'Only members of the company can post jobs under it' });
        const job = await tx.job.create({
          data: {
            companyId: input.companyId,
            employerId: BigInt(viewer.userId),
            title: input.title,
            description: input.description,
            requirements: input.requirements ?? null,
            responsibilities: input.responsibilities ?? null,
            jobType: input.jobType ?? 'full_time',
            experienceLevel: input.experienceLevel ?? 'entry',
            salaryMin: decimalColumn(input.salaryMin) ?? null,
            salaryMax: decimalColumn(input.salaryMax) ?? null,
            salaryCurrency: input.salaryCurrency ?? 'USD',
            location: input.location ?? null,
            isRemote: input.isRemote ?? false,
            applicationDeadline: dateColumn(input.applicationDeadline) ?? null,
          },
        });
        await replaceLinks(tx, job.id, input.categoryIds ?? [], input.skills ?? []);
        await jobsOutbox.record(tx, 'jobs.job.created.v1', { actorId: viewer.userId, job: await loadJobSnapshot(tx, job.id) });
        return job;
      });
    },

    async update(viewer: Viewer, id: string, rawInput: unknown): Promise<JobRow> {
      const input = validateInput(updateJobInputSchema(toCalendarDate(now())), rawInput, 'input');
      return db.$transaction(async (tx) => {
        const current = await lockOwnJob(tx, viewer, id);
        const salaryMin = input.salaryMin !== undefined ? input.salaryMin : (current.salaryMin?.toNumber() ?? null);
        const salaryMax = input.salaryMax !== undefined ? input.salaryMax : (current.salaryMax?.toNumber() ?? null);
        if (salaryMin !== null && salaryMax !== null && salaryMin > salaryMax) {
          throw invalidField(input.salaryMax !== undefined ? 'input.salaryMax' : 'input.salaryMin', 'must not be below salaryMin');
        }
        const { categoryIds, skills, salaryMin: _min, salaryMax: _max, applicationDeadline, ...fields } = input;
        const data: Prisma.JobUncheckedUpdateInput = { ...Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) };
        if (input.salaryMin !== undefined) data.salaryMin = decimalColumn(input.salaryMin);
        if (input.salaryMax !== undefined) data.salaryMax = decimalColumn(input.salaryMax);
        if (applicationDeadline !== undefined) data.applicationDeadline = dateColumn(applicationDeadline);
        // Touch updated_at even when only the lists change: the job as a whole changed.
        data.updatedAt = now();
        const job = await tx.job.update({ where: { id: current.id }, data });
        await replaceLinks(tx, job.id, categoryIds, skills);
        await jobsOutbox.record(tx, 'jobs.job.updated.v1', { actorId: viewer.userId, job: await loadJobSnapshot(tx, job.id) });
        return job;
      });
    },

    async close(viewer: Viewer, id: string): Promise<JobRow> {
      return db.$transaction(async (tx) => {
        const current = await lockOwnJob(tx, viewer, id);
        if (!current.isActive) return current;
        const job = await tx.job.update({ where: { id: current.id }, data: { isActive: false } });
        await jobsOutbox.record(tx, 'jobs.job.closed.v1', { actorId: viewer.userId, reason: 'closed', job: await loadJobSnapshot(tx, job.id) });
        return job;
      });
    },

    /**
     * Soft delete: the job is closed and marked deleted, and keeps its row and links, so that other
     * services' references to it (an application's job) still resolve; it leaves every list and
     * job(id), and can be changed no more. One event, jobs.job.deleted.v1, also when it was open.
     */
    async delete(viewer: Viewer, id: string): Promise<string> {
      return db.$transaction(async (tx) => {
        const current = await lockOwnJob(tx, viewer, id);
        const at = now();
        await tx.job.update({ where: { id: current.id }, data: { isActive: false, deletedAt: at, updatedAt: at } });
        await jobsOutbox.record(tx, 'jobs.job.deleted.v1', { actorId: viewer.userId, job: await loadJobSnapshot(tx, current.id) });
        return current.id.toString();
      });
    },

    /** `jobs(filter, first, after)`: newest first, keyset pagination, total counted on demand. */
    async list(rawFilter: unknown, first: number | null | undefined, after: string | null | undefined): Promise<JobPage> {
      const size = pageSize(first);
      const cursor = decodeJobCursor(after);
      const filter = validateInput(jobFilterSchema, rawFilter ?? {}, 'filter');
      const rows = await reads.jobList(filter, cursor, size);
      return toJobPage(rows, size, () => reads.jobListCount(filter));
    },
  };
}

export type JobPostingService = ReturnType<typeof createJobPostingService>;
