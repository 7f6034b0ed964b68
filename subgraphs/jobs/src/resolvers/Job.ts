import { parseId } from '@jobplatform/service-runtime';
import type { ExperienceLevel, JobResolvers, JobType } from '../generated/graphql.js';

export const Job: JobResolvers = {
  /** Deleted jobs too: other services keep referring to them (an application's job shows its title). */
  __resolveReference: async (reference, ctx) => {
    const id = parseId(String(reference.id));
    return id === undefined ? null : ctx.loaders.jobById.load(id);
  },
  id: (job) => job.id.toString(),
  company: async (job, _args, ctx) => {
    const company = await ctx.loaders.companyById.load(job.companyId);
    // The foreign key cascades, so a job never outlives its company.
    if (!company) throw new Error(`job ${job.id} has no company ${job.companyId}`);
    return company;
  },
  employer: (job) => ({ id: job.employerId.toString() }),
  jobType: (job) => job.jobType.toUpperCase() as JobType,
  experienceLevel: (job) => job.experienceLevel.toUpperCase() as ExperienceLevel,
  salaryMin: (job) => job.salaryMin?.toNumber() ?? null,
  salaryMax: (job) => job.salaryMax?.toNumber() ?? null,
  categories: (job, _args, ctx) => ctx.loaders.categoriesByJobId.load(job.id),
  skills: (job, _args, ctx) => ctx.loaders.skillsByJobId.load(job.id),
};
