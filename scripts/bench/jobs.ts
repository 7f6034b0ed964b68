// npm run bench:jobs — the jobs figures of docs/benchmarks-jobs.md, on the 100,000-job data set:
//  1. JobDetail (jobs + users) through the gateway, beside the jobs part of it sent straight to
//     the jobs subgraph;
//  2. Jobs(first: 20) with filters through the gateway, beside the same query straight to jobs.
// 50 connections, interleaved rounds so both paths see the same machine noise.
// Build first (npm run build). Options: --jobs N (default 100000), --seconds N (per round,
// default 10), --rounds N (default 2).
import { execSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { postGraphQL } from '@jobplatform/testing';
import { repoRoot } from '../src/dev-stack-env.js';
import { seedPlatform } from '../src/seed/seed-platform.js';
import { loadGraphQL, machineDescription, markdownTable, startBenchStack, type LoadResult } from './bench-stack.js';

const { values } = parseArgs({
  options: { jobs: { type: 'string', default: '100000' }, seconds: { type: 'string', default: '10' }, rounds: { type: 'string', default: '2' } },
});
const jobCount = Number(values.jobs);
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);

const JOB_DETAIL = /* GraphQL */ `
  query JobDetail($id: ID!) {
    job(id: $id) {
      id title description requirements responsibilities
      jobType experienceLevel salaryMin salaryMax salaryCurrency
      location isRemote isActive applicationDeadline createdAt
      company { id name logo industry size location }
      employer { id username firstName lastName }
      categories { id name parent { id name } }
      skills { isRequired skill { id name } }
    }
  }`;
/** What the jobs subgraph can answer of JobDetail: the employer is only a key there. */
const JOB_DETAIL_JOBS_PART = JOB_DETAIL.replace('employer { id username firstName lastName }', 'employer { id }');

const JOBS = /* GraphQL */ `
  query Jobs($filter: JobFilter, $first: Int, $after: String) {
    jobs(filter: $filter, first: $first, after: $after) {
      totalCount
      edges { cursor node { id title location isRemote jobType company { name } } }
      pageInfo { hasNextPage endCursor }
    }
  }`;
const FILTER = { jobTypes: ['FULL_TIME', 'CONTRACT'], experienceLevels: ['MID', 'SENIOR'], salaryMin: 60000, salaryCurrency: 'EUR' };

// The checked-in supergraph may not list jobs yet: compose users + jobs for this run.
const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'jobs-bench-'));
const sdl = (file: string) => parse(readFileSync(path.join(repoRoot, file), 'utf8'));
const composed = composeServices([
  { name: 'users', url: 'http://127.0.0.1:4001/graphql', typeDefs: sdl('subgraphs/users/src/schema.graphql') },
  { name: 'jobs', url: 'http://127.0.0.1:4002/graphql', typeDefs: sdl('subgraphs/jobs/src/schema.graphql') },
]);
if (composed.errors) throw new Error(composed.errors.map((e) => e.message).join('\n'));
const supergraphPath = path.join(dir, 'supergraph.graphql');
await fs.writeFile(supergraphPath, composed.supergraphSdl);

const stack = await startBenchStack({ SUPERGRAPH_PATH: supergraphPath });
try {
  console.log(`seeding ${jobCount} jobs…`);
  const summary = await seedPlatform({
    usersDatabaseUrl: stack.env.USERS_DATABASE_URL!,
    jobsDatabaseUrl: stack.env.JOBS_DATABASE_URL!,
    natsUrl: stack.env.NATS_URL!,
    jobs: jobCount,
    companies: 60,
    seed: 20261124,
    concurrency: 8,
    logLevel: 'warn',
    say: (line) => console.log(`  ${line}`),
  });
  console.log(`seeded in ${summary.seconds} s`);
  const detail = { query: JOB_DETAIL, variables: { id: summary.sampleJobId } };
  const detailDirect = { query: JOB_DETAIL_JOBS_PART, variables: { id: summary.sampleJobId } };
  const list = { query: JOBS, variables: { filter: FILTER, first: 20 } };

  // Sanity: both paths answer without errors, and the filter matches something.
  for (const [url, body] of [[stack.urls.gateway!, detail], [stack.urls.jobs!, detailDirect], [stack.urls.gateway!, list], [stack.urls.jobs!, list]] as const) {
    const response = await postGraphQL(url, body);
    if (response.errors) throw new Error(`${url}: ${JSON.stringify(response.errors)}`);
  }
  const matching = (await postGraphQL(stack.urls.jobs!, list)).data!.jobs.totalCount;

  for (const [url, body] of [[stack.urls.gateway!, detail], [stack.urls.jobs!, detailDirect], [stack.urls.gateway!, list], [stack.urls.jobs!, list]] as const) {
    await loadGraphQL('warm-up', url, body, { connections: 10, seconds: 2 });
  }
  const results: LoadResult[] = [];
  for (let round = 1; round <= rounds; round += 1) {
    results.push(await loadGraphQL(`JobDetail direct to jobs, round ${round}`, stack.urls.jobs!, detailDirect, { connections: 50, seconds }));
    results.push(await loadGraphQL(`JobDetail through gateway, round ${round}`, stack.urls.gateway!, detail, { connections: 50, seconds }));
    results.push(await loadGraphQL(`Jobs(first: 20) filtered, direct to jobs, round ${round}`, stack.urls.jobs!, list, { connections: 50, seconds }));
    results.push(await loadGraphQL(`Jobs(first: 20) filtered, through gateway, round ${round}`, stack.urls.gateway!, list, { connections: 50, seconds }));
  }

  console.log(`\nMachine: ${machineDescription()}`);
  console.log(`nproc: ${execSync('nproc', { encoding: 'utf8' }).trim()}; node ${process.version}`);
  console.log(execSync('free -g', { encoding: 'utf8' }));
  console.log(`Data: ${summary.jobs} jobs, ${summary.companies} companies, ${summary.categories} categories, ${summary.skills} skills; the Jobs filter matches ${matching} jobs.\n`);
  console.log(markdownTable(results));
} finally {
  await stack.stop();
  await fs.rm(dir, { recursive: true, force: true });
}
