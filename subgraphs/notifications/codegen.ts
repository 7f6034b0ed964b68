import { createSubgraphCodegenConfig } from '@jobplatform/service-runtime/codegen';

/** Typed resolvers from the SDL, with database rows (or the service's own types) as the parent types. */
export default createSubgraphCodegenConfig({
  contextType: '../context.js#NotificationsContext',
  mappers: {
    Notification: '../db.js#NotificationRow',
    NotificationConnection: '../notification-pages.js#NotificationPage',
    NotificationEdge: '../notification-pages.js#NotificationPageEdge',
    NotificationTemplate: '../db.js#NotificationTemplateRow',
    NotificationPreference: '../preferences.js#ChannelPreference',
    User: '../notification-pages.js#UserReference',
  },
});
