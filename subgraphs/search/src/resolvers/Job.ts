import type { ExperienceLevel, JobResolvers, JobType } from '../generated/graphql.js';

/** A job as a search result carries it (the fields the SDL's @provides names); the rest comes from jobs. */
export const Job: JobResolvers = {
  id: (job) => job.id.toString(),
  jobType: (job) => job.jobType.toUpperCase() as JobType,
  experienceLevel: (job) => job.experienceLevel.toUpperCase() as ExperienceLevel,
  createdAt: (job) => job.postedAt,
  company: (job) => ({ id: job.companyId, name: job.companyName, logo: job.companyLogo }),
};
