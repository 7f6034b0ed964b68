import { pageSize, parseId } from '@jobplatform/service-runtime';
import type { JobResolvers } from '../generated/graphql.js';
import { viewerMayListJobApplications } from '../application-access.js';
import { decodeApplicationCursor, toApplicationPage, type JobReference } from '../application-pages.js';
import type { ApplicationsContext } from '../context.js';
import { statusColumn } from '../application-status.js';
import { pageReadsOf } from '../page-selection.js';

/**
 * What an application's job shows, from the jobs replica: the gateway asks this service for title,
 * location and company only through Application.job (@provides), whose job the replica always holds
 * (an application's job row is never deleted).
 */
async function listingOf(job: JobReference, ctx: ApplicationsContext) {
  const jobId = parseId(job.id);
  const listing = jobId === undefined ? null : await ctx.loaders.jobListingById.load(jobId);
  if (!listing) throw new Error(`job ${job.id} is not in the jobs replica`);
  return listing;
}

export const Job: JobResolvers = {
  __resolveReference: (reference) => ({ id: String(reference.id) }),
  title: async (job, _args, ctx) => (await listingOf(job, ctx)).title,
  location: async (job, _args, ctx) => (await listingOf(job, ctx)).location,
  company: async (job, _args, ctx) => {
    const listing = await listingOf(job, ctx);
    return { id: listing.companyId.toString(), name: listing.companyName };
  },
  /** The job's employer side and admins; null for everyone else (see the SDL). */
  applications: async (job, { status, first, after }, ctx, info) => {
    const size = pageSize(first);
    const cursor = decodeApplicationCursor(after);
    const jobId = parseId(job.id);
    if (jobId === undefined || !(await viewerMayListJobApplications(ctx, jobId))) return null;
    const stored = status ? statusColumn(status) : null;
    const rows = await ctx.loaders.jobApplications.load({ ownerId: jobId, status: stored, size, cursor, reads: pageReadsOf(info) });
    return toApplicationPage(rows, size, () => ctx.loaders.jobApplicationCount.load({ ownerId: jobId, status: stored }));
  },
  viewerHasApplied: async (job, _args, ctx) => {
    const jobId = parseId(job.id);
    return jobId !== undefined && (await ctx.loaders.viewerApplicationByJobId.load(jobId)) !== null;
  },
  viewerApplication: (job, _args, ctx) => {
    const jobId = parseId(job.id);
    return jobId === undefined ? null : ctx.loaders.viewerApplicationByJobId.load(jobId);
  },
};
