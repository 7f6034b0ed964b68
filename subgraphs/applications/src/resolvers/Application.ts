import { parseId, toCalendarDate } from '@jobplatform/service-runtime';
import type { ApplicationResolvers } from '../generated/graphql.js';
import { visibleApplication } from '../application-access.js';
import { statusFromColumn } from '../application-status.js';

export const Application: ApplicationResolvers = {
  __resolveReference: async (reference, ctx) => {
    const id = parseId(String(reference.id));
    return id === undefined ? null : visibleApplication(ctx, await ctx.loaders.applicationById.load(id));
  },
  id: (application) => application.id.toString(),
  job: (application) => ({ id: application.jobId.toString() }),
  applicant: (application) => ({ id: application.applicantId.toString(), reachedThrough: application }),
  status: (application) => statusFromColumn(application.status),
  expectedSalary: (application) => application.expectedSalary?.toNumber() ?? null,
  availabilityDate: (application) => (application.availabilityDate ? toCalendarDate(application.availabilityDate) : null),
  statusHistory: (application, _args, ctx) => ctx.loaders.historyByApplicationId.load(application.id),
  attachments: (application, _args, ctx) => ctx.attachments.loaderFor(ctx.loaders).load(application.id),
  interviews: (application, _args, ctx) => ctx.interviews.loaderFor(ctx.loaders).load(application.id),
};
