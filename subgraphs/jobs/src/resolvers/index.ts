import { scalarResolvers } from '@jobplatform/service-runtime';
import type { Resolvers } from '../generated/graphql.js';
import { Company } from './Company.js';
import { CompanyMember } from './CompanyMember.js';
import { Job } from './Job.js';
import { JobCategory } from './JobCategory.js';
import { JobConnection } from './JobConnection.js';
import { Mutation } from './Mutation.js';
import { Query } from './Query.js';
import { Skill } from './Skill.js';
import { User } from './User.js';

export const resolvers: Resolvers = { ...scalarResolvers, Query, Mutation, Company, CompanyMember, Job, JobCategory, JobConnection, Skill, User };
