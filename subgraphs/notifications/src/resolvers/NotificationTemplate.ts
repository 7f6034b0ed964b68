import type { NotificationEvent, NotificationTemplateResolvers, NotificationType } from '../generated/graphql.js';
import { apiValueOf, isNotificationEventName } from '../notification-events.js';
import { variablesOf } from '../notification-templates.js';

export const NotificationTemplate: NotificationTemplateResolvers = {
  id: (row) => row.id.toString(),
  event: (row) => apiValueOf(row.event) as NotificationEvent,
  notificationType: (row) => apiValueOf(row.notificationType) as NotificationType,
  variables: (row) => (isNotificationEventName(row.event) ? variablesOf(row.event) : []),
};
