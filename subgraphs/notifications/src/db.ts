import type { PrismaClient } from './generated/prisma/client.js';

export type NotificationsDb = InstanceType<typeof PrismaClient>;
export type { NotificationsItem as NotificationsItemRow } from './generated/prisma/client.js';
