import type { PrismaClient } from './generated/prisma/client.js';

export type AnalyticsDb = InstanceType<typeof PrismaClient>;
