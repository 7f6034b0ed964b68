import { scalarResolvers } from '@jobplatform/service-runtime';
import type { Resolvers } from '../generated/graphql.js';
import { Mutation } from './Mutation.js';
import { Notification } from './Notification.js';
import { NotificationConnection } from './NotificationConnection.js';
import { NotificationPreference } from './NotificationPreference.js';
import { NotificationTemplate } from './NotificationTemplate.js';
import { Query } from './Query.js';
import { User } from './User.js';

export const resolvers: Resolvers = {
  DateTime: scalarResolvers.DateTime,
  JSON: scalarResolvers.JSON,
  Query,
  Mutation,
  Notification,
  NotificationConnection,
  NotificationPreference,
  NotificationTemplate,
  User,
};
