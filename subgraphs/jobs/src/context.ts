import DataLoader from 'dataloader';
import { bigintKeys, createByIdLoader, createGroupedLoader, groupBy, once, type RequestContext } from '@jobplatform/service-runtime';
import type { CategoryService } from './categories.js';
import type { CompanyService, MemberRole } from './companies.js';
import type { CompanyMemberRow, CompanyRow, JobCategoryRow, JobRow, JobsDb } from './db.js';
import type { JobPostingService } from './job-postings.js';
import type { JobViewParts, LeanReads, UserProfileRow } from './lean-reads.js';
import { createOwnedCountLoader, createOwnedPageLoader, type OwnedCountKey, type OwnedPageKey } from './job-pages.js';
import { sortJobSkills, type JobSkillModel } from './job-skills.js';

/** The whole category tree, read once per request (it is small and most views walk it). */
export type CategoryTree = { byId: Map<bigint, JobCategoryRow>; childrenOf: Map<bigint, JobCategoryRow[]>; all: JobCategoryRow[] };

export type JobsLoaders = {
  jobById: DataLoader<bigint, JobRow | null, string>;
  /**
   * A job by id (deleted ones included) read in one statement with the parts of its page the
   * client selected; what that statement read primes the loaders those parts' resolvers use.
   */
  jobWithParts: (id: bigint, parts: JobViewParts) => Promise<JobRow | null>;
  companyById: DataLoader<bigint, CompanyRow | null, string>;
  categoriesByJobId: DataLoader<bigint, JobCategoryRow[], string>;
  /** A category from the request's tree, unless a job's statement already read it (a category's parent). */
  categoryById: DataLoader<bigint, JobCategoryRow | null, string>;
  skillsByJobId: DataLoader<bigint, JobSkillModel[], string>;
  /** An account's handle and names from the users replica (what Job.employer provides); null without a row. */
  userProfileById: DataLoader<bigint, UserProfileRow | null, string>;
  membersByCompanyId: DataLoader<bigint, CompanyMemberRow[], string>;
  companyJobs: DataLoader<OwnedPageKey, JobRow[], string>;
  companyJobCount: DataLoader<OwnedCountKey, number, string>;
  postedJobs: DataLoader<OwnedPageKey, JobRow[], string>;
  postedJobCount: DataLoader<OwnedCountKey, number, string>;
  categoryTree: () => Promise<CategoryTree>;
  /** The signed-in user's role in each company they belong to (empty when signed out). */
  viewerMemberships: () => Promise<Map<bigint, MemberRole>>;
};

export type JobsContext = RequestContext & {
  db: JobsDb;
  reads: LeanReads;
  companies: CompanyService;
  postings: JobPostingService;
  categories: CategoryService;
  loaders: JobsLoaders;
};

/** A job's categories as Job.categories lists them. */
const byName = (categories: JobCategoryRow[]) => categories.sort((a, b) => a.name.localeCompare(b.name));

/** Per-request loaders: every entity reference and list field batches into one query per kind. */
export function createLoaders(db: JobsDb, reads: LeanReads, viewerUserId: string | undefined): JobsLoaders {
  const jobById = createByIdLoader((ids) => reads.jobsById(ids));
  const primeJob = (job: JobRow) => void jobById.prime(job.id, job);

  const categoryTree = once(async (): Promise<CategoryTree> => {
    const all = await reads.allCategories();
    const children = groupBy(
      all.filter((c) => c.parentId !== null),
      (c) => c.parentId!,
    );
    return { all, byId: new Map(all.map((c) => [c.id, c])), childrenOf: children };
  });

  const companyById = createByIdLoader((ids) => reads.companiesById(ids));
  const categoriesByJobId = new DataLoader<bigint, JobCategoryRow[], string>(async (jobIds) => {
    // Links only: the categories themselves come from the per-request tree, which parents need anyway.
    const [links, tree] = await Promise.all([reads.categoryLinks(jobIds), categoryTree()]);
    const groups = groupBy(links, (link) => link.jobId);
    return jobIds.map((id) =>
      byName((groups.get(id) ?? []).map((link) => tree.byId.get(link.categoryId)).filter((category): category is JobCategoryRow => category !== undefined)),
    );
  }, bigintKeys);
  const categoryById = new DataLoader<bigint, JobCategoryRow | null, string>(async (ids) => {
    const tree = await categoryTree();
    return ids.map((id) => tree.byId.get(id) ?? null);
  }, bigintKeys);
  const skillsByJobId = createGroupedLoader(
    (jobIds) => reads.skillsOfJobs(jobIds),
    (row) => row.jobId,
    (rows): JobSkillModel[] => sortJobSkills(rows.map(({ isRequired, skill }) => ({ isRequired, skill }))),
  );

  const userProfileById = createByIdLoader((ids) => reads.userProfiles(ids));

  return {
    jobById,
    async jobWithParts(id, parts) {
      if (!parts.company && !parts.categories && !parts.skills && !parts.employer) return jobById.load(id);
      const [view] = await reads.jobViews([id], parts);
      if (!view) return null;
      jobById.prime(id, view.job);
      if (view.company) companyById.prime(view.company.id, view.company);
      if (view.categories) {
        for (const { category, parent } of view.categories) {
          categoryById.prime(category.id, category);
          if (parent) categoryById.prime(parent.id, parent);
        }
        categoriesByJobId.prime(id, byName(view.categories.map(({ category }) => category)));
      }
      if (view.skills) skillsByJobId.prime(id, sortJobSkills(view.skills));
      if (view.employer !== undefined) userProfileById.prime(view.job.employerId, view.employer);
      return view.job;
    },
    companyById,
    categoriesByJobId,
    categoryById,
    skillsByJobId,
    userProfileById,
    membersByCompanyId: createGroupedLoader(
      (companyIds) => db.companyMember.findMany({ where: { companyId: { in: companyIds } }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] }),
      (row) => row.companyId,
    ),
    companyJobs: createOwnedPageLoader(db, 'company', primeJob),
    companyJobCount: createOwnedCountLoader(db, 'company'),
    postedJobs: createOwnedPageLoader(db, 'employer', primeJob),
    postedJobCount: createOwnedCountLoader(db, 'employer'),
    categoryTree,
    viewerMemberships: once(async () => {
      if (!viewerUserId) return new Map();
      const rows = await db.companyMember.findMany({ where: { userId: BigInt(viewerUserId) }, select: { companyId: true, role: true } });
      return new Map(rows.map((row) => [row.companyId, row.role as MemberRole]));
    }),
  };
}
