import { z } from 'zod';
import { devStackDatabaseUrl, envSchemas, parseEnv } from '@jobplatform/config';

/** What npm run search:reindex reads: where search_db is, and the GraphQL endpoint it reads jobs from. */
const schema = z.object({
  SEARCH_DATABASE_URL: envSchemas.postgresUrl.default(() => devStackDatabaseUrl('search')),
  /** The gateway (or the jobs subgraph) that serves `jobs`: npm start's gateway by default. */
  SEARCH_REINDEX_SOURCE_URL: envSchemas.url.default('http://127.0.0.1:4000/graphql'),
  LOG_LEVEL: envSchemas.logLevel.default('warn'),
});

export type ReindexEnv = z.infer<typeof schema>;

export const loadReindexEnv = (source: NodeJS.ProcessEnv = process.env): ReindexEnv => parseEnv(schema, source);
