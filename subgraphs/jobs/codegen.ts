import { createSubgraphCodegenConfig } from '@jobplatform/service-runtime/codegen';

/** Typed resolvers from the SDL, with database rows (or the service's own page types) as the parent types. */
export default createSubgraphCodegenConfig({
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
});
