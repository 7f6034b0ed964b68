import { AppError, assertRole, invalidField, parseId, rethrowPrismaError, validateInput } from '@jobplatform/service-runtime';
import type { Viewer } from '@jobplatform/auth';
import type { Prisma } from './generated/prisma/client.js';
import type { JobCategoryRow, JobsDb } from './db.js';
import { jobCategoryInputSchema } from './validation.js';
import { actingViewer } from './acting-account.js';

/** Serialises every change to the tree, so two moves cannot together close a loop. */
const lockTree = (tx: Prisma.TransactionClient) => tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('job_categories_tree'))`;

const assertAdmin = (viewer: Viewer) => assertRole(viewer, 'admin', 'Only admins can change job categories');

const nameTaken = () => new AppError('CONFLICT', 'A category with that name already exists', { fields: [{ field: 'input.name', message: 'is already taken' }] });

/** Whether `candidate` is `categoryId` or lies below it. */
async function isSelfOrDescendant(tx: Prisma.TransactionClient, categoryId: bigint, candidate: bigint): Promise<boolean> {
  const rows = await tx.$queryRaw<{ found: boolean }[]>`
    WITH RECURSIVE below(id) AS (
      SELECT ${categoryId}::bigint
      UNION
      SELECT c.id FROM job_categories c JOIN below b ON c.parent_id = b.id
    )
    SELECT EXISTS (SELECT 1 FROM below WHERE id = ${candidate}::bigint) AS found`;
  return rows[0]?.found === true;
}

/** A concurrent create or rename that took the name first: the unique index on lower(name) decided. */
function mapUniqueName(error: unknown): never {
  if (error instanceof Error && /job_categories_name(_lower)?_key/.test(error.message)) throw nameTaken();
  return rethrowPrismaError(error, { conflict: nameTaken() });
}

/** The category tree: admin-only changes, names unique regardless of case, never a cycle. */
export function createCategoryService(db: JobsDb) {
  async function assertParentExists(tx: Prisma.TransactionClient, parentId: bigint): Promise<void> {
    if (!(await tx.jobCategory.findUnique({ where: { id: parentId }, select: { id: true } }))) throw invalidField('input.parentId', 'is not an existing category');
  }

  async function assertNameFree(tx: Prisma.TransactionClient, name: string, exceptId?: bigint): Promise<void> {
    const taken = await tx.jobCategory.findFirst({ where: { name: { equals: name, mode: 'insensitive' }, ...(exceptId ? { id: { not: exceptId } } : {}) }, select: { id: true } });
    if (taken) throw nameTaken();
  }

  return {
    async create(viewer: Viewer, rawInput: unknown): Promise<JobCategoryRow> {
      assertAdmin(viewer);
      const input = validateInput(jobCategoryInputSchema, rawInput, 'input');
      return db
        .$transaction(async (tx) => {
          assertAdmin(await actingViewer(tx, viewer));
          await lockTree(tx);
          await assertNameFree(tx, input.name);
          if (input.parentId) await assertParentExists(tx, input.parentId);
          return tx.jobCategory.create({ data: { name: input.name, description: input.description ?? null, parentId: input.parentId ?? null } });
        })
        .catch(mapUniqueName);
    },

    async update(viewer: Viewer, id: string, rawInput: unknown): Promise<JobCategoryRow> {
      assertAdmin(viewer);
      const categoryId = parseId(id);
      if (categoryId === undefined) throw new AppError('NOT_FOUND', 'There is no job category with that id');
      const input = validateInput(jobCategoryInputSchema, rawInput, 'input');
      return db
        .$transaction(async (tx) => {
          assertAdmin(await actingViewer(tx, viewer));
          await lockTree(tx);
          if (!(await tx.jobCategory.findUnique({ where: { id: categoryId }, select: { id: true } }))) throw new AppError('NOT_FOUND', 'There is no job category with that id');
          await assertNameFree(tx, input.name, categoryId);
          if (input.parentId) {
            await assertParentExists(tx, input.parentId);
            if (await isSelfOrDescendant(tx, categoryId, input.parentId)) {
              throw invalidField('input.parentId', 'is this category or one below it, which would form a cycle');
            }
          }
          const data: Prisma.JobCategoryUncheckedUpdateInput = { name: input.name };
          if (input.description !== undefined) data.description = input.description;
          if (input.parentId !== undefined) data.parentId = input.parentId;
          return tx.jobCategory.update({ where: { id: categoryId }, data });
        })
        .catch(mapUniqueName);
    },
  };
}

export type CategoryService = ReturnType<typeof createCategoryService>;
