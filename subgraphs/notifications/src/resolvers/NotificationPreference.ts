import type { NotificationPreferenceResolvers, NotificationType } from '../generated/graphql.js';
import { apiValueOf } from '../notification-events.js';

export const NotificationPreference: NotificationPreferenceResolvers = {
  notificationType: (preference) => apiValueOf(preference.channel) as NotificationType,
};
