// A year of analytics history for the seed's data set, so that the dashboards (JobStats,
// EmployerDashboard, PlatformStats) have something to show: the clicks and searches that clients
// would have reported, written into analytics_db through the analytics service's own batch writer
// (raw events in their monthly partitions, with their daily rollups). What the platform itself
// reports (registrations, postings, applications) reaches analytics from the running services'
// events, as it happened.
import { createLogger } from '@jobplatform/config';
import { loadSubgraphEnv } from '@jobplatform/service-runtime';
import { analyticsSubgraph, openAnalyticsDomain } from '../../../subgraphs/analytics/src/server.js';
import type { AnalyticsDb } from '../../../subgraphs/analytics/src/db.js';
import type { RawEvent } from '../../../subgraphs/analytics/src/rollups.js';
import { insertEventsWithRollups } from '../../../subgraphs/analytics/src/rollups.js';
import { createRandom, type Random } from './random.js';
import { titlesByCategory } from './vocabulary.js';

export type AnalyticsSeedOptions = {
  analyticsDatabaseUrl: string;
  /** Days of history before today (default 365). */
  days?: number;
  /** How long to wait for analytics' jobs replica to hold the data set's jobs (default 120 s). */
  replicaTimeoutMs?: number;
};

export type AnalyticsSeedSummary = { events: number; alreadyThere: boolean };

type SeedJob = { id: bigint; companyId: bigint; title: string };

const DAY_MS = 24 * 60 * 60 * 1000;
const EVENTS_PER_TRANSACTION = 5_000;
const queries = [
  ...new Set(
    Object.values(titlesByCategory)
      .flat()
      .map((title) => title.toLowerCase()),
  ),
];

/** The history's mark: JOB_VIEW's `source` property, so that a second run of the same seed adds nothing. */
const sourceOf = (seed: number) => `seed-${seed}`;

/**
 * One job's days: it went up on a day of the period, drew most views in its first weeks, fewer on
 * weekends, and some viewers pressed apply or had come from a search.
 */
function* historyOfJob(job: SeedJob, random: Random, seed: number, start: number, days: number): Generator<RawEvent> {
  const popularity = 0.3 + 4 * random.next() ** 2;
  const postedDay = random.int(0, days - 7);
  for (let day = postedDay; day < days; day += 1) {
    const midnight = start + day * DAY_MS;
    const weekend = [0, 6].includes(new Date(midnight).getUTCDay());
    const rate = popularity * (Math.exp(-(day - postedDay) / 45) * 3 + 0.25) * (weekend ? 0.6 : 1);
    const views = Math.floor(rate + random.next());
    for (let i = 0; i < views; i += 1) {
      const timestamp = new Date(midnight + random.int(0, DAY_MS - 1));
      const sessionId = `${sourceOf(seed)}-${random.int(1, 200_000)}`;
      const fromSearch = random.chance(0.35);
      if (fromSearch) {
        const query = random.pick(queries);
        yield {
          eventType: 'search_performed',
          userId: null,
          sessionId: null,
          properties: { kind: 'jobs', query, resultCount: random.int(1, 400) },
          timestamp,
          clientTimestamp: null,
        };
        yield {
          eventType: 'SEARCH_RESULT_CLICK',
          userId: null,
          sessionId,
          properties: { jobId: job.id.toString(), query, position: random.int(0, 19) },
          timestamp,
          clientTimestamp: null,
        };
      }
      yield { eventType: 'JOB_VIEW', userId: null, sessionId, properties: { jobId: job.id.toString(), source: sourceOf(seed) }, timestamp, clientTimestamp: null };
      if (random.chance(0.15)) yield { eventType: 'COMPANY_VIEW', userId: null, sessionId, properties: { companyId: job.companyId.toString() }, timestamp, clientTimestamp: null };
      if (random.chance(0.08)) yield { eventType: 'JOB_APPLY_CLICK', userId: null, sessionId, properties: { jobId: job.id.toString() }, timestamp, clientTimestamp: null };
    }
  }
}

/**
 * Writes `days` days (before today) of client activity on the data set's jobs into analytics_db.
 * It first waits for the running analytics service to copy the jobs from jobs' events, since an
 * employer's totals go by the job's employer in that copy.
 */
export async function seedAnalyticsHistory(
  jobs: SeedJob[],
  options: AnalyticsSeedOptions & { seed: number; logLevel: string; say?: (line: string) => void },
): Promise<AnalyticsSeedSummary> {
  const env = loadSubgraphEnv('analytics', analyticsSubgraph.env, {
    NODE_ENV: 'test',
    LOG_LEVEL: options.logLevel,
    ANALYTICS_DATABASE_URL: options.analyticsDatabaseUrl,
    ANALYTICS_DATABASE_POOL_SIZE: '2',
  });
  const opened = await openAnalyticsDomain(env, { logger: createLogger('seed', options.logLevel as never) });
  const { db, partitions } = opened.domain;
  try {
    const marked = await db.$queryRaw<{ found: number }[]>`
      SELECT count(*)::int AS found FROM (SELECT 1 FROM analytics_events WHERE event_type = 'JOB_VIEW' AND properties->>'source' = ${sourceOf(options.seed)} LIMIT 1) AS history`;
    if ((marked[0]?.found ?? 0) > 0) return { events: 0, alreadyThere: true };
    await waitForJobsReplica(db, jobs, options);

    const days = options.days ?? 365;
    const today = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate());
    const start = today - days * DAY_MS;
    const random = createRandom(options.seed ^ 0x5eed_a11);
    let batch: RawEvent[] = [];
    let events = 0;
    const write = async () => {
      const written = batch;
      batch = [];
      await db.$transaction(
        async (tx) => {
          await partitions.ensureFor(
            tx,
            written.map((event) => event.timestamp),
          );
          events += await insertEventsWithRollups(tx, written);
        },
        { timeout: 120_000, maxWait: 30_000 },
      );
    };
    for (const job of jobs) {
      for (const event of historyOfJob(job, random, options.seed, start, days)) {
        batch.push(event);
        if (batch.length >= EVENTS_PER_TRANSACTION) await write();
      }
    }
    if (batch.length > 0) await write();
    return { events, alreadyThere: false };
  } finally {
    await opened.close();
  }
}

async function waitForJobsReplica(db: AnalyticsDb, jobs: SeedJob[], options: AnalyticsSeedOptions & { say?: (line: string) => void }) {
  const timeoutMs = options.replicaTimeoutMs ?? 120_000;
  const started = Date.now();
  let saidAt = started;
  const ids = jobs.map((job) => job.id.toString());
  for (;;) {
    const [row] = await db.$queryRaw<
      { missing: number }[]
    >`SELECT count(*)::int AS missing FROM unnest(${ids}::bigint[]) AS j(id) WHERE NOT EXISTS (SELECT 1 FROM job_replicas r WHERE r.id = j.id)`;
    const missing = row?.missing ?? 0;
    if (missing === 0) return;
    if (Date.now() - started > timeoutMs) {
      throw new Error(
        `analytics_db still lacks ${missing} of the ${jobs.length} jobs after ${Math.round(timeoutMs / 1000)} s. The analytics service copies them from jobs' events: is the platform running (npm start)?`,
      );
    }
    if (Date.now() - saidAt >= 10_000) {
      options.say?.(`waiting for the analytics service to copy the jobs: ${missing} of ${jobs.length} to go`);
      saidAt = Date.now();
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
