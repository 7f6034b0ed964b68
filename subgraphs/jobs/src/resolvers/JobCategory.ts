import type { JobCategoryResolvers } from '../generated/graphql.js';

export const JobCategory: JobCategoryResolvers = {
  id: (category) => category.id.toString(),
  parent: (category, _args, ctx) => (category.parentId === null ? null : ctx.loaders.categoryById.load(category.parentId)),
  children: async (category, _args, ctx) => (await ctx.loaders.categoryTree()).childrenOf.get(category.id) ?? [],
};
