import { pageSize, parseId } from '@jobplatform/service-runtime';
import type { JobResolvers } from '../generated/graphql.js';
import { viewerMayListJobApplications } from '../application-access.js';
import { decodeApplicationCursor, toApplicationPage } from '../application-pages.js';
import { statusColumn } from '../application-status.js';
import { pageReadsOf } from '../page-selection.js';

export const Job: JobResolvers = {
  __resolveReference: (reference) => ({ id: String(reference.id) }),
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
