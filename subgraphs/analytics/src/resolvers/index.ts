import { scalarResolvers } from '@jobplatform/service-runtime';
import type { Resolvers } from '../generated/graphql.js';
import { Job } from './Job.js';
import { Mutation } from './Mutation.js';
import { Query } from './Query.js';
import { User } from './User.js';

export const resolvers: Resolvers = { Date: scalarResolvers.Date, DateTime: scalarResolvers.DateTime, JSON: scalarResolvers.JSON, Query, Mutation, Job, User };
