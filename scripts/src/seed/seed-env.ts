import { z } from 'zod';
import { devStackDatabaseUrl, envSchemas, parseEnv } from '@jobplatform/config';

const schema = z.object({
  /** Defaults to the databases of `npm start`'s embedded PostgreSQL. */
  USERS_DATABASE_URL: envSchemas.postgresUrl.default(() => devStackDatabaseUrl('users')),
  JOBS_DATABASE_URL: envSchemas.postgresUrl.default(() => devStackDatabaseUrl('jobs')),
  APPLICATIONS_DATABASE_URL: envSchemas.postgresUrl.default(() => devStackDatabaseUrl('applications')),
  /** search_db, where the seed waits for the running search service to index the data set's jobs. */
  SEARCH_DATABASE_URL: envSchemas.postgresUrl.default(() => devStackDatabaseUrl('search')),
  /** analytics_db, where the seed writes a year of client activity once analytics has copied the jobs. */
  ANALYTICS_DATABASE_URL: envSchemas.postgresUrl.default(() => devStackDatabaseUrl('analytics')),
  /** The users service the seed runs in-process publishes its events here (npm start's nats-server by default). */
  NATS_URL: envSchemas.natsUrl,
  /** The users service's NATS password; by default npm start's development key. */
  USERS_NATS_PASSWORD: z.string().min(1).optional(),
  /** Where npm start keeps its development keys. */
  JOBPLATFORM_DATA_DIR: z.string().optional(),
  LOG_LEVEL: envSchemas.logLevel.default('warn'),
});

export type SeedEnv = z.infer<typeof schema>;

export function loadSeedEnv(source: NodeJS.ProcessEnv = process.env): SeedEnv {
  return parseEnv(schema, source);
}

/**
 * The applications service's own settings for where attachment bytes go (APPLICATIONS_BLOB_DIR,
 * APPLICATIONS_S3_*, PUBLIC_ORIGIN), as npm start's service has them: the seed's attachments must
 * land in the same blob store. The applications service's schema validates them.
 */
export function applicationsStorageSettings(source: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(source).filter(([name]) => name === 'PUBLIC_ORIGIN' || name === 'APPLICATIONS_BLOB_DIR' || name.startsWith('APPLICATIONS_S3_')));
}
