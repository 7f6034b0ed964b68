import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { envSchemas } from '@jobplatform/config';

/**
 * search's own settings, beside the common ones every subgraph has (SEARCH_PORT,
 * SEARCH_DATABASE_URL, NATS_URL, ...: packages/service-runtime/src/subgraph-env.ts).
 */
export const searchSettings = z.object({
  /** A query is a popular search once this many different signed-in users searched it; fewer, and it could be one person's private search. */
  SEARCH_POPULAR_MIN_USERS: z.coerce.number().int().min(2).max(1000).default(3),
  /** How long a search waits at most before the search log writes it with the others (analytics, history, the event). */
  SEARCH_LOG_FLUSH_MS: z.coerce.number().int().min(10).max(60_000).default(200),
  /** How often the saved-search digest scheduler looks for a DAILY or WEEKLY period that has ended. */
  SEARCH_DIGEST_INTERVAL_MS: z.coerce.number().int().min(50).max(3_600_000).default(60_000),
  /**
   * Whether searchJobs is answered from the open jobs held in this process's memory
   * (job-text-index.ts), with PostgreSQL only preparing the query and writing the page; false: every
   * search reads the matching jobs in PostgreSQL.
   */
  SEARCH_JOBS_IN_MEMORY: envSchemas.booleanString.default(true),
  /** How many searchJobs statements run at once in PostgreSQL; the others queue in the service. By default twice the cores. */
  SEARCH_CONCURRENT_QUERIES: z.coerce
    .number()
    .int()
    .min(1)
    .max(200)
    .default(2 * availableParallelism()),
  /**
   * PostgreSQL's work_mem for search's connections. A search computes its page, total and facets
   * from one set of the jobs its words match; the broadest (tens of thousands of jobs) hold a few
   * MB of it, and past work_mem PostgreSQL writes the set to a temporary file and reads it back for
   * each facet. PostgreSQL's default is 4MB.
   */
  SEARCH_WORK_MEM: z
    .string()
    .regex(/^[1-9][0-9]*(kB|MB|GB)$/, 'a size such as 16MB (kB, MB or GB)')
    .default('16MB'),
});

export type SearchSettings = z.infer<typeof searchSettings>;
