import type { PrismaClient } from './generated/prisma/client.js';

export type SearchDb = InstanceType<typeof PrismaClient>;
export type { SearchItem as SearchItemRow } from './generated/prisma/client.js';
