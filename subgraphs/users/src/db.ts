import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/prisma/client.js';

export type UsersDb = InstanceType<typeof PrismaClient>;
export type { User as UserRow } from './generated/prisma/client.js';

export function createUsersDb(databaseUrl: string): UsersDb {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl, max: 20 }) });
}
