import { AppError, assertRole, parseId, requireAdminOrMember, requireId, validateInput } from '@jobplatform/service-runtime';
import type { Role, Viewer } from '@jobplatform/auth';
import type { Prisma } from './generated/prisma/client.js';
import type { CompanyMemberRow, CompanyRow, JobsDb } from './db.js';
import { actingViewer, assertMayJoin, lockAccount } from './acting-account.js';
import { jobsOutbox, toCompanySnapshot } from './job-events.js';
import { companyInputSchema } from './validation.js';

export type CompanyDeps = { db: JobsDb; now?: () => Date };

export type MemberRole = 'owner' | 'member';

const companyNotFound = () => new AppError('NOT_FOUND', 'There is no company with that id');

/** Employers act for companies they are members of; admins act for any company. */
export const companyActorRoles: readonly Role[] = ['employer', 'admin'];

const assertMayVerify = (viewer: Viewer) => assertRole(viewer, 'admin', 'Only admins can verify companies');

export async function membershipOf(db: Prisma.TransactionClient | JobsDb, companyId: bigint, userId: string): Promise<MemberRole | undefined> {
  const row = await db.companyMember.findUnique({ where: { companyId_userId: { companyId, userId: BigInt(userId) } }, select: { role: true } });
  return row?.role as MemberRole | undefined;
}

/** The company rules: creation, edits by members, verification by admins, membership by owners. */
export function createCompanyService(deps: CompanyDeps) {
  const { db } = deps;
  const now = deps.now ?? (() => new Date());

  /** Locks the company row for the rest of the transaction and returns it, or NOT_FOUND. */
  async function lockCompany(tx: Prisma.TransactionClient, companyId: bigint): Promise<void> {
    const rows = await tx.$queryRaw<{ id: bigint }[]>`SELECT id FROM companies WHERE id = ${companyId} FOR UPDATE`;
    if (rows.length === 0) throw companyNotFound();
  }

  const assertMayEdit = (tx: Prisma.TransactionClient, companyId: bigint, viewer: Viewer) =>
    requireAdminOrMember(viewer, () => membershipOf(tx, companyId, viewer.userId), { message: 'Only members of this company and admins can change it' });

  const assertMayManageMembers = (tx: Prisma.TransactionClient, companyId: bigint, viewer: Viewer) =>
    requireAdminOrMember(viewer, () => membershipOf(tx, companyId, viewer.userId), {
      roles: ['owner'],
      message: "Only the company's owners and admins can change its members",
    });

  const parseCompanyId = (id: string) => {
    const companyId = parseId(id);
    if (companyId === undefined) throw companyNotFound();
    return companyId;
  };

  return {
    async create(viewer: Viewer, rawInput: unknown): Promise<CompanyRow> {
      assertRole(viewer, companyActorRoles);
      const input = validateInput(companyInputSchema(now()), rawInput, 'input');
      return db.$transaction(async (tx) => {
        assertRole(await actingViewer(tx, viewer), companyActorRoles);
        const company = await tx.company.create({
          data: {
            name: input.name,
            description: input.description ?? null,
            website: input.website ?? null,
            logo: input.logo ?? null,
            industry: input.industry ?? null,
            size: input.size ?? null,
            foundedYear: input.foundedYear ?? null,
            location: input.location ?? null,
          },
        });
        await tx.companyMember.create({ data: { companyId: company.id, userId: BigInt(viewer.userId), role: 'owner' } });
        await jobsOutbox.recordMany(tx, [
          { subject: 'jobs.company.created.v1', data: { actorId: viewer.userId, company: toCompanySnapshot(company) } },
          { subject: 'jobs.company.member_added.v1', data: { companyId: company.id.toString(), userId: viewer.userId, role: 'owner', actorId: viewer.userId } },
        ]);
        return company;
      });
    },

    /** Fields left out keep their value; null clears them (see CompanyInput in the SDL). */
    async update(viewer: Viewer, id: string, rawInput: unknown): Promise<CompanyRow> {
      const companyId = parseCompanyId(id);
      const input = validateInput(companyInputSchema(now()), rawInput, 'input');
      return db.$transaction(async (tx) => {
        const actor = await actingViewer(tx, viewer);
        await lockCompany(tx, companyId);
        await assertMayEdit(tx, companyId, actor);
        const data: Prisma.CompanyUpdateInput = { name: input.name };
        for (const key of ['description', 'website', 'logo', 'industry', 'size', 'foundedYear', 'location'] as const) {
          if (input[key] !== undefined) Object.assign(data, { [key]: input[key] });
        }
        const company = await tx.company.update({ where: { id: companyId }, data });
        await jobsOutbox.record(tx, 'jobs.company.updated.v1', { actorId: viewer.userId, company: toCompanySnapshot(company) });
        return company;
      });
    },

    async verify(viewer: Viewer, id: string): Promise<CompanyRow> {
      assertMayVerify(viewer);
      const companyId = parseCompanyId(id);
      return db.$transaction(async (tx) => {
        assertMayVerify(await actingViewer(tx, viewer));
        await lockCompany(tx, companyId);
        const current = await tx.company.findUniqueOrThrow({ where: { id: companyId } });
        if (current.isVerified) return current;
        const company = await tx.company.update({ where: { id: companyId }, data: { isVerified: true } });
        await jobsOutbox.record(tx, 'jobs.company.updated.v1', { actorId: viewer.userId, company: toCompanySnapshot(company) });
        return company;
      });
    },

    /** Adds a member or changes a member's role; a company always keeps at least one owner. Giving a member the role they have changes nothing. */
    async addMember(viewer: Viewer, rawCompanyId: string, rawUserId: string, role: MemberRole): Promise<CompanyMemberRow> {
      const companyId = parseCompanyId(rawCompanyId);
      const userId = requireId(rawUserId, 'userId');
      return db.$transaction(async (tx) => {
        const actor = await actingViewer(tx, viewer);
        await lockAccount(tx, userId, 'shared'); // before the company's lock, as erasure takes them
        await lockCompany(tx, companyId);
        await assertMayManageMembers(tx, companyId, actor);
        await assertMayJoin(tx, userId, 'userId');
        const existing = await tx.companyMember.findUnique({ where: { companyId_userId: { companyId, userId } } });
        if (existing?.role === role) return existing;
        const change = { companyId: companyId.toString(), userId: userId.toString(), role, actorId: viewer.userId };
        if (!existing) {
          const member = await tx.companyMember.create({ data: { companyId, userId, role } });
          await jobsOutbox.record(tx, 'jobs.company.member_added.v1', change);
          return member;
        }
        if (existing.role === 'owner') await assertAnotherOwner(tx, companyId, userId);
        const member = await tx.companyMember.update({ where: { id: existing.id }, data: { role } });
        await jobsOutbox.record(tx, 'jobs.company.member_updated.v1', { ...change, previousRole: existing.role as MemberRole });
        return member;
      });
    },

    /** Owners remove anyone, anyone may leave; the last owner stays. */
    async removeMember(viewer: Viewer, rawCompanyId: string, rawUserId: string): Promise<boolean> {
      const companyId = parseCompanyId(rawCompanyId);
      const userId = parseId(rawUserId);
      if (userId === undefined) return false;
      return db.$transaction(async (tx) => {
        const actor = await actingViewer(tx, viewer);
        await lockCompany(tx, companyId);
        if (userId.toString() !== actor.userId) await assertMayManageMembers(tx, companyId, actor);
        const existing = await tx.companyMember.findUnique({ where: { companyId_userId: { companyId, userId } } });
        if (!existing) return false;
        if (existing.role === 'owner') await assertAnotherOwner(tx, companyId, userId);
        await tx.companyMember.delete({ where: { id: existing.id } });
        await jobsOutbox.record(tx, 'jobs.company.member_removed.v1', {
          companyId: companyId.toString(),
          userId: userId.toString(),
          role: existing.role as MemberRole,
          actorId: viewer.userId,
          reason: userId.toString() === viewer.userId ? 'left' : 'removed',
        });
        return true;
      });
    },
  };
}

async function assertAnotherOwner(tx: Prisma.TransactionClient, companyId: bigint, leavingUserId: bigint): Promise<void> {
  const others = await tx.companyMember.count({ where: { companyId, role: 'owner', userId: { not: leavingUserId } } });
  if (others === 0) throw new AppError('CONFLICT', 'A company needs at least one owner: make another member an owner first');
}

export type CompanyService = ReturnType<typeof createCompanyService>;
