import type { JobCategoryResolvers } from '../generated/graphql.js';

export const JobCategory: JobCategoryResolvers = {
  id: (category) => category.id.toString(),
  parent: async (category, _args, ctx) => (category.parentId === null ? null : ((await ctx.loaders.categoryTree()).byId.get(category.parentId) ?? null)),
  children: async (category, _args, ctx) => (await ctx.loaders.categoryTree()).childrenOf.get(category.id) ?? [],
};
