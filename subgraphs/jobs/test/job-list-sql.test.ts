import { validateInput } from '@jobplatform/service-runtime';
import type { JobRow } from '../src/db.js';
import type { Prisma } from '../src/generated/prisma/client.js';
import { likeLiteral } from '../src/job-list-sql.js';
import { decodeJobCursor, type JobCursor, type JobPage } from '../src/job-pages.js';
import { jobFilterSchema, type JobFilter } from '../src/validation.js';
import { startPlatformForTest, type PlatformUnderTest } from './start-jobs.js';

// jobs(filter, first, after) reads its pages and counts over node-postgres (job-list-sql.ts). Here
// the same filters go through Prisma's client as the reference: the list must return the same jobs,
// in the same order, with the same rows and the same totalCount, page after page.

let platform: PlatformUnderTest;
/** Every seeded job, as the database holds it after the seeding. */
let seeded: JobRow[];
const ids: Record<'root' | 'engineering' | 'backend' | 'design' | 'companyA' | 'companyB' | 'rust' | 'sql', string> = {} as never;

const types = ['FULL_TIME', 'PART_TIME', 'CONTRACT', 'INTERNSHIP', 'FREELANCE'];
const levels = ['ENTRY', 'MID', 'SENIOR', 'EXECUTIVE'];
const locations = ['Berlin, Germany', 'berlin-Mitte', null, 'Lisbon', '100% Remote_OK', '1000 RemoteXOK', 'Back\\slash City', 'BackXslash City'];
const salaries: [number | null, number | null][] = [
  [null, null],
  [50000, null],
  [null, 80000],
  [60000, 90000.5],
  [120000, 150000],
  [40000, 55000],
];
const currencies = ['USD', 'EUR', 'GBP'];

beforeAll(async () => {
  platform = await startPlatformForTest();
  const [employer, admin] = await Promise.all([platform.employer(), platform.admin()]);
  const domain = platform.jobs.service.domain;
  const viewer = { userId: employer.id, role: 'employer' as const, tokenId: 't', sessionId: undefined };
  const adminViewer = { userId: admin.id, role: 'admin' as const, tokenId: 't', sessionId: undefined };
  const category = async (name: string, parentId?: string) => (await domain.categories.create(adminViewer, { name, ...(parentId ? { parentId } : {}) })).id.toString();
  ids.root = await category('Technology');
  ids.engineering = await category('Engineering', ids.root);
  ids.backend = await category('Backend', ids.engineering);
  ids.design = await category('Design');
  const leafOrder = [ids.backend, ids.engineering, ids.root, ids.design];
  ids.companyA = (await domain.companies.create(viewer, { name: 'Listed A' })).id.toString();
  ids.companyB = (await domain.companies.create(viewer, { name: 'Listed B' })).id.toString();
  const created: bigint[] = [];
  for (let n = 0; n < 48; n += 1) {
    const [salaryMin, salaryMax] = salaries[n % salaries.length]!;
    const job = await domain.postings.create(viewer, {
      companyId: n % 3 === 0 ? ids.companyB : ids.companyA,
      title: `Listed job ${n}`,
      description: 'Work',
      jobType: types[n % types.length],
      experienceLevel: levels[n % levels.length],
      isRemote: n % 4 === 1,
      location: locations[n % locations.length],
      salaryMin,
      salaryMax,
      salaryCurrency: currencies[n % currencies.length],
      categoryIds: n % 5 === 4 ? [] : [leafOrder[n % leafOrder.length]!],
      skills: n % 2 === 0 ? [{ name: 'Rust', isRequired: true }] : n % 3 === 0 ? [{ name: 'SQL' }, { name: 'Rust' }] : [],
    });
    created.push(job.id);
  }
  for (const id of created.filter((_, n) => n % 7 === 3)) await domain.postings.close(viewer, id.toString());
  for (const id of created.filter((_, n) => n % 11 === 5)) await domain.postings.delete(viewer, id.toString());
  // Three jobs to a millisecond, so that pages break ties on id.
  await platform.jobs.db.query(`UPDATE jobs SET created_at = timestamp '2026-03-01 12:00:00.123' + (id / 3) * interval '1 minute 0.007 second'`);
  const skills = await domain.db.skill.findMany();
  ids.rust = skills.find((skill) => skill.name === 'Rust')!.id.toString();
  ids.sql = skills.find((skill) => skill.name === 'SQL')!.id.toString();
  seeded = await domain.db.job.findMany({ orderBy: { id: 'asc' } });
});
afterAll(async () => {
  await platform.close();
});

/** The ids of a category and every category below it. */
async function categorySubtree(categoryId: bigint): Promise<bigint[]> {
  const rows = await platform.jobs.service.domain.db.$queryRaw<{ id: bigint }[]>`
    WITH RECURSIVE below(id) AS (
      SELECT id FROM job_categories WHERE id = ${categoryId}::bigint
      UNION
      SELECT c.id FROM job_categories c JOIN below b ON c.parent_id = b.id
    )
    SELECT id FROM below`;
  return rows.map((row) => BigInt(row.id));
}

/**
 * The reference: the Prisma where-clause the list was built from before it moved to node-postgres.
 * One difference on purpose: Prisma's `contains` sends `'%' || $1 || '%'` without escaping LIKE's
 * wildcards, so `%` and `_` in the user's text matched anything; the list matches the text as
 * written, and the reference escapes it as the list does.
 */
/** The reference's "strictly after the cursor" in newest-first order. */
function afterCursor(cursor: JobCursor | undefined): Prisma.JobWhereInput {
  if (!cursor) return {};
  return { OR: [{ createdAt: { lt: cursor.createdAt } }, { createdAt: cursor.createdAt, id: { lt: cursor.id } }] };
}

const newestFirst: Prisma.JobOrderByWithRelationInput[] = [{ createdAt: 'desc' }, { id: 'desc' }];

async function referenceWhere(filter: JobFilter): Promise<Prisma.JobWhereInput[]> {
  const where: Prisma.JobWhereInput[] = [{ deletedAt: null }];
  const isActive = filter.isActive === undefined ? true : filter.isActive;
  if (isActive !== null) where.push({ isActive });
  if (filter.jobTypes?.length) where.push({ jobType: { in: filter.jobTypes } });
  if (filter.experienceLevels?.length) where.push({ experienceLevel: { in: filter.experienceLevels } });
  if (filter.isRemote !== null && filter.isRemote !== undefined) where.push({ isRemote: filter.isRemote });
  if (filter.location) where.push({ location: { contains: likeLiteral(filter.location), mode: 'insensitive' } });
  if (filter.salaryMin !== null && filter.salaryMin !== undefined) {
    const atLeast = filter.salaryMin.toFixed(2);
    where.push({ OR: [{ salaryMax: { gte: atLeast } }, { salaryMax: null, salaryMin: { gte: atLeast } }] });
  }
  if (filter.salaryMax !== null && filter.salaryMax !== undefined) {
    const atMost = filter.salaryMax.toFixed(2);
    where.push({ OR: [{ salaryMin: { lte: atMost } }, { salaryMin: null, salaryMax: { lte: atMost } }] });
  }
  if (filter.salaryCurrency) where.push({ salaryCurrency: filter.salaryCurrency });
  if (filter.companyId) where.push({ companyId: filter.companyId });
  if (filter.categoryId) where.push({ categories: { some: { categoryId: { in: await categorySubtree(filter.categoryId) } } } });
  if (filter.skillId) where.push({ skills: { some: { skillId: filter.skillId } } });
  return where;
}

async function referencePage(rawFilter: Record<string, unknown>, size: number, after: string | null) {
  const where = await referenceWhere(validateInput(jobFilterSchema, rawFilter, 'filter'));
  const db = platform.jobs.service.domain.db;
  const rows = await db.job.findMany({ where: { AND: [...where, afterCursor(decodeJobCursor(after))] }, orderBy: newestFirst, take: size + 1 });
  return { rows: rows.slice(0, size), hasNextPage: rows.length > size, totalCount: await db.job.count({ where: { AND: where } }) };
}

const listed = (rawFilter: Record<string, unknown>, size: number, after: string | null): Promise<JobPage> => platform.jobs.service.domain.postings.list(rawFilter, size, after);

/** Filters by name, made once the data is seeded; `empty` ones match no job. */
const filters: [string, () => Record<string, unknown>, { empty?: boolean }?][] = [
  ['no filter (open jobs)', () => ({})],
  ['closed jobs', () => ({ isActive: false })],
  ['open and closed', () => ({ isActive: null })],
  ['job types', () => ({ jobTypes: ['CONTRACT', 'PART_TIME'] })],
  ['experience levels', () => ({ experienceLevels: ['SENIOR', 'EXECUTIVE'], isActive: null })],
  ['remote', () => ({ isRemote: true })],
  ['on site, open or closed', () => ({ isRemote: false, isActive: null })],
  ['location, any case', () => ({ location: 'BERLIN' })],
  ['location with % and _', () => ({ location: '0% remote_ok' })],
  ['location with a backslash', () => ({ location: 'k\\s' })],
  ['salary at least', () => ({ salaryMin: 70000 })],
  ['salary at most', () => ({ salaryMax: 55000.5 })],
  ['salary range', () => ({ salaryMin: 56000, salaryMax: 100000, isActive: null })],
  ['currency', () => ({ salaryCurrency: 'eur' })],
  ['company', () => ({ companyId: ids.companyB })],
  ['category subtree', () => ({ categoryId: ids.root, isActive: null })],
  ['inner category', () => ({ categoryId: ids.engineering })],
  ['category without jobs below it', () => ({ categoryId: '999999' }), { empty: true }],
  ['skill', () => ({ skillId: ids.sql })],
  [
    'several at once',
    () => ({ jobTypes: ['FULL_TIME', 'CONTRACT', 'FREELANCE'], isRemote: false, salaryMin: 45000, salaryCurrency: 'EUR', categoryId: ids.root, skillId: ids.rust, isActive: null }),
  ],
  ['types, levels and company', () => ({ jobTypes: ['INTERNSHIP', 'FULL_TIME'], experienceLevels: ['ENTRY', 'MID'], companyId: ids.companyA })],
];

it('seeds jobs for every filter: closed, deleted, tied in time, without salaries', () => {
  expect(seeded.filter((job) => job.deletedAt !== null).length).toBeGreaterThan(2);
  expect(seeded.filter((job) => !job.isActive && job.deletedAt === null).length).toBeGreaterThan(2);
  expect(new Set(seeded.map((job) => job.createdAt.getTime())).size).toBeLessThan(seeded.length);
});

describe.each([1, 3, 50])('pages of %i', (size) => {
  it.each(filters)('%s: the same jobs, rows and totalCount as Prisma', async (_name, filterOf, options = {}) => {
    const filter = filterOf();
    const seen: bigint[] = [];
    let after: string | null = null;
    // Each page moves on: never more pages than jobs.
    for (let pages = 1; pages <= seeded.length + 1; pages += 1) {
      const page: JobPage = await listed(filter, size, after);
      const reference = await referencePage(filter, size, after);
      expect(page.edges.map((edge) => edge.node)).toEqual(reference.rows);
      expect(page.pageInfo.hasNextPage).toBe(reference.hasNextPage);
      expect(await page.totalCount()).toBe(reference.totalCount);
      seen.push(...page.edges.map((edge) => edge.node.id));
      if (!page.pageInfo.hasNextPage) break;
      expect(page.pageInfo.endCursor).not.toBe(after);
      after = page.pageInfo.endCursor;
    }
    const all = await referencePage(filter, seeded.length, null);
    expect(seen).toEqual(all.rows.map((row) => row.id));
    expect(seen.length).toBe(all.totalCount);
    if (options.empty) expect(seen).toEqual([]);
    else expect(seen.length).toBeGreaterThan(0);
  });
});

it('matches % and _ in a location as written, regardless of case', async () => {
  for (const text of ['0%', '0% REMOTE_', 'e_o', '%', '_', 'k\\s']) {
    const page = await listed({ location: text, isActive: null }, 100, null);
    const expected = seeded
      .filter((job) => job.deletedAt === null && job.location?.toLowerCase().includes(text.toLowerCase()))
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || Number(b.id - a.id));
    expect(page.edges.map((edge) => edge.node.id)).toEqual(expected.map((job) => job.id));
  }
  expect((await listed({ location: '0%', isActive: null }, 100, null)).edges.map((edge) => edge.node.location)).toEqual(expect.arrayContaining(['100% Remote_OK']));
});
