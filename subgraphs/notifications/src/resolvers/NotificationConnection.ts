import type { NotificationConnectionResolvers } from '../generated/graphql.js';

/** edges and pageInfo are the page's own; the counts are read only when asked for. */
export const NotificationConnection: NotificationConnectionResolvers = {
  totalCount: (page) => page.totalCount(),
  unreadCount: (page) => page.unreadCount(),
};
