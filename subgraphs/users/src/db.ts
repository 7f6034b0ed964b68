import { createPrismaClient } from '@jobplatform/service-runtime';
import { PrismaClient } from './generated/prisma/client.js';

export type UsersDb = InstanceType<typeof PrismaClient>;
export type { User as UserRow } from './generated/prisma/client.js';
export { PrismaClient };

/** A client of its own for the command-line tools (create-admin, erasures); the service gets its pool from the kit. */
export function createUsersDb(databaseUrl: string): UsersDb {
  return createPrismaClient(PrismaClient, databaseUrl, { poolSize: 4 });
}
