import { requireViewer } from '@jobplatform/service-runtime';
import type { MutationResolvers } from '../generated/graphql.js';

export const Mutation: MutationResolvers = {
  applyToJob: (_p, { input }, ctx) => ctx.applications.apply(requireViewer(ctx), input),
  withdrawApplication: (_p, { id }, ctx) => ctx.applications.withdraw(requireViewer(ctx), id),
  updateApplicationStatus: (_p, { id, status, notes }, ctx) => ctx.applications.updateStatus(requireViewer(ctx), id, status, notes),
  createAttachmentUpload: (_p, { input }, ctx) => ctx.attachments.createUpload(requireViewer(ctx), input),
  deleteAttachment: (_p, { id }, ctx) => ctx.attachments.delete(requireViewer(ctx), id),
  scheduleInterview: (_p, { input }, ctx) => ctx.interviews.schedule(requireViewer(ctx), input),
  rescheduleInterview: (_p, { id, scheduledAt, durationMinutes }, ctx) => ctx.interviews.reschedule(requireViewer(ctx), id, scheduledAt, durationMinutes),
  cancelInterview: (_p, { id, reason }, ctx) => ctx.interviews.cancel(requireViewer(ctx), id, reason),
  completeInterview: (_p, { id, notes }, ctx) => ctx.interviews.complete(requireViewer(ctx), id, notes),
};
