// npm run search:reindex: rebuilds search's read model from jobs' open jobs, read through the
// gateway (SEARCH_REINDEX_SOURCE_URL), beside the live one, then swaps it in (reindex.ts). Searches
// go on meanwhile; changes that events make during the rebuild are kept.
import { createLogger, EnvError } from '@jobplatform/config';
import { createPrismaClient } from '@jobplatform/service-runtime';
import { PrismaClient } from '../generated/prisma/client.js';
import { readOpenJobs } from '../job-source.js';
import { rebuildSearchIndex } from '../reindex.js';
import { loadReindexEnv } from './reindex-env.js';

try {
  const env = loadReindexEnv();
  const logger = createLogger('search-reindex', env.LOG_LEVEL);
  const db = createPrismaClient(PrismaClient, env.SEARCH_DATABASE_URL, { poolSize: 2 });
  try {
    const started = performance.now();
    const done = await rebuildSearchIndex(db, readOpenJobs(env.SEARCH_REINDEX_SOURCE_URL), { say: (line) => logger.info(line) });
    console.log(
      `✔ search_indexes rebuilt from ${env.SEARCH_REINDEX_SOURCE_URL}: ${done.jobs} open jobs, ${done.companies} companies in ${Math.round(performance.now() - started) / 1000} s`,
    );
  } finally {
    await db.$disconnect();
  }
} catch (error) {
  console.error(error instanceof EnvError ? error.message : error);
  process.exit(1);
}
