import type { GraphQLResolveInfo } from 'graphql';
import { pageSize, parseId, selectedFieldNames, validateInput, viewerAsUser } from '@jobplatform/service-runtime';
import type { QueryResolvers } from '../generated/graphql.js';
import { searchSkills } from '../job-skills.js';
import { skillSearchSchema } from '../validation.js';

/** The parts of a job's page the client selected, for the job's statement to read too. */
function jobPartsOf(info: GraphQLResolveInfo) {
  const selected = selectedFieldNames(info);
  return { company: selected.has('company'), categories: selected.has('categories'), skills: selected.has('skills'), employer: selected.has('employer') };
}

export const Query: QueryResolvers = {
  /** The signed-in viewer's User, so that the gateway asks this service alone for their fields here. */
  me: (_parent, _args, ctx) => viewerAsUser(ctx),
  /** A deleted job is null here; only entity references (Job.__resolveReference) still reach it. */
  job: async (_parent, { id }, ctx, info) => {
    const jobId = parseId(id);
    const job = jobId === undefined ? null : await ctx.loaders.jobWithParts(jobId, jobPartsOf(info));
    return job && job.deletedAt === null ? job : null;
  },
  jobs: (_parent, { filter, first, after }, ctx) => ctx.postings.list(filter, first, after),
  company: async (_parent, { id }, ctx) => {
    const companyId = parseId(id);
    return companyId === undefined ? null : ctx.loaders.companyById.load(companyId);
  },
  myCompanies: async (_parent, _args, ctx) => {
    const ids = [...(await ctx.loaders.viewerMemberships()).keys()];
    const companies = await ctx.loaders.companyById.loadMany(ids);
    return companies.filter((c): c is Exclude<typeof c, Error | null> => c !== null && !(c instanceof Error)).sort((a, b) => a.name.localeCompare(b.name));
  },
  jobCategories: async (_parent, _args, ctx) => (await ctx.loaders.categoryTree()).all,
  skills: (_parent, { search, first }, ctx) => searchSkills(ctx.db, validateInput(skillSearchSchema, search ?? '', 'search'), pageSize(first)),
};
