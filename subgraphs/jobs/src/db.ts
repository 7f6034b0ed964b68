import type { PrismaClient } from './generated/prisma/client.js';

export type JobsDb = InstanceType<typeof PrismaClient>;
export type { Company as CompanyRow, CompanyMember as CompanyMemberRow, Job as JobRow, JobCategory as JobCategoryRow, Skill as SkillRow } from './generated/prisma/client.js';
