import pg from 'pg';

export type SearchSeedOptions = {
  searchDatabaseUrl: string;
  /** How long to wait for search_db to index the data set's jobs (default 120 s). */
  indexTimeoutMs?: number;
};

/**
 * Waits until the search service has indexed the data set's jobs from jobs' events (each open job
 * searchable, each closed one out of the results), so that the seed data is searchable when the seed
 * ends. Reads search_db only; the running search service does the indexing. Returns how many jobs it
 * waited for.
 */
export async function waitForSearchIndex(jobs: { id: bigint; isActive: boolean }[], options: SearchSeedOptions & { say?: (line: string) => void }): Promise<number> {
  const timeoutMs = options.indexTimeoutMs ?? 120_000;
  const client = new pg.Client({ connectionString: options.searchDatabaseUrl });
  await client.connect();
  try {
    const started = Date.now();
    let saidAt = started;
    for (;;) {
      const { rows } = await client.query<{ missing: number }>(
        `SELECT count(*)::int AS missing FROM unnest($1::bigint[], $2::boolean[]) AS j(id, is_active)
         WHERE NOT EXISTS (SELECT 1 FROM search_indexes s WHERE s.entity_type = 'job' AND s.entity_id = j.id AND s.is_active = j.is_active)`,
        [jobs.map((job) => job.id.toString()), jobs.map((job) => job.isActive)],
      );
      const missing = rows[0]!.missing;
      if (missing === 0) return jobs.length;
      if (Date.now() - started > timeoutMs) {
        throw new Error(
          `search_db still lacks ${missing} of the ${jobs.length} jobs after ${Math.round(timeoutMs / 1000)} s. The search service indexes them from jobs' events: ` +
            'is the platform running (npm start)? Jobs whose events the stream no longer holds come back with npm run search:reindex.',
        );
      }
      if (Date.now() - saidAt >= 10_000) {
        options.say?.(`waiting for the search service to index the jobs: ${missing} of ${jobs.length} to go`);
        saidAt = Date.now();
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  } finally {
    await client.end();
  }
}
