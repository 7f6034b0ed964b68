import type { CodegenConfig } from '@graphql-codegen/cli';

/** Typed resolvers from the SDL, with database rows (or the service's own page types) as the parent types. */
const config: CodegenConfig = {
  schema: 'src/schema.graphql',
  silent: true,
  generates: {
    'src/generated/graphql.ts': {
      plugins: ['typescript', 'typescript-resolvers'],
      config: {
        federation: true,
        useTypeImports: true,
        enumsAsTypes: true,
        useIndexSignature: false,
        contextType: '../context.js#JobsContext',
        mappers: {
          Company: '../generated/prisma/client.js#Company as CompanyRow',
          CompanyMember: '../generated/prisma/client.js#CompanyMember as CompanyMemberRow',
          Job: '../generated/prisma/client.js#Job as JobRow',
          JobCategory: '../generated/prisma/client.js#JobCategory as JobCategoryRow',
          Skill: '../generated/prisma/client.js#Skill as SkillRow',
          JobSkill: '../job-skills.js#JobSkillModel',
          JobConnection: '../job-pages.js#JobPage',
          JobEdge: '../job-pages.js#JobPageEdge',
          User: '../job-pages.js#UserReference',
        },
        scalars: { ID: 'string' },
        avoidOptionals: { field: true, inputValue: false, object: false, defaultValue: false },
        maybeValue: 'T | null',
        inputMaybeValue: 'T | null | undefined',
      },
    },
  },
};
export default config;
