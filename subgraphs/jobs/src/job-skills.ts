import type { Prisma } from './generated/prisma/client.js';
import type { JobsDb, SkillRow } from './db.js';
import type { SkillInput } from './validation.js';

/** A skill as one job asks for it. */
export type JobSkillModel = { skill: SkillRow; isRequired: boolean };

/**
 * Finds or creates skills by name, regardless of letter case, in two statements whatever the count.
 * ON CONFLICT on lower(name) makes concurrent postings of the same new skill share one row.
 */
export async function ensureSkills(tx: Prisma.TransactionClient, skills: SkillInput[]): Promise<Map<string, SkillRow>> {
  if (skills.length === 0) return new Map();
  const names = skills.map((s) => s.name);
  await tx.$executeRaw`
    INSERT INTO job_skills (name)
    SELECT unnest(${names}::text[])
    ON CONFLICT ((lower(name))) DO NOTHING`;
  const rows = await tx.$queryRaw<{ id: bigint; name: string; created_at: Date }[]>`
    SELECT id, name, created_at FROM job_skills WHERE lower(name) = ANY(${names.map((n) => n.toLowerCase())}::text[])`;
  return new Map(rows.map((row) => [row.name.toLowerCase(), { id: BigInt(row.id), name: row.name, createdAt: row.created_at }]));
}

/** Skills whose name contains `search`, ignoring case, by name. */
export function searchSkills(db: JobsDb, search: string, first: number): Promise<SkillRow[]> {
  return db.skill.findMany({
    where: search ? { name: { contains: search, mode: 'insensitive' } } : {},
    orderBy: { name: 'asc' },
    take: first,
  });
}

export function sortJobSkills(skills: JobSkillModel[]): JobSkillModel[] {
  return [...skills].sort((a, b) => Number(b.isRequired) - Number(a.isRequired) || a.skill.name.localeCompare(b.skill.name));
}
