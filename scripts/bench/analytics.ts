// npm run bench:analytics — the analytics figures of docs/benchmarks.md, in one run:
//  1. ingest: trackEvents with batches of 50 JOB_VIEWs, straight to the analytics subgraph (signed
//     as the gateway), in events per second (target: at least 5,000);
//  2. single trackEvent calls through the gateway beside Me through the gateway, as one signed-in
//     employer, interleaved rounds (target: ratio at least 0.9);
//  3. JobStats for 365 days on a job with 1,000,000 raw view events, straight to the subgraph (the
//     `_entities` call the gateway makes), p99 (target: at most 30 ms);
//  4. freshness: a JOB_VIEW sent through the gateway, then JobStats through the gateway until the
//     day's views include it (target: within 5 s).
// Data: the seed's companies and --jobs jobs (bench:jobs' data set); the 1,000,000 views are written
// by SQL into analytics_events (their monthly partitions made by the service's own partition
// keeper), spread over the last 365 days, and the daily rollups rebuilt from them with the
// service's own rebuildRollups, as `npm run analytics:rollup` does.
// It builds first (npx turbo run build, cached) unless --no-build. Options: --seconds N (per
// measurement, default 10), --rounds N (default 2), --connections N (through the gateway, default
// 50), --ingest-connections N (default 8), --stats-connections N (default 4), --jobs N (default
// 200), --views N (default 1000000), --freshness-samples N (default 30), --max-load X (wait for
// the 1-minute load average to fall to X before each measurement), --cpu-prof DIR (every service
// writes a V8 CPU profile there when the run ends), --only-job-stats (the same data, then only the
// JobStats measurement, --rounds times: for profiling the analytics process on it alone).
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { postGraphQL } from '@jobplatform/testing';
import { createPartitionKeeper } from '../../subgraphs/analytics/src/partitions.js';
import { rebuildRollups } from '../../subgraphs/analytics/src/rollups.js';
import { SEED_EMPLOYER_PASSWORD } from '../src/seed/seed-platform.js';
import {
  buildServices,
  clientOperation,
  loadAverage,
  loadGraphQL,
  machineDescription,
  markdownTable,
  percentile,
  postDirect,
  signIn,
  startBenchStack,
  stopOnInterrupt,
  waitForQuiet,
  type GraphQLBody,
  type LoadResult,
  cpuProfileArgs,
} from './bench-stack.js';
import { seedBenchJobs } from './seed-jobs.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '2' },
    connections: { type: 'string', default: '50' },
    'ingest-connections': { type: 'string', default: '8' },
    'stats-connections': { type: 'string', default: '4' },
    jobs: { type: 'string', default: '200' },
    views: { type: 'string', default: '1000000' },
    'freshness-samples': { type: 'string', default: '30' },
    'max-load': { type: 'string' },
    'cpu-prof': { type: 'string' },
    'only-job-stats': { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
  },
});
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const connections = Number(values.connections);
const ingestConnections = Number(values['ingest-connections']);
const statsConnections = Number(values['stats-connections']);
const jobCount = Number(values.jobs);
const viewCount = Number(values.views);
const freshnessSamples = Number(values['freshness-samples']);
const maxLoad = values['max-load'] === undefined ? undefined : Number(values['max-load']);
const onlyJobStats = values['only-job-stats'];
const command = `npm run bench:analytics -- ${process.argv.slice(2).join(' ')}`.trim();

const TRACK_EVENT = clientOperation('analytics', 'TrackEvent');
const JOB_STATS = clientOperation('analytics', 'JobStats');
const ME = clientOperation('users', 'Me');
const TRACK_EVENTS = 'mutation TrackEvents($inputs: [TrackEventInput!]!) { trackEvents(inputs: $inputs) { accepted rejected { index message } } }';
/** What the gateway asks analytics for JobStats' stats: the job's entity, by key. */
const JOB_STATS_ENTITIES = `query JobStatsPart($representations: [_Any!]!, $from: Date!, $to: Date!) {
  _entities(representations: $representations) { ... on Job { stats(from: $from, to: $to) { views applications daily { date views applications } } } }
}`;
const BATCH = 50;
const DAY_MS = 24 * 60 * 60 * 1000;
const day = (offset: number) => new Date(Date.now() + offset * DAY_MS).toISOString().slice(0, 10);

/** `count` different bodies, made by `make`, so that no request repeats another. */
const distinct = (count: number, make: (i: number) => GraphQLBody): GraphQLBody[] => Array.from({ length: count }, (_, i) => make(i));

if (!values['no-build']) buildServices();
// Every request of the benchmark comes from 127.0.0.1: the per-address limit must not be what is measured.
const stack = await startBenchStack({ ANALYTICS_RATE_LIMIT_PER_ADDRESS: '100000000' }, cpuProfileArgs(values['cpu-prof']));
stopOnInterrupt(() => stack.stop());
try {
  await seedBenchJobs(stack, jobCount);
  const jobsDb = new pg.Client({ connectionString: stack.env.JOBS_DATABASE_URL! });
  const usersDb = new pg.Client({ connectionString: stack.env.USERS_DATABASE_URL! });
  const analyticsDb = new pg.Client({ connectionString: stack.env.ANALYTICS_DATABASE_URL! });
  await Promise.all([jobsDb.connect(), usersDb.connect(), analyticsDb.connect()]);
  for (const client of [jobsDb, usersDb, analyticsDb]) client.on('error', () => undefined);

  const { rows: jobs } = await jobsDb.query<{ id: string; employer_id: string }>('SELECT id::text, employer_id::text FROM jobs WHERE is_active ORDER BY id');
  const statsJob = jobs[0]!;
  const { rows: employerRows } = await usersDb.query<{ email: string }>('SELECT email FROM users WHERE id = $1', [statsJob.employer_id]);
  const gatewayUrl = stack.urls.gateway!;
  const analyticsUrl = stack.urls.analytics!;
  // An access token lasts 15 minutes, and --max-load may wait that long before each measurement:
  // every measurement signs in afresh once the wait is over.
  const signInEmployer = () => signIn(gatewayUrl, employerRows[0]!.email, SEED_EMPLOYER_PASSWORD);
  let token = await signInEmployer();

  // analytics learns the jobs from jobs' events; the stats of a job it does not know are refused.
  for (;;) {
    const { rows } = await analyticsDb.query<{ n: number }>('SELECT count(*)::int AS n FROM job_replicas');
    if (rows[0]!.n >= jobs.length) break;
    console.log(`  waiting for analytics' copy of the jobs: ${jobs.length - rows[0]!.n} to go`);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  }

  console.log(`writing ${viewCount} raw views of job ${statsJob.id} over 365 days, then the rollups…`);
  const started = performance.now();
  const keeper = createPartitionKeeper({ retentionMonths: 25, monthsAhead: 3 });
  await analyticsDb.query('BEGIN');
  await keeper.ensureFor(
    analyticsDb,
    Array.from({ length: 14 }, (_, i) => new Date(Date.now() - i * 30 * DAY_MS)),
  );
  await analyticsDb.query(
    `INSERT INTO analytics_events (event_type, session_id, properties, "timestamp")
     SELECT 'JOB_VIEW', 'bench-' || i, jsonb_build_object('jobId', $2::text), now() - random() * interval '364 days'
     FROM generate_series(1, $1::int) AS i`,
    [viewCount, statsJob.id],
  );
  const rebuilt = await rebuildRollups(analyticsDb, day(-365), day(0));
  await analyticsDb.query('COMMIT');
  await analyticsDb.query('VACUUM ANALYZE analytics_events, job_analytics');
  console.log(`  done in ${Math.round((performance.now() - started) / 1000)} s (${rebuilt.jobRows} daily job rows)`);

  const statsCheck = await postDirect(
    stack,
    analyticsUrl,
    { query: JOB_STATS_ENTITIES, variables: { representations: [{ __typename: 'Job', id: statsJob.id }], from: day(-364), to: day(0) } },
    token,
  );
  const viewsSeen = (statsCheck.data as { _entities: { stats: { views: number } }[] } | null)?._entities[0]?.stats.views;
  if (viewsSeen !== viewCount) throw new Error(`JobStats reads ${viewsSeen} views, not ${viewCount}: ${JSON.stringify(statsCheck.errors)}`);

  const results: LoadResult[] = [];
  const ingestRounds: { accepted: number; written: number; refused: number }[] = [];
  const storedEvents = async () => (await analyticsDb.query<{ n: number }>('SELECT count(*)::int AS n FROM analytics_events')).rows[0]!.n;
  const ratioRounds: { track: LoadResult; me: LoadResult }[] = [];
  /** Waits until the service's buffered events are all written (the row count holds for half a second). */
  const buffersWritten = async () => {
    let written = await storedEvents();
    let lastWriteAt = performance.now();
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      const now = await storedEvents();
      if (now === written) return { written, lastWriteAt };
      [written, lastWriteAt] = [now, performance.now()];
    }
  };
  /** 1. Ingest: each request 50 views of different jobs in a session of its own. */
  const measureIngest = async (round: number) => {
    await waitForQuiet(maxLoad);
    const batches = distinct(20_000, (i) => ({
      query: TRACK_EVENTS,
      variables: {
        inputs: Array.from({ length: BATCH }, (_, k) => ({
          eventType: 'JOB_VIEW',
          sessionId: `ingest-${round}-${i}`,
          properties: { jobId: jobs[(i * BATCH + k) % jobs.length]!.id },
        })),
      },
    }));
    const rowsBefore = await storedEvents();
    const ingestStarted = performance.now();
    const ingest = await loadGraphQL(`trackEvents ×${BATCH}, straight to analytics, ${ingestConnections} connections, round ${round}`, analyticsUrl, batches, {
      connections: ingestConnections,
      seconds,
      hopSecret: stack.hopSecret,
    });
    results.push(ingest);
    // Accepted events sit in the service's buffer until its next batch write: the figure is what
    // reached analytics_events, over the measurement and the time the buffer took to drain.
    const { written, lastWriteAt } = await buffersWritten();
    const refused = ingest.errors;
    ingestRounds.push({
      accepted: Math.round(((ingest.requestsPerSecond * seconds - refused) * BATCH) / seconds),
      written: Math.round(((written - rowsBefore) * 1000) / (lastWriteAt - ingestStarted)),
      refused,
    });
  };

  /** 2. trackEvent beside Me, through the gateway, as the employer. */
  const measureTrackBesideMe = async (round: number) => {
    await waitForQuiet(maxLoad);
    token = await signInEmployer();
    const singles = distinct(20_000, (i) => ({
      query: TRACK_EVENT,
      variables: { input: { eventType: 'JOB_VIEW', sessionId: `single-${round}-${i}`, properties: { jobId: jobs[i % jobs.length]!.id } } },
    }));
    const track = await loadGraphQL(`TrackEvent through the gateway, round ${round}`, gatewayUrl, singles, { connections, seconds, token });
    await waitForQuiet(maxLoad);
    token = await signInEmployer();
    const me = await loadGraphQL(`Me through the gateway, round ${round}`, gatewayUrl, { query: ME }, { connections, seconds, token });
    results.push(track, me);
    ratioRounds.push({ track, me });
  };

  /**
   * 3. JobStats for 365 days, windows ending on different days so that requests differ; after the
   * views just sent are written, so that reads are measured, not reads beside batch writes.
   */
  const measureJobStats = async (round: number) => {
    await buffersWritten();
    await waitForQuiet(maxLoad);
    token = await signInEmployer();
    const statsBodies = distinct(30, (i) => ({
      query: JOB_STATS_ENTITIES,
      variables: { representations: [{ __typename: 'Job', id: statsJob.id }], from: day(-364 - i), to: day(-i) },
    }));
    results.push(
      await loadGraphQL(`JobStats (365 days, ${viewCount} views), straight to analytics, ${statsConnections} connections, round ${round}`, analyticsUrl, statsBodies, {
        connections: statsConnections,
        seconds,
        token,
        hopSecret: stack.hopSecret,
      }),
    );
  };

  /** 4. Freshness: one view at a time, of a job whose views today are known, through the gateway; the delays sorted. */
  const measureFreshness = async () => {
    await waitForQuiet(maxLoad);
    token = await signInEmployer();
    // Another job of the same employer, whose token reads its statistics.
    const freshJob = jobs.find((job) => job.employer_id === statsJob.employer_id && job.id !== statsJob.id) ?? statsJob;
    const todaysViews = async () => {
      const response = await postGraphQL(gatewayUrl, { query: JOB_STATS, variables: { jobId: freshJob.id, from: day(0), to: day(0) } }, { token });
      const stats = (response.data as { job: { stats: { views: number } | null } | null } | null)?.job?.stats;
      if (!stats) throw new Error(`JobStats through the gateway: ${JSON.stringify(response.errors)}`);
      return stats.views;
    };
    const delays: number[] = [];
    for (let i = 0; i < freshnessSamples; i += 1) {
      const before = await todaysViews();
      const sentAt = performance.now();
      const sent = await postGraphQL(
        gatewayUrl,
        { query: TRACK_EVENT, variables: { input: { eventType: 'JOB_VIEW', sessionId: `fresh-${randomUUID()}`, properties: { jobId: freshJob.id } } } },
        { token },
      );
      if (sent.errors) throw new Error(`TrackEvent: ${JSON.stringify(sent.errors)}`);
      while ((await todaysViews()) <= before) {
        if (performance.now() - sentAt > 30_000) throw new Error('a view did not reach JobStats within 30 s');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      delays.push(performance.now() - sentAt);
    }
    return delays.sort((a, b) => a - b);
  };

  for (let round = 1; round <= rounds; round += 1) {
    console.log(`round ${round} of ${rounds} (load average ${loadAverage()})`);
    if (!onlyJobStats) {
      await measureIngest(round);
      await measureTrackBesideMe(round);
    }
    await measureJobStats(round);
  }
  const delays = onlyJobStats ? [] : await measureFreshness();

  console.log(`\n${command}\n${machineDescription()}, load average ${loadAverage()}\n`);
  console.log(markdownTable(results, { withP95: true }));
  console.log('\n| figure | per round | target |\n|---|---|---|');
  if (!onlyJobStats) {
    console.log(`| ingest, events/s accepted (trackEvents ×${BATCH}, straight) | ${ingestRounds.map((r) => r.accepted).join(' / ')} | ≥ 5,000 |`);
    console.log(
      `| ingest, events/s written to analytics_events (to the buffer's last write) | ${ingestRounds.map((r) => r.written).join(' / ')} (calls refused while the buffer was full: ${ingestRounds.map((r) => r.refused).join(' / ')}) | |`,
    );
    console.log(
      `| TrackEvent / Me through the gateway, req/s | ${ratioRounds.map(({ track, me }) => (track.requestsPerSecond / me.requestsPerSecond).toFixed(2)).join(' / ')} | ≥ 0.9 |`,
    );
  }
  console.log(
    `| JobStats p99 ms (365 days, straight) | ${results
      .filter((r) => r.label.startsWith('JobStats'))
      .map((r) => r.p99)
      .join(' / ')} | ≤ 30 |`,
  );
  if (!onlyJobStats)
    console.log(
      `| JOB_VIEW → JobStats, ${freshnessSamples} views | p50 ${Math.round(percentile(delays, 50))} ms, p99 ${Math.round(percentile(delays, 99))} ms, max ${Math.round(delays.at(-1)!)} ms | ≤ 5,000 ms |`,
    );
  await Promise.all([jobsDb.end(), usersDb.end(), analyticsDb.end()]);
} finally {
  await stack.stop();
}
