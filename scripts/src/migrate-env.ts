import { z } from 'zod';
import { envSchemas, parseEnv } from '@jobplatform/config';

/** The database URL variables of the services, each optional. */
export function loadMigrateEnv(variables: string[], source: NodeJS.ProcessEnv = process.env): Record<string, string | undefined> {
  const shape = Object.fromEntries(variables.map((name) => [name, envSchemas.postgresUrl.optional()]));
  return parseEnv(z.object(shape), source) as Record<string, string | undefined>;
}

/**
 * The NATS server whose streams the migration purges of retired subjects, and the admin identity's
 * password there; without NATS_URL the streams are left alone.
 */
export function loadMigrateNatsEnv(source: NodeJS.ProcessEnv = process.env): { NATS_URL?: string | undefined; NATS_ADMIN_PASSWORD?: string | undefined } {
  return parseEnv(z.object({ NATS_URL: envSchemas.natsUrl.unwrap().optional(), NATS_ADMIN_PASSWORD: z.string().min(1).optional() }), source);
}
