import type { InterviewResolvers } from '../generated/graphql.js';
import { interviewStatusFromColumn, interviewTypeFromColumn } from '../interview-rules.js';

export const Interview: InterviewResolvers = {
  id: (interview) => interview.id.toString(),
  // Reached only through an application the viewer sees, or a change the viewer may make to it.
  application: async (interview, _args, ctx) => (await ctx.loaders.applicationById.load(interview.applicationId))!,
  interviewType: (interview) => interviewTypeFromColumn(interview.interviewType),
  status: (interview) => interviewStatusFromColumn(interview.status),
};
