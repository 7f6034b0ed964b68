import type { Prisma, PrismaClient } from './generated/prisma/client.js';

export type NotificationsDb = InstanceType<typeof PrismaClient>;
export type Tx = Prisma.TransactionClient;
export type {
  Notification as NotificationRow,
  NotificationTemplate as NotificationTemplateRow,
  UserNotificationPreference as UserNotificationPreferenceRow,
} from './generated/prisma/client.js';
