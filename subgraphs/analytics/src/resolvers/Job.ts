import { requireId, requireViewer } from '@jobplatform/service-runtime';
import type { JobResolvers } from '../generated/graphql.js';
import { checkDayRange } from '../statistics.js';

export const Job: JobResolvers = {
  __resolveReference: (reference) => ({ id: String(reference.id) }),
  stats: (job, range, ctx) => ctx.statistics.forJob(requireViewer(ctx), requireId(job.id, 'id'), checkDayRange(range), ctx.loaders),
};
