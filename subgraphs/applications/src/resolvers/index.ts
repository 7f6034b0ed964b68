import { scalarResolvers } from '@jobplatform/service-runtime';
import type { Resolvers } from '../generated/graphql.js';
import { Application } from './Application.js';
import { ApplicationAttachment } from './ApplicationAttachment.js';
import { ApplicationConnection } from './ApplicationConnection.js';
import { ApplicationStatusChange } from './ApplicationStatusChange.js';
import { Interview } from './Interview.js';
import { Job } from './Job.js';
import { Mutation } from './Mutation.js';
import { Query } from './Query.js';
import { User } from './User.js';

export const resolvers: Resolvers = {
  ...scalarResolvers,
  Query,
  Mutation,
  Application,
  ApplicationAttachment,
  ApplicationConnection,
  ApplicationStatusChange,
  Interview,
  Job,
  User,
};
