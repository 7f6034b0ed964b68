// npm run bench:jobs — the jobs figures of docs/benchmarks.md, on the 100,000-job data set:
//  1. JobDetail through the gateway, beside the same query sent straight to the jobs subgraph
//     (which answers all of it: the employer's handle and names come from its users replica), and
//     beside its floor;
//  2. Jobs(first: 20) with filters through the gateway, beside the same query straight to jobs,
//     and beside its floor.
// The floor (issue #15: the jobs subgraph alone should reach at least half of its req/s) is a bare
// HTTP server (floor-server.ts), a process of its own with a pool of 4 connections to the same
// jobs_db, that answers each request with one hand-written statement (jobs-floor.ts) whose one
// value is the whole response body, built by PostgreSQL: no GraphQL execution, no resolvers, no
// response JSON made in Node. Before measuring, the benchmark checks that the floor's answers
// equal the subgraph's for the JobDetail sample and the filtered list. Every measurement: 50
// connections (--connections N), in interleaved rounds so that every path sees the same machine noise. After the results it prints direct / floor req/s (target ≥ 0.5) and
// through gateway / direct latency (target ≤ 1.5×), means of the rounds.
// Build first (npm run build). Options: --jobs N (default 100000), --seconds N (per round,
// default 10), --rounds N (default 2), --previous-indexes (first measure Jobs again with the jobs
// indexes as they were before the 20261127155436_filter_count_index migration, on the same data,
// then restore them: a before/after in one run on one machine), --max-load X (before each
// measurement, wait up to 15 minutes for the 1-minute load average to fall to X: the seeding
// itself leaves the machine busy), --gateway-beside ARGS (also measure, in the same rounds, two
// more gateways over the same subgraphs, both started after the seed: one with the platform's
// GATEWAY_NODE_ARGS and one with the Node options ARGS instead; "" for Node's defaults. The three
// gateways are measured in a different order each round, so that none always follows the same run),
// --gateway-beside-env "NAME=VALUE …" (the same, the second gateway with the platform's Node options
// and these settings added, e.g. GATEWAY_SINGLE_FETCH=false; with --gateway-beside, both).
// Each measurement's CPU per request of the gateway measured, jobs and PostgreSQL (postmaster and
// backends) is printed with the results.
// It waits for the jobs relay to publish what the seed wrote before measuring, and prints the
// plan of the Jobs count and the load average, since the machine may be shared.
import { execSync } from 'node:child_process';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import pg from 'pg';
import { postGraphQL } from '@jobplatform/testing';
import {
  clientOperation,
  dataOf,
  loadAverage,
  loadGraphQL,
  machineDescription,
  markdownTable,
  postDirect,
  startBenchStack,
  startFloorServer,
  startGatewayBeside,
  stopOnInterrupt,
  waitForQuiet,
  mean,
} from './bench-stack.js';
import type { BenchStack, FloorServer, GraphQLBody, LoadResult } from './bench-stack.js';
import { seedBenchJobs } from './seed-jobs.js';
import { postgresAt, withCpuPerRequest, type ProfiledProcess } from './request-profile.js';
import { GATEWAY_NODE_ARGS } from '../src/platform-services.js';

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '100000' },
    seconds: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '2' },
    'previous-indexes': { type: 'boolean', default: false },
    'max-load': { type: 'string' },
    'gateway-beside': { type: 'string' },
    'gateway-beside-env': { type: 'string' },
    connections: { type: 'string', default: '50' },
  },
});
const jobCount = Number(values.jobs);
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const connections = Number(values.connections);
if (!Number.isInteger(connections) || connections < 1) throw new Error(`--connections takes a whole number above 0: ${values.connections}`);
const maxLoad = values['max-load'] === undefined ? undefined : Number(values['max-load']);
const besideArgs = values['gateway-beside'] === undefined ? undefined : values['gateway-beside'].split(' ').filter(Boolean);
const besideEnv =
  values['gateway-beside-env'] === undefined
    ? undefined
    : Object.fromEntries(
        values['gateway-beside-env']
          .split(' ')
          .filter(Boolean)
          .map((setting) => {
            const at = setting.indexOf('=');
            if (at < 1) throw new Error(`--gateway-beside-env: "${setting}" is not NAME=VALUE`);
            return [setting.slice(0, at), setting.slice(at + 1)];
          }),
      );

const JOB_DETAIL = clientOperation('jobs', 'JobDetail');
const JOBS = clientOperation('jobs', 'Jobs');
const FILTER = { jobTypes: ['FULL_TIME', 'CONTRACT'], experienceLevels: ['MID', 'SENIOR'], salaryMin: 60000, salaryCurrency: 'EUR' };
/** The SQL the jobs service sends for that filter's totalCount (Prisma's count), for EXPLAIN. */
const FILTER_COUNT_SQL = `SELECT COUNT(*) FROM (SELECT id FROM jobs WHERE is_active = true AND job_type IN ('full_time', 'contract')
  AND experience_level IN ('mid', 'senior') AND (salary_max >= 60000 OR (salary_max IS NULL AND salary_min >= 60000))
  AND salary_currency = 'EUR' OFFSET 0) AS sub`;

/** The jobs indexes before and after prisma/jobs/migrations/20261127155436_filter_count_index. */
const PREVIOUS_INDEXES = `
  CREATE INDEX jobs_company_id_created_at_id_idx ON jobs (company_id, created_at DESC, id DESC);
  CREATE INDEX jobs_employer_id_created_at_id_idx ON jobs (employer_id, created_at DESC, id DESC);
  DROP INDEX jobs_filter_count_idx, jobs_company_id_created_at_id_is_active_idx, jobs_employer_id_created_at_id_is_active_idx`;
const CURRENT_INDEXES = `
  CREATE INDEX jobs_filter_count_idx ON jobs (is_active, salary_currency, job_type, experience_level, is_remote, salary_min, salary_max);
  CREATE INDEX jobs_company_id_created_at_id_is_active_idx ON jobs (company_id, created_at DESC, id DESC, is_active);
  CREATE INDEX jobs_employer_id_created_at_id_is_active_idx ON jobs (employer_id, created_at DESC, id DESC, is_active);
  DROP INDEX jobs_company_id_created_at_id_idx, jobs_employer_id_created_at_id_idx`;

/** The floors' measurements, by label. */
const DETAIL_FLOOR = 'JobDetail floor (one SQL statement)';
const LIST_FLOOR = 'Jobs(first: 20) filtered floor';

/** Fails, showing both answers, unless the floor answers `body` as the jobs subgraph does. */
async function checkFloor(what: string, stack: BenchStack, floor: FloorServer, body: GraphQLBody): Promise<void> {
  const service = await postDirect(stack, stack.urls.jobs!, body);
  const floorAnswer = await postGraphQL(floor.url, body);
  const [expected, actual] = [
    { data: service.data, errors: service.errors },
    { data: floorAnswer.data, errors: floorAnswer.errors },
  ];
  if (service.errors || !isDeepStrictEqual(expected, actual))
    throw new Error(`the floor's answer to ${what} differs from the jobs subgraph's:\njobs  ${JSON.stringify(expected)}\nfloor ${JSON.stringify(actual)}`);
}

type Collections = { minor: number; minorSeconds: number; major: number; cpuSeconds: number; oldSpaceBytes: number };

/**
 * A gateway's garbage collections and CPU time so far, and its old generation now, from prom-client's
 * default metrics on its /metrics (nodejs_gc_duration_seconds, process_cpu_seconds_total,
 * nodejs_heap_space_size_used_bytes).
 */
async function garbageCollections(graphqlUrl: string): Promise<Collections> {
  const text = await (await fetch(graphqlUrl.replace(/\/graphql$/, '/metrics'))).text();
  const sample = (pattern: string) => Number(new RegExp(`^${pattern} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
  const gc = (series: string, kind: string) => sample(`nodejs_gc_duration_seconds_${series}\\{[^}]*kind="${kind}"[^}]*\\}`);
  return {
    minor: gc('count', 'minor'),
    minorSeconds: gc('sum', 'minor'),
    major: gc('count', 'major'),
    cpuSeconds: sample('process_cpu_seconds_total(?:\\{[^}]*\\})?'),
    oldSpaceBytes: sample('nodejs_heap_space_size_used_bytes\\{[^}]*space="old"[^}]*\\}'),
  };
}

const collectionRow = (result: LoadResult, before: Collections, after: Collections, seconds: number) =>
  `| ${result.label} | ${((after.minor - before.minor) / seconds).toFixed(1)} | ${((100 * (after.minorSeconds - before.minorSeconds)) / seconds).toFixed(1)} | ${after.major - before.major} | ` +
  `${(before.oldSpaceBytes / 1_048_576).toFixed(0)} | ${((1000 * (after.cpuSeconds - before.cpuSeconds)) / (result.requestsPerSecond * seconds)).toFixed(2)} |`;

/** The two figures of issue #15 per query, from the means of the rounds' measurements (through `gateway`, the platform's by default). */
function targetTables(results: LoadResult[], gateway = 'gateway'): string {
  const of = (name: string) => results.filter((r) => r.label.startsWith(`${name}, round `));
  const queries = [
    { query: 'JobDetail', direct: of('JobDetail direct to jobs'), floor: of(DETAIL_FLOOR), gateway: of(`JobDetail through ${gateway}`) },
    {
      query: 'Jobs(first: 20) filtered',
      direct: of('Jobs(first: 20) filtered, direct to jobs'),
      floor: of(LIST_FLOOR),
      gateway: of(`Jobs(first: 20) filtered, through ${gateway}`),
    },
  ];
  const meanOf = (rows: LoadResult[], pick: (r: LoadResult) => number) => mean(rows.map(pick));
  const rates = queries.map(({ query, direct, floor }) => {
    const [directRate, floorRate] = [meanOf(direct, (r) => r.requestsPerSecond), meanOf(floor, (r) => r.requestsPerSecond)];
    const ratio = directRate / floorRate;
    return `| ${query} | ${Math.round(directRate)} | ${Math.round(floorRate)} | ×${ratio.toFixed(2)} | ${ratio >= 0.5 ? 'met' : 'missed'} |`;
  });
  const latencies = queries.map(({ query, direct, gateway }) => {
    const ratios = (['p50', 'p99'] as const).map((p) => ({ p, direct: meanOf(direct, (r) => r[p]), gateway: meanOf(gateway, (r) => r[p]) }));
    const missed = ratios.filter((r) => r.gateway / r.direct > 1.5).map((r) => r.p);
    const cells = ratios.map((r) => `${r.gateway.toFixed(1)} / ${r.direct.toFixed(1)} ms, ×${(r.gateway / r.direct).toFixed(2)}`);
    return `| ${query} | ${cells.join(' | ')} | ${missed.length === 0 ? 'met' : `missed (${missed.join(', ')})`} |`;
  });
  return [
    `Direct to jobs / floor, req/s (means of ${rounds} round${rounds === 1 ? '' : 's'}):\n`,
    '| query | direct req/s | floor req/s | direct / floor | target ≥ 0.5 |',
    '|---|---:|---:|---:|---|',
    ...rates,
    `\nThrough gateway / direct to jobs, latency (means of ${rounds} round${rounds === 1 ? '' : 's'}):\n`,
    '| query | p50 gateway / direct | p99 gateway / direct | target ≤ 1.5× |',
    '|---|---|---|---|',
    ...latencies,
  ].join('\n');
}

const stack = await startBenchStack();
let floor: FloorServer | undefined;
/** The gateways --gateway-beside starts after the seed. */
const beside: { label: string; url: string; stop(): Promise<void> }[] = [];
const stopBeside = () => Promise.all(beside.map((gateway) => gateway.stop()));
stopOnInterrupt(() => Promise.all([stopBeside(), floor?.stop(), stack.stop()]));
try {
  const summary = await seedBenchJobs(stack, jobCount);
  const jobsDb = new pg.Client({ connectionString: stack.env.JOBS_DATABASE_URL! });
  await jobsDb.connect();
  const explainCount = async () => (await jobsDb.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${FILTER_COUNT_SQL}`)).rows.map((row) => row['QUERY PLAN']).join('\n');
  const detail = { query: JOB_DETAIL, variables: { id: summary.sampleJobId } };
  const list = { query: JOBS, variables: { filter: FILTER, first: 20 } };
  // The floor: its own process and its own small pool on jobs_db, like search's.
  floor = await startFloorServer('jobs', stack.env.JOBS_DATABASE_URL!);
  const besideLabel = `gateway with ${[
    ...(besideArgs ? [besideArgs.join(' ') || "Node's defaults"] : []),
    ...Object.entries(besideEnv ?? {}).map(([name, value]) => `${name}=${value}`),
  ].join(', ')}`;
  if (besideArgs || besideEnv) {
    const started = { platform: await startGatewayBeside(stack, GATEWAY_NODE_ARGS), other: await startGatewayBeside(stack, besideArgs ?? GATEWAY_NODE_ARGS, besideEnv) };
    beside.push({ label: `gateway started after the seed (${GATEWAY_NODE_ARGS.join(' ')})`, ...started.platform });
    beside.push({ label: `${besideLabel}, started after the seed`, ...started.other });
  }
  /** Every gateway measured: the stack's (up since before the seed), then those started after it. */
  const gateways = [{ label: 'gateway', url: stack.urls.gateway! }, ...beside];
  /** The gateways in round `round`'s order: rotated by one each round. */
  const gatewaysOfRound = (round: number) => gateways.map((_, at) => gateways[(at + round - 1) % gateways.length]!);

  // Calls straight to jobs are signed as the gateway signs its own: production refuses others.
  const signed = (url: string) => url === stack.urls.jobs;
  const post = (url: string, body: GraphQLBody) => (signed(url) ? postDirect(stack, url, body) : postGraphQL(url, body));
  const signing = (url: string) => (signed(url) ? { hopSecret: stack.hopSecret } : {});
  // Sanity: every path answers without errors, and the filter matches something.
  for (const [url, body] of [
    [stack.urls.gateway!, detail],
    [stack.urls.jobs!, detail],
    [floor.url, detail],
    [stack.urls.gateway!, list],
    [stack.urls.jobs!, list],
    [floor.url, list],
  ] as const) {
    dataOf(url, await post(url, body));
  }
  const matching = dataOf('jobs', await post(stack.urls.jobs!, list)).jobs.totalCount;
  await checkFloor(`JobDetail ${JSON.stringify(detail.variables)}`, stack, floor, detail);
  await checkFloor(`Jobs ${JSON.stringify(list.variables)}`, stack, floor, list);

  for (const [url, body] of [
    [stack.urls.gateway!, detail],
    [stack.urls.jobs!, detail],
    [floor.url, detail],
    [stack.urls.gateway!, list],
    [stack.urls.jobs!, list],
    [floor.url, list],
  ] as const) {
    await loadGraphQL('warm-up', url, body, { connections: 10, seconds: 2, ...signing(url) });
  }
  for (const gateway of beside) for (const body of [detail, list]) await loadGraphQL('warm-up', gateway.url, body, { connections: 10, seconds: 2 });
  const results: LoadResult[] = [];
  const plans = new Map<string, string>();
  const useIndexes = async (which: 'previous' | 'current') => {
    await jobsDb.query(which === 'previous' ? PREVIOUS_INDEXES : CURRENT_INDEXES);
    await jobsDb.query('VACUUM (ANALYZE) jobs');
    plans.set(which, await explainCount());
    for (const [url, body] of [
      [stack.urls.gateway!, list],
      [stack.urls.jobs!, list],
    ] as const)
      await loadGraphQL('warm-up', url, body, { connections: 10, seconds: 2, ...signing(url) });
  };
  const gatewayUrls = new Set(gateways.map((gateway) => gateway.url));
  const collections: string[] = [];
  // CPU per request of the gateway measured (if any), jobs and PostgreSQL, for each measurement.
  const postgres = postgresAt(stack.env.JOBS_DATABASE_URL!);
  const cpuRows: string[] = [];
  const measured = async (label: string, url: string, body: Parameters<typeof loadGraphQL>[2]) => {
    await waitForQuiet(maxLoad);
    const throughGateway = gatewayUrls.has(url);
    const processes: ProfiledProcess[] = [...(throughGateway ? [{ name: 'gateway', url }] : []), { name: 'jobs', url: stack.urls.jobs! }, postgres];
    const before = throughGateway ? await garbageCollections(url) : undefined;
    const started = performance.now();
    const { result, msPerRequest } = await withCpuPerRequest(processes, seconds, () => loadGraphQL(label, url, body, { connections, seconds, ...signing(url) }));
    results.push(result);
    if (before) collections.push(collectionRow(result, before, await garbageCollections(url), (performance.now() - started) / 1000));
    const cells = [...(throughGateway ? [] : ['']), ...msPerRequest.map((ms) => ms.toFixed(2))];
    cpuRows.push(`| ${label} | ${cells.join(' | ')} | ${msPerRequest.reduce((sum, ms) => sum + ms, 0).toFixed(2)} |`);
  };
  console.log(`load average before measuring: ${loadAverage()}`);
  // Rounds alternate between the index sets, so that both see the same machine noise.
  for (let round = 1; round <= rounds; round += 1) {
    if (values['previous-indexes']) {
      await useIndexes('previous');
      await measured(`Jobs(first: 20) filtered, direct to jobs, previous indexes, round ${round}`, stack.urls.jobs!, list);
      await measured(`Jobs(first: 20) filtered, through gateway, previous indexes, round ${round}`, stack.urls.gateway!, list);
      await useIndexes('current');
    } else if (round === 1) {
      plans.set('current', await explainCount());
    }
    await measured(`JobDetail direct to jobs, round ${round}`, stack.urls.jobs!, detail);
    await measured(`${DETAIL_FLOOR}, round ${round}`, floor.url, detail);
    for (const gateway of gatewaysOfRound(round)) await measured(`JobDetail through ${gateway.label}, round ${round}`, gateway.url, detail);
    await measured(`Jobs(first: 20) filtered, direct to jobs, round ${round}`, stack.urls.jobs!, list);
    await measured(`${LIST_FLOOR}, round ${round}`, floor.url, list);
    for (const gateway of gatewaysOfRound(round)) await measured(`Jobs(first: 20) filtered, through ${gateway.label}, round ${round}`, gateway.url, list);
  }

  console.log(`load average after measuring: ${loadAverage()}`);
  await jobsDb.end();

  for (const [which, plan] of plans) console.log(`\nThe filter's count with the ${which} indexes:\n${plan}`);
  console.log(`\nMachine: ${machineDescription()}`);
  console.log(`nproc: ${execSync('nproc', { encoding: 'utf8' }).trim()}; node ${process.version}`);
  console.log(execSync('free -g', { encoding: 'utf8' }));
  console.log(
    `Data: ${summary.jobs} jobs, ${summary.companies} companies, ${summary.categories} categories, ${summary.skills} skills; the Jobs filter matches ${matching} jobs. ` +
      `The floor's answers equal the jobs subgraph's for JobDetail ${summary.sampleJobId} and the filtered list.\n`,
  );
  console.log(`${connections} connections per measurement, ${seconds} s each.\n`);
  console.log(markdownTable(results));
  console.log(
    `\nCPU per request, ms (the floor's own process is not counted):\n\n${['| run | gateway | jobs | PostgreSQL | these together |', '|---|---:|---:|---:|---:|', ...cpuRows].join('\n')}`,
  );
  console.log(`\n${targetTables(results)}`);
  console.log(
    `\nEach gateway during each measurement (its /metrics: nodejs_gc_duration_seconds, nodejs_heap_space_size_used_bytes, process_cpu_seconds_total):\n\n` +
      [
        '| run | young-generation collections (scavenges) per second | time in them, % of the measurement | old-generation collections | old generation at the start, MB | CPU per request, ms |',
        '|---|---:|---:|---:|---:|---:|',
        ...collections,
      ].join('\n'),
  );
  for (const { label } of beside) console.log(`\nThe same latency ratios for the ${label}:\n\n${targetTables(results, label).split('\n').slice(-4).join('\n')}`);
} finally {
  await stopBeside();
  await floor?.stop();
  await stack.stop();
}
