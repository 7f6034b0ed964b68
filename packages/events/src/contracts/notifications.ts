import { z } from 'zod';
import { defineEvent } from './define-event.js';
import { bigintId } from './users.js';

/**
 * Who has a new in-app notification, so that the gateway can push it live to that user
 * (Subscription.notificationReceived) and read it through the graph with the user's own rights.
 * Ids only: the title and message stay in notifications_db, readable by the recipient alone.
 */
export const notificationsEvents = {
  'notifications.notification.created.v1': defineEvent({
    producer: 'notifications',
    consumers: [],
    aggregate: 'notification',
    aggregateIdOf: (data) => data.notificationId,
    summary: "An in-app notification was added to a user's inbox (sent); the gateway delivers it to that user's notificationReceived subscriptions.",
    schema: z.object({
      notificationId: bigintId,
      recipientId: bigintId.describe('The user whose inbox it is in: the only one who may see it.'),
      notificationType: z.literal('in_app'),
    }),
  }),
};
