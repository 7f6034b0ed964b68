import { z } from 'zod';
import { envSchemas, parseEnv } from '@jobplatform/config';
import type { ServiceDatabaseAccess } from '@jobplatform/database';

/**
 * POSTGRES_ADMIN_URL: a superuser of the server the services' databases are on. With it, each
 * service's role (the user and password of its <NAME>_DATABASE_URL) and database are made or
 * brought up to date before its migrations run as that role; the connection serves nothing else.
 */
export const postgresAdminUrlVariable = 'POSTGRES_ADMIN_URL';

/** The database URL variables of the services, each optional, and POSTGRES_ADMIN_URL, optional. */
export function loadMigrateEnv(variables: string[], source: NodeJS.ProcessEnv = process.env): Record<string, string | undefined> {
  const shape = Object.fromEntries([...variables, postgresAdminUrlVariable].map((name) => [name, envSchemas.postgresUrl.optional()]));
  return parseEnv(z.object(shape), source) as Record<string, string | undefined>;
}

/** The service's role, password and database, as its URL names them. */
export function accessOf(databaseUrl: string): ServiceDatabaseAccess {
  const url = new URL(databaseUrl);
  return { database: decodeURIComponent(url.pathname.slice(1)), role: decodeURIComponent(url.username), password: decodeURIComponent(url.password) };
}

/**
 * The NATS server whose streams the migration purges of retired subjects, and the admin identity's
 * password there; without NATS_URL the streams are left alone.
 */
export function loadMigrateNatsEnv(source: NodeJS.ProcessEnv = process.env): { NATS_URL?: string | undefined; NATS_ADMIN_PASSWORD?: string | undefined } {
  return parseEnv(z.object({ NATS_URL: envSchemas.natsUrl.unwrap().optional(), NATS_ADMIN_PASSWORD: z.string().min(1).optional() }), source);
}
