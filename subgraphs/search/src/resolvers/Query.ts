import type { GraphQLResolveInfo } from 'graphql';
import { viewerAsUser } from '@jobplatform/service-runtime';
import type { QueryResolvers } from '../generated/graphql.js';

/** Whether the operation asks for the field `name` of the result (facets cost a statement of their own). */
const selects = (info: GraphQLResolveInfo, name: string) =>
  info.fieldNodes.some((node) => node.selectionSet?.selections.some((selection) => selection.kind !== 'Field' || selection.name.value === name));

export const Query: QueryResolvers = {
  /** The signed-in viewer's User, so that the gateway asks this service alone for their fields here. */
  me: (_parent, _args, ctx) => viewerAsUser(ctx),
  searchJobs: (_parent, args, ctx, info) => ctx.search.searchJobs(ctx.viewer, args, { withFacets: selects(info, 'facets') }),
  searchCompanies: (_parent, args, ctx) => ctx.search.searchCompanies(ctx.viewer, args),
  searchSuggestions: (_parent, args, ctx) => ctx.search.suggestions(args),
  popularSearches: (_parent, args, ctx) => ctx.search.popular(args),
};
