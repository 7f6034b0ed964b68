// npm run bench:jobs — the jobs figures of docs/benchmarks.md, on the 100,000-job data set:
//  1. JobDetail (jobs + users) through the gateway, beside the jobs part of it sent straight to
//     the jobs subgraph;
//  2. Jobs(first: 20) with filters through the gateway, beside the same query straight to jobs.
// 50 connections, interleaved rounds so both paths see the same machine noise.
// Build first (npm run build). Options: --jobs N (default 100000), --seconds N (per round,
// default 10), --rounds N (default 2), --previous-indexes (first measure Jobs again with the jobs
// indexes as they were before the 20261127155436_filter_count_index migration, on the same data,
// then restore them: a before/after in one run on one machine), --max-load X (before each
// measurement, wait up to 15 minutes for the 1-minute load average to fall to X: the seeding
// itself leaves the machine busy).
// It waits for the jobs relay to publish what the seed wrote before measuring, and prints the
// plan of the Jobs count and the load average, since the machine may be shared.
import { execSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { Kind, parse, print, visit } from 'graphql';
import pg from 'pg';
import { postGraphQL } from '@jobplatform/testing';
import { clientOperation, dataOf, loadAverage, loadGraphQL, machineDescription, markdownTable, postDirect, startBenchStack, waitForQuiet, type LoadResult } from './bench-stack.js';
import { seedBenchJobs } from './seed-jobs.js';

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '100000' },
    seconds: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '2' },
    'previous-indexes': { type: 'boolean', default: false },
    'max-load': { type: 'string' },
  },
});
const jobCount = Number(values.jobs);
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const maxLoad = values['max-load'] === undefined ? undefined : Number(values['max-load']);

const JOB_DETAIL = clientOperation('jobs', 'JobDetail');
/** What the jobs subgraph can answer of JobDetail: the employer is only a key there. */
const JOB_DETAIL_JOBS_PART = print(
  visit(parse(JOB_DETAIL), {
    Field: (node) =>
      node.name.value === 'employer'
        ? { ...node, selectionSet: { kind: Kind.SELECTION_SET, selections: [{ kind: Kind.FIELD, name: { kind: Kind.NAME, value: 'id' } }] } }
        : undefined,
  }),
);
if (JOB_DETAIL_JOBS_PART === print(parse(JOB_DETAIL))) throw new Error('JobDetail no longer selects its employer: update the benchmark');
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

const stack = await startBenchStack();
try {
  const summary = await seedBenchJobs(stack, jobCount);
  const jobsDb = new pg.Client({ connectionString: stack.env.JOBS_DATABASE_URL! });
  await jobsDb.connect();
  const explainCount = async () => (await jobsDb.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${FILTER_COUNT_SQL}`)).rows.map((row) => row['QUERY PLAN']).join('\n');
  const detail = { query: JOB_DETAIL, variables: { id: summary.sampleJobId } };
  const detailDirect = { query: JOB_DETAIL_JOBS_PART, variables: { id: summary.sampleJobId } };
  const list = { query: JOBS, variables: { filter: FILTER, first: 20 } };

  // Calls straight to jobs are signed as the gateway signs its own: production refuses others.
  const post = (url: string, body: { query: string; variables?: Record<string, unknown> }) => (url === stack.urls.gateway ? postGraphQL(url, body) : postDirect(stack, url, body));
  const signing = (url: string) => (url === stack.urls.gateway ? {} : { hopSecret: stack.hopSecret });
  // Sanity: both paths answer without errors, and the filter matches something.
  for (const [url, body] of [
    [stack.urls.gateway!, detail],
    [stack.urls.jobs!, detailDirect],
    [stack.urls.gateway!, list],
    [stack.urls.jobs!, list],
  ] as const) {
    dataOf(url, await post(url, body));
  }
  const matching = dataOf('jobs', await post(stack.urls.jobs!, list)).jobs.totalCount;

  for (const [url, body] of [
    [stack.urls.gateway!, detail],
    [stack.urls.jobs!, detailDirect],
    [stack.urls.gateway!, list],
    [stack.urls.jobs!, list],
  ] as const) {
    await loadGraphQL('warm-up', url, body, { connections: 10, seconds: 2, ...signing(url) });
  }
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
  const measured = async (label: string, url: string, body: Parameters<typeof loadGraphQL>[2]) => {
    await waitForQuiet(maxLoad);
    results.push(await loadGraphQL(label, url, body, { connections: 50, seconds, ...signing(url) }));
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
    await measured(`JobDetail direct to jobs, round ${round}`, stack.urls.jobs!, detailDirect);
    await measured(`JobDetail through gateway, round ${round}`, stack.urls.gateway!, detail);
    await measured(`Jobs(first: 20) filtered, direct to jobs, round ${round}`, stack.urls.jobs!, list);
    await measured(`Jobs(first: 20) filtered, through gateway, round ${round}`, stack.urls.gateway!, list);
  }

  console.log(`load average after measuring: ${loadAverage()}`);
  await jobsDb.end();

  for (const [which, plan] of plans) console.log(`\nThe filter's count with the ${which} indexes:\n${plan}`);
  console.log(`\nMachine: ${machineDescription()}`);
  console.log(`nproc: ${execSync('nproc', { encoding: 'utf8' }).trim()}; node ${process.version}`);
  console.log(execSync('free -g', { encoding: 'utf8' }));
  console.log(
    `Data: ${summary.jobs} jobs, ${summary.companies} companies, ${summary.categories} categories, ${summary.skills} skills; the Jobs filter matches ${matching} jobs.\n`,
  );
  console.log(markdownTable(results));
} finally {
  await stack.stop();
}
