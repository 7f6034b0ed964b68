// npm run bench:search — the search figures of docs/benchmarks.md (issue 13), in one run, in
// interleaved rounds, each request different (its words, filters and page):
//  1. SearchJobs (the client operation: a two-word query, two filters, every facet) straight to the
//     search subgraph, signed as the gateway signs, at 4 connections (target: p95 ≤ 50 ms), and at 50
//     (no target: as many at once as the gateway's run below sends, to tell that concurrency's cost
//     from the gateway's);
//  2. the floor: the same results (rows, total, facet counts) from one hand-written statement on the
//     same search_db (search-floor.ts), served by a bare HTTP server (floor-server.ts), at 4
//     connections (target: the service's latency within 2× of it); checked equal to the service's
//     on a sample first;
//  3. SearchJobs and JobDetail through the gateway, 50 connections (target: SearchJobs ≥ 0.8× JobDetail's req/s),
//     with the CPU each request cost every process on the machine (gateway, subgraphs, analytics,
//     which consumes each search's event, nats-server and PostgreSQL), while loaded and one after
//     another;
//  4. the saved-search matcher (as the search service holds it, loaded once) matching one new job
//     against the saved searches, as the consumer runs it after indexing the job, in a transaction
//     rolled back afterwards (target: ≤ 20 ms);
//  5. freshness: createJob through the gateway as an employer, then searchJobs through the gateway
//     until it returns the job (target: p99 ≤ 1 s).
// Data (search-data.ts): the jobs benchmark's seed (2,000 jobs in jobs_db, indexed by search from
// their events), the read model filled up to 100,000 jobs drawn the same way and written by the
// search service's indexJob, 100,000 saved searches saved through its saveSearch rules.
// It builds first (npx turbo run build, cached) unless --no-build. Options: --jobs N (read model,
// default 100000), --seed-jobs N (in jobs_db, default 2000), --saved-searches N (default 100000),
// --users N (their owners, default 5000), --searches N (distinct requests, default 1000), --seconds N
// (per load measurement, default 10), --rounds N (default 2), --match-jobs N (default 200),
// --fresh-jobs N (default 100), --check N (requests compared with the floor, default 60), --max-load X
// (before each measurement, wait up to 15 minutes for the 1-minute load average to fall to X),
// --cpu-prof DIR (every service writes a V8 CPU profile there when the run ends), --only-matching
// (the same data, then only the saved-search matcher, --match-jobs jobs in --rounds rounds, beside
// itself writing its DAILY and WEEKLY matches a row per saved search as before 68f5eca),
// --only-naming (the same data, then only searchJobs' statements for the --searches requests sent
// named and unnamed in --rounds alternating rounds on one connection: what sending them unnamed costs),
// --only-cold (the same data, then a new search process's first searches, 4 at a time, with
// SEARCH_DATABASE_POOL_MIN=0, no connection opened or warmed before it is ready, beside the default;
// --rounds rounds, the order swapped each round), --only-work-mem (the same data, then SearchJobs
// straight to two more search processes on the same database, 4 connections, one with
// SEARCH_WORK_MEM=4MB, PostgreSQL's default, and one with the service's default, alternating in
// --rounds rounds, the order swapped each round), --only-in-memory (the same, with
// SEARCH_JOBS_IN_MEMORY=false, every search read in PostgreSQL, beside the default, the open jobs in
// memory).
import { execSync } from 'node:child_process';
import os from 'node:os';
import v8 from 'node:v8';
import vm from 'node:vm';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { findFreePort } from '@jobplatform/embedded-infra';
import { postGraphQL } from '@jobplatform/testing';
import { createLeanSql, withSessionSettings, type LeanSql, type SqlFragment, type StatementOptions } from '@jobplatform/service-runtime';
import { rawSqlOver, type SqlRunner } from '../../subgraphs/search/src/db.js';
import { searchSettings } from '../../subgraphs/search/src/env.js';
import { indexJob, type JobSnapshot } from '../../subgraphs/search/src/job-index.js';
import { createJobSearch } from '../../subgraphs/search/src/job-search.js';
import { createSavedSearchMatcher, type SavedSearchMatcher } from '../../subgraphs/search/src/saved-search-matcher.js';
import { normaliseQuery, parseJobFilter } from '../../subgraphs/search/src/search-input.js';
import { createRandom } from '../src/seed/random.js';
import { waitForSearchIndex } from '../src/seed/seed-search.js';
import { drawJob, inParallel, SEED_EMPLOYER_PASSWORD } from '../src/seed/seed-platform.js';
import {
  buildServices,
  clientOperation,
  dataOf,
  loadAverage,
  loadGraphQL,
  machineDescription,
  markdownTable,
  percentile,
  postDirect,
  signIn,
  startBenchStack,
  startFloorServer,
  stopOnInterrupt,
  waitForOutbox,
  waitForQuiet,
  type FloorServer,
  type GraphQLBody,
  type LoadResult,
  cpuProfileArgs,
  mean,
  spawnService,
  stopChild,
} from './bench-stack.js';
import { createSearchDrawer, drawJobSnapshot, fillSearchIndex, openSearchDomain, readSeedCatalogue, saveSearches, type SeedCatalogue } from './search-data.js';
import { postgresAt, processAt, profileOperation, profileTable, withCpuPerRequest, type ProfiledProcess, type ProfileRow } from './request-profile.js';
import { floorStatement, searchFloor, type SearchVariables } from './search-floor.js';
import { seedBenchJobs } from './seed-jobs.js';
import { subgraphServices } from '../src/platform-services.js';

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '100000' },
    'seed-jobs': { type: 'string', default: '2000' },
    'saved-searches': { type: 'string', default: '100000' },
    users: { type: 'string', default: '5000' },
    searches: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '2' },
    'match-jobs': { type: 'string', default: '200' },
    'fresh-jobs': { type: 'string', default: '100' },
    check: { type: 'string', default: '60' },
    'max-load': { type: 'string' },
    'cpu-prof': { type: 'string' },
    'no-build': { type: 'boolean', default: false },
    'only-matching': { type: 'boolean', default: false },
    'only-naming': { type: 'boolean', default: false },
    'only-cold': { type: 'boolean', default: false },
    'only-work-mem': { type: 'boolean', default: false },
    'only-in-memory': { type: 'boolean', default: false },
  },
});
const jobCount = Number(values.jobs);
const seedJobCount = Number(values['seed-jobs']);
const savedSearchCount = Number(values['saved-searches']);
const userCount = Number(values.users);
const searchCount = Number(values.searches);
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const matchJobCount = Number(values['match-jobs']);
const freshJobCount = Number(values['fresh-jobs']);
const checkCount = Number(values.check);
const maxLoad = values['max-load'] === undefined ? undefined : Number(values['max-load']);
const onlyMatching = values['only-matching'];
const onlyNaming = values['only-naming'];
const onlyCold = values['only-cold'];
const onlyWorkMem = values['only-work-mem'];
const onlyInMemory = values['only-in-memory'];
if ([onlyMatching, onlyNaming, onlyCold, onlyWorkMem, onlyInMemory].filter(Boolean).length > 1)
  throw new Error('give one of --only-matching, --only-naming, --only-cold, --only-work-mem and --only-in-memory');
/** search's own default work_mem, which its connections run with (SEARCH_WORK_MEM); the floor's connections get it too. */
const SEARCH_WORK_MEM = searchSettings.parse({}).SEARCH_WORK_MEM;
const command = `npm run bench:search -- ${process.argv.slice(2).join(' ')}`.trim();

/** The data set's random seed: the same jobs, saved searches and requests every run. */
const SEED = 20261201;
/** Ids of the drawn jobs, far above what jobs_db hands out meanwhile (the freshness jobs). */
const DRAWN_JOB_IDS = 1_000_000_000n;
const MATCH_JOB_IDS = 2_000_000_000n;
/** Requests of each operation sent one after another for "where the cost goes". */
const PROFILED_REQUESTS = 200;
const SAVED_SEARCH_USER_IDS = 900_000_000n;

const SEARCH_JOBS = clientOperation('search', 'SearchJobs');
const JOB_DETAIL = clientOperation('jobs', 'JobDetail');
const CREATE_JOB = clientOperation('jobs', 'CreateJob');
/** What the freshness poll asks: whether the new job is among the results of its own word. */
const FIND_JOB = 'query FindJob($query: String) { searchJobs(query: $query, first: 5) { edges { node { id } } } }';

const seconds1 = (ms: number) => Math.round(ms / 100) / 10;
const say = (line: string) => console.log(`  ${line}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A JSON value with object keys in order, so that two equal results print alike whatever their key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

type SearchResult = {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor?: string | null };
  edges: { cursor?: string; score: number; highlight: string | null; node: Record<string, unknown> }[];
  facets: Record<string, unknown>;
};

/** What the floor and the service must agree on: everything but cursors and the date's spelling. */
const comparable = (result: SearchResult) =>
  canonical({
    totalCount: result.totalCount,
    hasNextPage: result.pageInfo.hasNextPage,
    edges: result.edges.map((edge) => ({ score: edge.score, highlight: edge.highlight, node: { ...edge.node, createdAt: undefined } })),
    facets: result.facets,
  });

/**
 * The requests: drawn searches that the full-text query matches (a query it does not match is
 * answered by trigram similarity instead, another path), 70 % first pages, 20 % second, 10 %
 * third; the later pages' cursors come from the service, as a client gets them.
 */
async function prepareRequests(
  stack: Awaited<ReturnType<typeof startBenchStack>>,
  floorDb: pg.Pool,
  catalogue: SeedCatalogue,
): Promise<{ requests: SearchVariables[]; totals: number[]; drawn: number }> {
  const draw = createSearchDrawer(catalogue, SEED + 1);
  const matched: SearchVariables[] = [];
  const matchedTotals: number[] = [];
  let drawn = 0;
  while (matched.length < searchCount) {
    if (drawn >= searchCount * 20) throw new Error(`only ${matched.length} of ${drawn} drawn searches match anything`);
    const candidates = Array.from({ length: 100 }, draw);
    drawn += candidates.length;
    const totals: number[] = [];
    await inParallel(candidates, 4, async (variables, i) => {
      totals[i] = (JSON.parse(await searchFloor(floorDb, variables)) as { data: { searchJobs: SearchResult } }).data.searchJobs.totalCount;
    });
    for (const [i, candidate] of candidates.entries()) {
      if (totals[i]! > 0 && matched.length < searchCount) {
        matched.push(candidate);
        matchedTotals.push(totals[i]!);
      }
    }
  }
  const requests: SearchVariables[] = [];
  await inParallel(matched, 4, async (variables, i) => {
    const wanted = i % 10 < 7 ? 1 : i % 10 < 9 ? 2 : 3;
    let request: SearchVariables = variables;
    for (let page = 1; page < wanted; page += 1) {
      const response = await postDirect(stack, stack.urls.search!, { query: SEARCH_JOBS, variables: request });
      if (response.errors) throw new Error(`SearchJobs ${JSON.stringify(request)}: ${JSON.stringify(response.errors)}`);
      const result = response.data!.searchJobs as SearchResult;
      if (!result.pageInfo.hasNextPage) break;
      request = { ...variables, after: result.pageInfo.endCursor! };
    }
    requests[i] = request;
  });
  return { requests, totals: matchedTotals, drawn };
}

/** Sends `count` of the requests to both, and fails on the first whose results differ. */
async function checkFloor(stack: Awaited<ReturnType<typeof startBenchStack>>, floorUrl: string, requests: SearchVariables[], count: number): Promise<void> {
  for (const variables of requests.slice(0, count)) {
    const body = { query: SEARCH_JOBS, variables };
    const service = await postDirect(stack, stack.urls.search!, body);
    const floor = await postGraphQL(floorUrl, body);
    if (service.errors || floor.errors) throw new Error(`SearchJobs ${JSON.stringify(variables)}: ${JSON.stringify(service.errors ?? floor.errors)}`);
    const [a, b] = [comparable(service.data!.searchJobs as SearchResult), comparable(floor.data!.searchJobs as SearchResult)];
    if (a !== b) throw new Error(`the floor differs from the service for ${JSON.stringify(variables)}:\nservice ${a}\nfloor   ${b}`);
  }
}

/** The statements the service sends for each of `requests` (page, total and facets), as createJobSearch builds them, run on `floorDb`. */
async function serviceStatements(floorDb: pg.Pool, requests: SearchVariables[]): Promise<{ statements: { sql: string; values: unknown[] }[]; modes: string[] }> {
  const statements: { sql: string; values: unknown[] }[] = [];
  const lean = createLeanSql(floorDb);
  const jobSearch = createJobSearch({
    rows: <Row>(sql: SqlFragment | string, values?: readonly unknown[], options?: StatementOptions) => {
      const sent = typeof sql === 'string' ? { text: sql, values: [...(values ?? [])] } : sql.toQuery();
      statements.push({ sql: sent.text, values: sent.values });
      return lean.rows<Row>(sql, values, options);
    },
  });
  const modes: string[] = [];
  for (const variables of requests) {
    const request = {
      query: normaliseQuery(variables.query),
      filter: parseJobFilter(variables.filter),
      sort: 'RELEVANCE' as const,
      first: variables.first,
      after: variables.after,
    };
    modes.push((await jobSearch.search(request, { withFacets: true }, new Date())).mode);
  }
  return { statements, modes };
}

/** EXPLAIN (ANALYZE, BUFFERS) of the statement the service sends for one request (page, total and facets), and of the floor's. */
async function explainSearch(floorDb: pg.Pool, variables: SearchVariables, which: string): Promise<Record<string, string>> {
  const { statements, modes } = await serviceStatements(floorDb, [variables]);
  const plans: Record<string, string> = {};
  for (const [i, statement] of statements.entries()) {
    const { rows } = await floorDb.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${statement.sql}`, statement.values);
    plans[`${which}, service ${i + 1}: page, total and facets (${modes[0]})`] = rows.map((row) => row['QUERY PLAN']).join('\n');
  }
  const floor = floorStatement(variables);
  plans[`${which}, floor`] = (await floorDb.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${floor.text}`, floor.values)).rows
    .map((row) => row['QUERY PLAN'])
    .join('\n');
  return plans;
}

/**
 * searchJobs' statements for `requests`, sent in alternating rounds on one connection named (a
 * prepared statement per distinct text, as the kit names fixed statements: PostgreSQL may keep a
 * generic plan after five calls) and unnamed (planned for its values on every call, as the service
 * sends them): ms per statement by round, and the share of the named texts on a generic plan.
 */
async function compareStatementNaming(floorDb: pg.Pool, requests: SearchVariables[], roundCount: number): Promise<string> {
  const { statements } = await serviceStatements(floorDb, requests);
  const names = new Map<string, string>();
  for (const statement of statements) if (!names.has(statement.sql)) names.set(statement.sql, `naming_${names.size + 1}`);
  const client = await floorDb.connect();
  try {
    const lines = [`| round | named, ms per statement | unnamed, ms per statement |`, '|---|---:|---:|'];
    for (let round = 1; round <= roundCount; round += 1) {
      await waitForQuiet(maxLoad);
      const perStatement: number[] = [];
      for (const named of [true, false]) {
        const started = performance.now();
        for (const { sql, values } of statements) await client.query({ text: sql, values, ...(named ? { name: names.get(sql)! } : {}) });
        perStatement.push((performance.now() - started) / statements.length);
      }
      lines.push(`| ${round} | ${perStatement[0]!.toFixed(2)} | ${perStatement[1]!.toFixed(2)} |`);
    }
    const { rows } = await client.query<{ generic: number; texts: number }>(
      `SELECT count(*) FILTER (WHERE generic_plans > 0)::int AS generic, count(*)::int AS texts FROM pg_prepared_statements WHERE name LIKE 'naming\\_%'`,
    );
    return `${lines.join('\n')}\n\n${statements.length} statements of ${requests.length} searches, ${names.size} distinct texts; named texts on a generic plan by the end: ${rows[0]!.generic} of ${rows[0]!.texts}`;
  } finally {
    client.release(true);
  }
}

class RolledBack extends Error {}

/** A transaction whose statements ($queryRawUnsafe and $executeRawUnsafe) go through `around` (to time or explain them). */
const intercepted = (tx: SqlRunner, around: (sql: string, values: unknown[], run: () => Promise<unknown>) => Promise<unknown>): SqlRunner =>
  new Proxy(tx, {
    get: (target, property, receiver) =>
      property === '$queryRawUnsafe' || property === '$executeRawUnsafe'
        ? (sql: string, ...values: unknown[]) => around(sql, values, async () => target[property](sql, ...values))
        : Reflect.get(target, property, receiver),
  });

/** In a transaction rolled back afterwards, on node-postgres as the job-index consumer runs: indexes a new drawn job and passes it to `work`. */
async function withNewJob(sql: LeanSql, job: JobSnapshot, work: (tx: SqlRunner) => Promise<void>): Promise<void> {
  await sql
    .transaction(async (lean) => {
      const tx = rawSqlOver(lean);
      await indexJob(tx, job, { version: Date.now(), deleted: false });
      await work(tx);
      throw new RolledBack();
    })
    .catch((error: unknown) => {
      if (!(error instanceof RolledBack)) throw error;
    });
}

/**
 * A match's time and its parts: finding the matches (the statement reading what changed in the
 * saved searches, the statement reading the job, the tests in Node), recording the DAILY and WEEKLY ones (the matches'
 * insert) and the INSTANT alerts' outbox statement; what it tested and found.
 */
type MatchTiming = { ms: number; findMs: number; changesMs: number; jobMs: number; insertMs: number; outboxMs: number; tested: number; matched: number; instantAlerts: number };

/** The matching row of the figures table. */
function matchingFigure(matching: MatchTiming[], savedSearches: number): string {
  const sorted = (pick: (m: MatchTiming) => number) => matching.map(pick).sort((a, b) => a - b);
  const spread = (values: number[]) => `p50 ${ms(percentile(values, 50))} ms, p99 ${ms(percentile(values, 99))}`;
  const [matchMs, findMs, changesMs, jobMs, insertMs, outboxMs] = [
    sorted((m) => m.ms),
    sorted((m) => m.findMs),
    sorted((m) => m.changesMs),
    sorted((m) => m.jobMs),
    sorted((m) => m.insertMs),
    sorted((m) => m.outboxMs),
  ];
  const [tested, matched, alerts] = [sorted((m) => m.tested), sorted((m) => m.matched), sorted((m) => m.instantAlerts)];
  return (
    `| the saved-search matcher, one new job against ${savedSearches} saved searches, ${matching.length} jobs | whole match p50 ${ms(percentile(matchMs, 50))} ms, p95 ${ms(percentile(matchMs, 95))}, p99 ${ms(percentile(matchMs, 99))}, max ${ms(matchMs.at(-1)!)}; ` +
    `finding the matches ${spread(findMs)} (reading the changes ${spread(changesMs)}, reading the job ${spread(jobMs)}); recording the DAILY and WEEKLY ones ${spread(insertMs)}; the alerts' outbox statement ${spread(outboxMs)} ` +
    `(saved searches tested per job: p50 ${percentile(tested, 50)}, max ${tested.at(-1)}; matches per job: p50 ${percentile(matched, 50)}, max ${matched.at(-1)}; INSTANT owners alerted p50 ${percentile(alerts, 50)}) | ` +
    `≤ 20 ms: ${percentile(matchMs, 99) <= 20 ? 'met' : percentile(matchMs, 50) <= 20 ? 'met at p50, missed at p99' : 'missed'} |`
  );
}

/** A full garbage collection, so that heap figures count what is still referenced (V8's gc, exposed at run time). */
function collectGarbage(): void {
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
}

/** A matcher as the search service holds one, loaded: how long the load took and the heap it added. */
async function loadedMatcher(db: LeanSql): Promise<{ matcher: SavedSearchMatcher; loadMs: number; heapMb: number }> {
  const matcher = createSavedSearchMatcher({ sql: db });
  collectGarbage();
  const heapBefore = process.memoryUsage().heapUsed;
  const started = performance.now();
  await matcher.look();
  const loadMs = performance.now() - started;
  collectGarbage();
  return { matcher, loadMs, heapMb: (process.memoryUsage().heapUsed - heapBefore) / 1_048_576 };
}

/**
 * The layout before saved_search_digest_matches (commit 68f5eca): a row per saved search and job,
 * keyed by both, with an index on matched_at. --only-matching measures the matcher beside itself
 * writing its DAILY and WEEKLY matches this way, into a table of this layout that the benchmark
 * creates in search_db, with the statement the matcher then sent.
 */
const ROW_PER_SEARCH_TABLE = `CREATE TABLE IF NOT EXISTS bench_saved_search_matches_per_search (
    saved_search_id BIGINT NOT NULL, job_id BIGINT NOT NULL, matched_at TIMESTAMPTZ(3) NOT NULL, PRIMARY KEY (saved_search_id, job_id));
  CREATE INDEX IF NOT EXISTS bench_saved_search_matches_per_search_matched_at_idx ON bench_saved_search_matches_per_search (matched_at)`;
const ROW_PER_SEARCH_INSERT = `INSERT INTO bench_saved_search_matches_per_search (saved_search_id, job_id, matched_at)
  SELECT unnest($3::bigint[]), $1::bigint, $2::timestamptz ON CONFLICT DO NOTHING`;

/** The matcher, with its DAILY and WEEKLY matches written a row per saved search (ROW_PER_SEARCH_TABLE). */
const matchWritingRowPerSearch =
  (matcher: SavedSearchMatcher): MatchNewJob =>
  (tx, jobId, options) =>
    matcher.match(
      intercepted(tx, async (sql, values, run) =>
        sql.includes('INSERT INTO saved_search_digest_matches')
          ? tx.$executeRawUnsafe(ROW_PER_SEARCH_INSERT, values[0], values[1], [...(values[2] as string[]), ...(values[3] as string[])])
          : run(),
      ),
      jobId,
      options,
    );

/** What the consumer calls for a new job: the matcher's match. */
type MatchNewJob = (tx: SqlRunner, jobId: string, options: { now: Date }) => Promise<{ tested: number; matched: number; instantAlerts: number }>;

const matcherLoad = (matcher: SavedSearchMatcher, loadMs: number, heapMb: number) =>
  `The saved-search matcher loaded ${matcher.size} alerting saved searches in ${ms(loadMs)} ms; the heap held ${heapMb.toFixed(0)} MB more after it (each side measured after a full collection).`;

/**
 * For each of `count` new drawn jobs: indexes it and times the matcher's match as the consumer runs
 * them, in one transaction, then rolls it back (the alerts are not sent, the next job sees the same
 * saved searches and no earlier matches).
 */
async function timeMatching(db: LeanSql, match: MatchNewJob, catalogue: SeedCatalogue, count: number, firstId: bigint, seed: number): Promise<MatchTiming[]> {
  const random = createRandom(seed);
  const timings: MatchTiming[] = [];
  for (let i = 0; i < count; i += 1) {
    const job = { ...drawJobSnapshot(random, catalogue, String(firstId + BigInt(i)), new Date()), isActive: true };
    await withNewJob(db, job, async (tx) => {
      const parts = { changesMs: 0, jobMs: 0, insertMs: 0, outboxMs: 0 };
      const timed = intercepted(tx, async (sql, _values, run) => {
        const started = performance.now();
        const rows = await run();
        const took = performance.now() - started;
        if (sql.includes('saved_search_deletions')) parts.changesMs += took;
        else if (/INSERT INTO (bench_)?saved_search_/.test(sql)) parts.insertMs += took;
        else if (sql.includes('event_outbox')) parts.outboxMs += took;
        else if (sql.includes('FROM search_indexes')) parts.jobMs += took;
        return rows;
      });
      const started = performance.now();
      const matched = await match(timed, job.id, { now: new Date() });
      const took = performance.now() - started;
      timings.push({ ms: took, findMs: took - parts.insertMs - parts.outboxMs, ...parts, ...matched });
    });
  }
  return timings;
}

/**
 * For each of `count` jobs: createJob through the gateway as the employer, then searchJobs for the
 * job's own word through the gateway, one request after another (10 ms apart), until the job is
 * among the results. The delay runs from createJob's response to the response that holds the job.
 */
async function timeFreshness(
  gatewayUrl: string,
  token: string,
  catalogue: SeedCatalogue,
  company: SeedCatalogue['companies'][number],
  options: { count: number; first: number; seed: number },
): Promise<number[]> {
  const random = createRandom(options.seed);
  const delays: number[] = [];
  for (let i = 0; i < options.count; i += 1) {
    const word = `benchfresh${options.first + i}`;
    const { input } = drawJob(random, [company], catalogue.leaves, new Date());
    const created = await postGraphQL(gatewayUrl, { query: CREATE_JOB, variables: { input: { ...input, title: `${input.title} ${word}` } } }, { token });
    const jobId = dataOf('createJob', created).createJob.id as string;
    const since = performance.now();
    for (;;) {
      const found = await postGraphQL(gatewayUrl, { query: FIND_JOB, variables: { query: word } });
      if (found.errors) throw new Error(`searchJobs: ${JSON.stringify(found.errors)}`);
      if ((found.data!.searchJobs.edges as { node: { id: string } }[]).some((edge) => edge.node.id === jobId)) break;
      if (performance.now() - since > 60_000) throw new Error(`job ${jobId} was not searchable 60 s after createJob`);
      await sleep(10);
    }
    delays.push(performance.now() - since);
  }
  return delays;
}

/** What a new search process's first searches took, 4 at a time: each search's ms in the order sent, then the same searches again. */
type FirstSearches = { first: number[]; again: number[] };

/**
 * Starts a second search process beside the stack's own, on the same database, with
 * SEARCH_DATABASE_POOL_MIN set to `poolMin` (or left to its default), and as soon as it is ready
 * sends it `bodies` 4 at a time, as the benchmark's clients do, then the same again.
 */
async function timeFirstSearches(stack: Awaited<ReturnType<typeof startBenchStack>>, bodies: GraphQLBody[], poolMin: string | undefined): Promise<FirstSearches> {
  return withSecondSearch(stack, poolMin === undefined ? {} : { SEARCH_DATABASE_POOL_MIN: poolMin }, async (url) => {
    const timeAll = async () => {
      const times: number[] = [];
      await inParallel(bodies, 4, async (body, i) => {
        const started = performance.now();
        dataOf('searchJobs', await postDirect(stack, url, body));
        times[i] = performance.now() - started;
      });
      return times;
    };
    const first = await timeAll();
    return { first, again: await timeAll() };
  });
}

/** Starts a second search process beside the stack's own, on the same database, with `settings` added to its environment; `work` gets its URL once it is ready. */
/** A process's resident set and V8 heap in use, as its /metrics reports them (prom-client's default metrics). */
async function processMemory(metricsUrl: string): Promise<string> {
  const metrics = await (await fetch(metricsUrl)).text();
  const mb = (name: string) => {
    const match = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(metrics);
    return match ? `${Math.round(Number(match[1]) / 1_048_576)} MB` : 'not reported';
  };
  return `resident ${mb('process_resident_memory_bytes')}, heap used ${mb('nodejs_heap_size_used_bytes')}`;
}

/** Until a search process holds the open jobs in memory (its search_job_index_loaded gauge), when it is to: its searches go to PostgreSQL meanwhile. */
async function waitForJobIndex(base: string): Promise<void> {
  const deadline = Date.now() + 5 * 60_000;
  for (;;) {
    const metrics = await (await fetch(`${base}/metrics`)).text();
    if (!/^search_job_index_loaded\{[^}]*\} 0$/m.test(metrics)) return;
    if (Date.now() > deadline) throw new Error(`${base}: the in-memory job index has not loaded in 5 minutes`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function withSecondSearch<T>(stack: Awaited<ReturnType<typeof startBenchStack>>, settings: NodeJS.ProcessEnv, work: (url: string) => Promise<T>): Promise<T> {
  const port = await findFreePort();
  const search = subgraphServices.find((service) => service.name === 'search')!;
  const { child, ready } = spawnService(search, { ...stack.env, SEARCH_PORT: String(port), ...settings }, port);
  try {
    await ready;
    await waitForJobIndex(`http://127.0.0.1:${port}`);
    return await work(`http://127.0.0.1:${port}/graphql`);
  } finally {
    await stopChild(child);
  }
}

const ms = (value: number) => (value >= 100 ? Math.round(value).toString() : value.toFixed(1));

if (!values['no-build']) buildServices();
// --cpu-prof DIR: every service writes a V8 CPU profile into DIR when the run ends.
const stack = await startBenchStack({}, cpuProfileArgs(values['cpu-prof']));
let floorServer: FloorServer | undefined;
stopOnInterrupt(() => Promise.all([floorServer?.stop(), stack.stop()]));
try {
  const summary = await seedBenchJobs(stack, seedJobCount);
  const searchDatabaseUrl = stack.env.SEARCH_DATABASE_URL!;
  const jobsDb = new pg.Client({ connectionString: stack.env.JOBS_DATABASE_URL! });
  await jobsDb.connect();
  jobsDb.on('error', () => undefined);
  const { rows: seededJobs } = await jobsDb.query<{ id: string; is_active: boolean }>('SELECT id::text, is_active FROM jobs WHERE deleted_at IS NULL ORDER BY id');
  console.log('waiting for search to index the seed’s jobs from their events…');
  await waitForSearchIndex(
    seededJobs.map((job) => ({ id: BigInt(job.id), isActive: job.is_active })),
    { searchDatabaseUrl, indexTimeoutMs: 15 * 60_000, say },
  );
  const catalogue = await readSeedCatalogue(stack.env.JOBS_DATABASE_URL!);
  const opened = await openSearchDomain(searchDatabaseUrl, 10);
  const floorDb = new pg.Pool({ connectionString: withSessionSettings(searchDatabaseUrl, { work_mem: SEARCH_WORK_MEM }), max: 4 });
  floorDb.on('error', () => undefined);
  try {
    let started = performance.now();
    const drawn = jobCount - seededJobs.length;
    console.log(`writing ${drawn} drawn jobs into search_indexes with indexJob…`);
    await fillSearchIndex(opened.domain, catalogue, { count: drawn, firstId: DRAWN_JOB_IDS, seed: SEED, concurrency: 4, say });
    const fillSeconds = seconds1(performance.now() - started);
    console.log(`written and vacuumed in ${fillSeconds} s`);
    started = performance.now();
    console.log(`saving ${savedSearchCount} searches for ${userCount} users through saveSearch…`);
    await saveSearches(opened.domain, catalogue, { count: savedSearchCount, users: userCount, firstUserId: SAVED_SEARCH_USER_IDS, seed: SEED + 2, concurrency: 8, say });
    const saveSeconds = seconds1(performance.now() - started);
    console.log(`saved in ${saveSeconds} s`);
    const { rows: counts } = await floorDb.query<{ jobs: number; open: number; saved: number; alerting: number }>(
      `SELECT (SELECT count(*)::int FROM search_indexes WHERE entity_type = 'job') AS jobs,
              (SELECT count(*)::int FROM search_indexes WHERE entity_type = 'job' AND is_active) AS open,
              (SELECT count(*)::int FROM saved_searches) AS saved,
              (SELECT count(*)::int FROM saved_searches WHERE alert_frequency <> 'never') AS alerting`,
    );
    await waitForOutbox(stack.env.JOBS_DATABASE_URL!, 'jobs');

    if (onlyMatching) {
      const { matcher, loadMs, heapMb } = await loadedMatcher(opened.sql);
      const implementations: { name: string; match: MatchNewJob; timings: MatchTiming[] }[] = [
        { name: 'a row per frequency (saved_search_digest_matches)', match: (tx, jobId, options) => matcher.match(tx, jobId, options), timings: [] },
        { name: 'a row per saved search (as before 68f5eca)', match: matchWritingRowPerSearch(matcher), timings: [] },
      ];
      await floorDb.query(ROW_PER_SEARCH_TABLE);
      const loadAtStart: string[] = [];
      const perRound: string[] = [
        "| round | matching | whole match p50 ms | p95 | p99 | its statements besides the alerts p50 ms | the alerts' outbox statement p50 ms |",
        '|---|---|---:|---:|---:|---:|---:|',
      ];
      console.log(`load average before measuring: ${loadAverage()}`);
      for (let round = 1; round <= rounds; round += 1) {
        const matchShare = Math.ceil(matchJobCount / rounds);
        // The same new jobs for each, the order swapped each round.
        for (const implementation of round % 2 === 1 ? implementations : [...implementations].reverse()) {
          await waitForQuiet(maxLoad);
          loadAtStart.push(os.loadavg()[0]!.toFixed(2));
          const timings = await timeMatching(opened.sql, implementation.match, catalogue, matchShare, MATCH_JOB_IDS + BigInt((round - 1) * matchShare), SEED + 10 + round);
          implementation.timings.push(...timings);
          const sorted = (pick: (m: MatchTiming) => number) => timings.map(pick).sort((a, b) => a - b);
          const whole = sorted((m) => m.ms);
          perRound.push(
            `| ${round} | ${implementation.name} | ${ms(percentile(whole, 50))} | ${ms(percentile(whole, 95))} | ${ms(percentile(whole, 99))} | ` +
              `${ms(
                percentile(
                  sorted((m) => m.changesMs + m.jobMs + m.insertMs),
                  50,
                ),
              )} | ${ms(
                percentile(
                  sorted((m) => m.outboxMs),
                  50,
                ),
              )} |`,
          );
        }
      }
      console.log(`load average after measuring: ${loadAverage()}`);
      console.log(matcherLoad(matcher, loadMs, heapMb));
      console.log(`\nCommand: ${command}`);
      console.log(`Machine: ${machineDescription()}`);
      console.log(`nproc: ${execSync('nproc', { encoding: 'utf8' }).trim()}; node ${process.version}; ${new Date().toISOString()}`);
      console.log(execSync('free -g', { encoding: 'utf8' }));
      console.log(
        `Data: ${counts[0]!.jobs} jobs in search_indexes (${counts[0]!.open} open), ${drawn} of them drawn and written by indexJob in ${fillSeconds} s; ` +
          `${counts[0]!.saved} saved searches (${counts[0]!.alerting} alerting) of ${userCount} users, saved through saveSearch in ${saveSeconds} s. ` +
          `Load average (1 min) at the start of each measurement: ${loadAtStart.join(', ')}.\n`,
      );
      console.log(perRound.join('\n'));
      console.log(['\n| figure | measured | target |', '|---|---|---|', matchingFigure(implementations[0]!.timings, counts[0]!.saved)].join('\n'));
    } else if (onlyCold) {
      console.log(`drawing ${searchCount} searches that the full-text query matches…`);
      const { requests } = await prepareRequests(stack, floorDb, catalogue);
      const lines = [
        '| round | SEARCH_DATABASE_POOL_MIN | first 4 searches, mean ms | all 20, mean ms | slowest ms | the same 20 again, mean ms |',
        '|---|---|---:|---:|---:|---:|',
      ];
      for (let round = 1; round <= rounds; round += 1) {
        // Searches of their own each round, their pages already read once by the stack's search process (shared buffers alike for both).
        const bodies = requests.slice((round - 1) * 20, round * 20).map((variables) => ({ query: SEARCH_JOBS, variables }));
        for (const body of bodies) dataOf('searchJobs', await postDirect(stack, stack.urls.search!, body));
        for (const poolMin of round % 2 === 1 ? ['0', undefined] : [undefined, '0']) {
          await waitForQuiet(maxLoad);
          const { first, again } = await timeFirstSearches(stack, bodies, poolMin);
          lines.push(`| ${round} | ${poolMin ?? 'default'} | ${ms(mean(first.slice(0, 4)))} | ${ms(mean(first))} | ${ms(Math.max(...first))} | ${ms(mean(again))} |`);
        }
      }
      console.log(`\nCommand: ${command}`);
      console.log(`Machine: ${machineDescription()}`);
      console.log(`nproc: ${execSync('nproc', { encoding: 'utf8' }).trim()}; node ${process.version}; ${new Date().toISOString()}; load average after: ${loadAverage()}`);
      console.log(`\nA new search process's first SearchJobs, straight to it, 4 at a time:\n\n${lines.join('\n')}`);
    } else if (onlyWorkMem || onlyInMemory) {
      // Two more search processes on the same data, one setting apart: SearchJobs straight to each in turn.
      const [setting, variants] = onlyWorkMem ? (['SEARCH_WORK_MEM', ['4MB', SEARCH_WORK_MEM]] as const) : (['SEARCH_JOBS_IN_MEMORY', ['false', 'true']] as const);
      console.log(`drawing ${searchCount} searches that the full-text query matches…`);
      const { requests } = await prepareRequests(stack, floorDb, catalogue);
      const bodies: GraphQLBody[] = requests.map((variables) => ({ query: SEARCH_JOBS, variables }));
      const results: LoadResult[] = [];
      const loadAtStart: string[] = [];
      const memory: string[] = [];
      for (let round = 1; round <= rounds; round += 1) {
        for (const value of round % 2 === 1 ? variants : [...variants].reverse()) {
          await withSecondSearch(stack, { [setting]: value }, async (url) => {
            await loadGraphQL('warm-up', url, bodies, { connections: 4, seconds: 2, hopSecret: stack.hopSecret });
            await waitForQuiet(maxLoad);
            loadAtStart.push(os.loadavg()[0]!.toFixed(2));
            results.push(
              await loadGraphQL(`SearchJobs direct, 4 connections, ${setting}=${value}, round ${round}`, url, bodies, {
                connections: 4,
                seconds,
                hopSecret: stack.hopSecret,
              }),
            );
            memory.push(`${setting}=${value}, round ${round}: ${await processMemory(new URL('/metrics', url).href)}`);
          });
        }
      }
      const { rows: temp } = await floorDb.query<{ files: string; bytes: string }>(
        'SELECT temp_files::text AS files, temp_bytes::text AS bytes FROM pg_stat_database WHERE datname = current_database()',
      );
      console.log(`\nCommand: ${command}`);
      console.log(`Machine: ${machineDescription()}`);
      console.log(`nproc: ${execSync('nproc', { encoding: 'utf8' }).trim()}; node ${process.version}; ${new Date().toISOString()}; load average after: ${loadAverage()}`);
      console.log(`Temporary files written in search_db during the run: ${temp[0]!.files} (${temp[0]!.bytes} bytes).\n`);
      console.log(
        markdownTable(results, { withP95: true })
          .split('\n')
          .map((line, i) => (i === 0 ? `${line} load avg (1 min) at start |` : i === 1 ? `${line}---:|` : `${line} ${loadAtStart[i - 2]} |`))
          .join('\n'),
      );
      console.log(`\nEach process's memory after its measurement (its /metrics):\n${memory.map((line) => `- ${line}`).join('\n')}\n`);
      const of = (value: string) => results.filter((result) => result.label.includes(`=${value},`));
      for (const value of variants)
        console.log(
          `${setting}=${value}: p95 ${Math.round(mean(of(value).map((r) => r.p95)))} ms, p50 ${Math.round(mean(of(value).map((r) => r.p50)))} ms, ${Math.round(mean(of(value).map((r) => r.requestsPerSecond)))} req/s (means of the rounds)`,
        );
    } else if (onlyNaming) {
      console.log(`drawing ${searchCount} searches that the full-text query matches…`);
      const { requests } = await prepareRequests(stack, floorDb, catalogue);
      const comparison = await compareStatementNaming(floorDb, requests, rounds);
      console.log(`\nCommand: ${command}`);
      console.log(`Machine: ${machineDescription()}`);
      console.log(`nproc: ${execSync('nproc', { encoding: 'utf8' }).trim()}; node ${process.version}; ${new Date().toISOString()}; load average after: ${loadAverage()}`);
      console.log(`\nsearchJobs' statements named and unnamed, one connection, alternating:\n\n${comparison}`);
    } else {
      // The floor's connections run with the service's work_mem, as the service's do.
      floorServer = await startFloorServer('search', withSessionSettings(searchDatabaseUrl, { work_mem: SEARCH_WORK_MEM }));
      console.log(`drawing ${searchCount} searches that the full-text query matches, and the cursors of their later pages…`);
      const { requests, totals: requestTotals, drawn: searchesDrawn } = await prepareRequests(stack, floorDb, catalogue);
      const totals = [...requestTotals].sort((a, b) => a - b);
      console.log(`checking the floor against the service on ${checkCount} of them…`);
      await checkFloor(stack, floorServer.url, requests, checkCount);

      const searchBodies: GraphQLBody[] = requests.map((variables) => ({ query: SEARCH_JOBS, variables }));
      const detailBodies: GraphQLBody[] = seededJobs.filter((job) => job.is_active).map((job) => ({ query: JOB_DETAIL, variables: { id: job.id } }));
      // The freshness jobs are posted by the seed's first employer, under the company it owns.
      const employerEmail = summary.employerEmails[0]!;
      const accountsDb = new pg.Client({ connectionString: stack.env.USERS_DATABASE_URL! });
      await accountsDb.connect();
      const { rows: employer } = await accountsDb.query<{ id: string }>('SELECT id::text FROM users WHERE email = $1', [employerEmail]).finally(() => accountsDb.end());
      const employerCompany = catalogue.companies.find((company) => company.employerId === employer[0]!.id)!;
      const loads = [
        { label: 'SearchJobs direct to search (4 connections)', url: stack.urls.search!, bodies: searchBodies, connections: 4, signed: true },
        // As many at once as the gateway's run sends, without the gateway: what that concurrency alone costs.
        { label: 'SearchJobs direct to search (50 connections)', url: stack.urls.search!, bodies: searchBodies, connections: 50, signed: true },
        { label: 'SearchJobs floor: one statement behind a bare HTTP server (4 connections)', url: floorServer.url, bodies: searchBodies, connections: 4, signed: false },
        { label: 'SearchJobs through gateway (50 connections)', url: stack.urls.gateway!, bodies: searchBodies, connections: 50, signed: false },
        { label: 'JobDetail through gateway (50 connections)', url: stack.urls.gateway!, bodies: detailBodies, connections: 50, signed: false },
      ];
      for (const load of loads)
        await loadGraphQL('warm-up', load.url, load.bodies, { connections: load.connections, seconds: 2, ...(load.signed ? { hopSecret: stack.hopSecret } : {}) });

      // Where each request's cost goes: PROFILED_REQUESTS one after another through the gateway, on as quiet a machine as it gets.
      const usersDb = new pg.Client({ connectionString: stack.env.USERS_DATABASE_URL! });
      const searchDb = new pg.Client({ connectionString: searchDatabaseUrl });
      await Promise.all([usersDb.connect(), searchDb.connect()]);
      // Besides the services a request calls: analytics, which consumes each search's event, and
      // nats-server and PostgreSQL (postmaster and backends), which every service shares.
      const processes: ProfiledProcess[] = [
        { name: 'gateway', url: stack.urls.gateway! },
        { name: 'search', url: stack.urls.search!, db: searchDb },
        { name: 'jobs', url: stack.urls.jobs!, db: jobsDb },
        { name: 'users', url: stack.urls.users!, db: usersDb },
        { name: 'analytics', url: stack.urls.analytics! },
        processAt('nats-server', stack.env.NATS_URL!),
        postgresAt(searchDatabaseUrl),
      ];
      const profile: ProfileRow[] = [];
      const sequential: string[] = [];
      for (const [label, bodies] of [
        ['SearchJobs', searchBodies],
        ['JobDetail', detailBodies],
      ] as const) {
        await waitForQuiet(maxLoad);
        const profiled = await profileOperation(label, stack.urls.gateway!, bodies, undefined, processes, PROFILED_REQUESTS, { idleBaseline: true });
        profile.push(...profiled.rows);
        sequential.push(`${label} ${profiled.msPerRequest.toFixed(1)} ms`);
      }
      await Promise.all([usersDb.end(), searchDb.end()]);

      const results: LoadResult[] = [];
      /** CPU per request of each process (in the order of `processes`) over each measurement through the gateway. */
      const loadCpu: { label: string; msPerRequest: number[] }[] = [];
      const loadAtStart: string[] = [];
      const matching: MatchTiming[] = [];
      const freshness: number[] = [];
      const { matcher, loadMs, heapMb } = await loadedMatcher(opened.sql);
      console.log(matcherLoad(matcher, loadMs, heapMb));
      console.log(`load average before measuring: ${loadAverage()}`);
      for (let round = 1; round <= rounds; round += 1) {
        // Each round starts with a different measurement, so that none always follows the same one.
        for (let k = 0; k < loads.length; k += 1) {
          const load = loads[(k + round - 1) % loads.length]!;
          await waitForQuiet(maxLoad);
          loadAtStart.push(os.loadavg()[0]!.toFixed(2));
          const { result, msPerRequest } = await withCpuPerRequest(processes, seconds, () =>
            loadGraphQL(`${load.label}, round ${round}`, load.url, load.bodies, {
              connections: load.connections,
              seconds,
              ...(load.signed ? { hopSecret: stack.hopSecret } : {}),
            }),
          );
          results.push(result);
          if (load.url === stack.urls.gateway) loadCpu.push({ label: load.label, msPerRequest });
        }
        await waitForQuiet(maxLoad);
        const matchShare = Math.ceil(matchJobCount / rounds);
        matching.push(
          ...(await timeMatching(
            opened.sql,
            (tx, jobId, options) => matcher.match(tx, jobId, options),
            catalogue,
            matchShare,
            MATCH_JOB_IDS + BigInt((round - 1) * matchShare),
            SEED + 10 + round,
          )),
        );
        await waitForQuiet(maxLoad);
        const freshShare = Math.ceil(freshJobCount / rounds);
        const token = await signIn(stack.urls.gateway!, employerEmail, SEED_EMPLOYER_PASSWORD);
        freshness.push(
          ...(await timeFreshness(stack.urls.gateway!, token, catalogue, employerCompany, { count: freshShare, first: (round - 1) * freshShare, seed: SEED + 20 + round })),
        );
      }
      console.log(`load average after measuring: ${loadAverage()}`);
      // The plans, once the data is warm: a search of the median size and the largest (the tail of the
      // latency is the large ones), and a new job's matching.
      const median = requests[requestTotals.indexOf(percentile(totals, 50))]!;
      const largest = requests[requestTotals.indexOf(totals.at(-1)!)]!;
      const plans = {
        ...(await explainSearch(floorDb, median, `median search (${percentile(totals, 50)} jobs) ${JSON.stringify(median)}`)),
        ...(await explainSearch(floorDb, largest, `largest search (${totals.at(-1)} jobs) ${JSON.stringify(largest)}`)),
      };
      // The search consumer applies event batches concurrently; a deadlock rolls a batch back to be retried.
      const { rows: stats } = await floorDb.query<{ deadlocks: string }>('SELECT deadlocks::text FROM pg_stat_database WHERE datname = current_database()');

      const of = (prefix: string) => results.filter((r) => r.label.startsWith(prefix));
      const direct = of('SearchJobs direct to search (4 connections)');
      const floor = of('SearchJobs floor');
      const gatewaySearch = of('SearchJobs through gateway');
      const gatewayDetail = of('JobDetail through gateway');
      const directP95 = mean(direct.map((r) => r.p95));
      const p95Ratio = directP95 / mean(floor.map((r) => r.p95));
      const p50Ratio = mean(direct.map((r) => r.p50)) / mean(floor.map((r) => r.p50));
      const rateRatio = mean(gatewaySearch.map((r) => r.requestsPerSecond)) / mean(gatewayDetail.map((r) => r.requestsPerSecond));
      freshness.sort((a, b) => a - b);
      const pages = requests.map((r) => (r.after ? 'later' : 'first'));

      for (const [name, plan] of Object.entries(plans)) console.log(`\n${name}:\n${plan}`);
      console.log(`\nCommand: ${command}`);
      console.log(`Machine: ${machineDescription()}`);
      console.log(`nproc: ${execSync('nproc', { encoding: 'utf8' }).trim()}; node ${process.version}; ${new Date().toISOString()}`);
      console.log(execSync('free -g', { encoding: 'utf8' }));
      console.log(
        `Data: ${counts[0]!.jobs} jobs in search_indexes (${counts[0]!.open} open): ${seededJobs.length} seeded in jobs_db (${summary.companies} companies, ${summary.categories} categories, ${summary.skills} skills) and indexed from their events, ` +
          `${drawn} drawn the same way and written by indexJob in ${fillSeconds} s; ${counts[0]!.saved} saved searches (${counts[0]!.alerting} alerting) of ${userCount} users, saved through saveSearch in ${saveSeconds} s. ` +
          `${requests.length} distinct searches, the first ${requests.length} of ${searchesDrawn} drawn that the full-text query matches (jobs matching: p50 ${percentile(totals, 50)}, p90 ${percentile(totals, 90)}, max ${totals.at(-1)}; ` +
          `${pages.filter((p) => p === 'first').length} first pages, ${pages.filter((p) => p === 'later').length} later pages), ${detailBodies.length} distinct JobDetail ids; ${seconds} s per load measurement. ` +
          `The floor matched the service on ${checkCount} of the searches. Deadlocks in search_db during the run: ${stats[0]!.deadlocks}.\n`,
      );
      console.log(
        markdownTable(results, { withP95: true })
          .split('\n')
          .map((line, i) => (i === 0 ? `${line} load avg (1 min) at start |` : i === 1 ? `${line}---:|` : `${line} ${loadAtStart[i - 2]} |`))
          .join('\n'),
      );
      console.log(
        `\nPer request, ${PROFILED_REQUESTS} requests one after another through the gateway (${sequential.join(', ')}), less what each process spent in as long a window with no requests:\n`,
      );
      console.log(profileTable(profile));
      console.log(
        `\n${loadCpuTable(
          processes.map((entry) => entry.name),
          loadCpu,
        )}`,
      );
      console.log(
        [
          '',
          '| figure | measured | target |',
          '|---|---|---|',
          `| SearchJobs direct, p95 (mean of rounds) | ${Math.round(directP95)} ms | ≤ 50 ms: ${directP95 <= 50 ? 'met' : 'missed'} |`,
          `| SearchJobs direct / floor, latency | p95 ×${p95Ratio.toFixed(2)}, p50 ×${p50Ratio.toFixed(2)} | p95 ≤ ×2: ${p95Ratio <= 2 ? 'met' : 'missed'} |`,
          `| SearchJobs / JobDetail through gateway, req/s | ×${rateRatio.toFixed(2)} | ≥ ×0.8: ${rateRatio >= 0.8 ? 'met' : 'missed'} |`,
          matchingFigure(matching, counts[0]!.saved),
          `| createJob → found by searchJobs, ${freshness.length} jobs | p50 ${ms(percentile(freshness, 50))} ms, p99 ${ms(percentile(freshness, 99))}, max ${ms(freshness.at(-1)!)} | p99 ≤ 1 s: ${percentile(freshness, 99) <= 1000 ? 'met' : 'missed'} |`,
        ].join('\n'),
      );
    }
  } finally {
    await Promise.all([jobsDb.end(), floorDb.end(), opened.close()]);
  }
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  await floorServer?.stop();
  await stack.stop();
}

/**
 * CPU per request of each process over the measurements through the gateway, mean of the rounds,
 * and the machine's total: on this many cores, the most each operation could be served at, whatever
 * the concurrency.
 */
function loadCpuTable(names: readonly string[], measured: readonly { label: string; msPerRequest: number[] }[]): string {
  const labels = [...new Set(measured.map((m) => m.label))];
  const meanOf = (label: string) => names.map((_, i) => mean(measured.filter((m) => m.label === label).map((m) => m.msPerRequest[i]!)));
  const totals = labels.map((label) => meanOf(label).reduce((sum, ms) => sum + ms, 0));
  const cores = os.cpus().length;
  return [
    `CPU per request while loaded through the gateway, ms (mean of ${measured.length / Math.max(labels.length, 1)} rounds):`,
    '',
    `| process | ${labels.join(' | ')} |`,
    `|---|${labels.map(() => '---:').join('|')}|`,
    ...names.map((name, i) => `| ${name} | ${labels.map((label) => meanOf(label)[i]!.toFixed(2)).join(' | ')} |`),
    `| every process | ${totals.map((total) => total.toFixed(2)).join(' | ')} |`,
    `| most req/s on ${cores} cores | ${totals.map((total) => Math.round((cores * 1000) / total)).join(' | ')} |`,
  ].join('\n');
}
