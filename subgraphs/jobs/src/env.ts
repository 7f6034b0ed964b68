import { z } from 'zod';
import { envSchemas, parseEnv } from '@jobplatform/config';

const schema = z.object({
  NODE_ENV: envSchemas.nodeEnv,
  LOG_LEVEL: envSchemas.logLevel,
  JOBS_HOST: z.string().default('127.0.0.1'),
  JOBS_PORT: envSchemas.port(4002),
  JOBS_DATABASE_URL: envSchemas.postgresUrl,
  /** Where the users service publishes the public keys that access tokens are verified with. */
  JWKS_URL: envSchemas.url.default('http://127.0.0.1:4001/.well-known/jwks.json'),
  /** NATS with JetStream: the outbox relay publishes jobs.>, the consumers read users.>. */
  NATS_URL: envSchemas.natsUrl,
  /** Connections in this process's pool to jobs_db. */
  JOBS_DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(20),
});

export type JobsEnv = z.infer<typeof schema>;

export function loadJobsEnv(source: NodeJS.ProcessEnv = process.env): JobsEnv {
  return parseEnv(schema, source);
}

/** The local development database that `npm start` runs (see scripts/src/dev-stack.ts). */
export const DEV_STACK_JOBS_DATABASE_URL = 'postgresql://postgres:postgres@127.0.0.1:55432/jobs_db';
