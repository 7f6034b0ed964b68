// npm run bench:applications — the applications figures of docs/benchmarks.md: through the gateway,
// in one run, interleaved rounds,
//  - JobApplications(first: 20) with totalCount, for a job with 10,000 applications, as its employer;
//  - MyApplications(first: 20), for a job seeker with 500 applications, as that seeker;
//  - JobDetail, as bench:jobs sends it (one job, signed out);
// and the ratios of the two lists to JobDetail (target: each at least 0.8).
// Data: the jobs benchmark's data set (2,000 jobs here), then job seekers registered through the
// users service and applications made through the applications service's own rules, once
// applications_db has the jobs, accounts and company members from jobs' and users' events.
// It builds first (npx turbo run build, cached) unless --no-build. Options: --seconds N (per
// measurement, default 10), --rounds N (default 3: each round starts one operation later, so in
// 3 rounds each operation is measured once first, once second and once last), --connections N
// (default 50), --jobs N (default 2000), --applications N (to the one job, default 10000),
// --seeker-applications N (default 500), --max-load X (before each measurement, wait up to 15
// minutes for the 1-minute load average to fall to X: the machines are shared),
// --profile-requests N (default 100).
// --only NAME[,NAME] (jobDetail, jobApplications, myApplications) profiles and measures only those
// operations (the ratios need jobDetail among them); --cpu-prof DIR: every service writes a V8 CPU
// profile into DIR when the run ends, and the log gives the time each measurement started, so that
// the samples of one can be told from the seeding's. --supergraph-beside FILE also measures and
// profiles every operation through a second gateway over the same subgraphs that serves the
// supergraph FILE (e.g. an earlier commit's schema/supergraph.graphql, from git show), in the same
// rounds: a change of query plans, side by side.
// It also profiles each operation: N requests one after another, and per process the CPU time
// (process_cpu_seconds_total of /metrics), the subgraph calls (graphql_operation_duration_seconds)
// and, per database, the SQL statements (committed transactions: reads are autocommit) per request.
import { execSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createLogger, databaseUrlVariable, serviceRegistry } from '@jobplatform/config';
import { postGraphQL } from '@jobplatform/testing';
import { openSeedApplications, submitApplications, waitForApplicationsReplicas, type PlannedApplication } from '../src/seed/seed-applications.js';
import { ensureAccounts, SEED_EMPLOYER_PASSWORD, startSeedUsers } from '../src/seed/seed-platform.js';
import {
  buildServices,
  clientOperation,
  loadAverage,
  loadGraphQL,
  machineDescription,
  markdownTable,
  settleDatabases,
  signIn,
  stackDatabaseUrls,
  startBenchStack,
  startGatewayBeside,
  stopOnInterrupt,
  waitForConsumers,
  waitForMailQueue,
  waitForOutbox,
  waitForQuiet,
  type LoadResult,
  cpuProfileArgs,
  meanOfRuns,
} from './bench-stack.js';
import { profileOperation, profileTable, type ProfileRow } from './request-profile.js';
import { seedBenchJobs } from './seed-jobs.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
    jobs: { type: 'string', default: '2000' },
    applications: { type: 'string', default: '10000' },
    'seeker-applications': { type: 'string', default: '500' },
    'max-load': { type: 'string' },
    'profile-requests': { type: 'string', default: '100' },
    'no-build': { type: 'boolean', default: false },
    only: { type: 'string' },
    'cpu-prof': { type: 'string' },
    'supergraph-beside': { type: 'string' },
  },
});
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const connections = Number(values.connections);
const jobCount = Number(values.jobs);
const jobApplicationCount = Number(values.applications);
const seekerApplicationCount = Number(values['seeker-applications']);
const maxLoad = values['max-load'] === undefined ? undefined : Number(values['max-load']);
const profileRequests = Number(values['profile-requests']);
const operationKeys = ['jobDetail', 'jobApplications', 'myApplications'] as const;
const only = values.only?.split(',') ?? [...operationKeys];
for (const key of only) if (!(operationKeys as readonly string[]).includes(key)) throw new Error(`--only: ${key} is not one of ${operationKeys.join(', ')}`);
const command = `npm run bench:applications -- ${process.argv.slice(2).join(' ')}`.trim();

const JOB_DETAIL = clientOperation('jobs', 'JobDetail');
const JOB_APPLICATIONS = clientOperation('applications', 'JobApplications');
const MY_APPLICATIONS = clientOperation('applications', 'MyApplications');
const BENCH_PASSWORD = 'bench seeker password';

/**
 * What the applications service sends for a page of 20 with its totalCount (application-pages.ts),
 * for EXPLAIN: for Job.applications with the applicants' contact rows and the attachments (fewer
 * keys in each attachment's JSON than the service builds), for User.applications without.
 */
const pageSql = (column: 'job_id' | 'applicant_id', ownerId: string) => `
  SELECT o.owner_id, c.total, a.*${column === 'job_id' ? ', ac.email, ac.first_name, ac.last_name' : ''}${
    column === 'job_id'
      ? `, (SELECT COALESCE(json_agg(json_build_object('id', t.id::text, 'fileName', t.file_name, 'createdAt', t.created_at) ORDER BY t.created_at, t.id), '[]'::json)
      FROM application_attachments t WHERE t.application_id = a.id) AS attachments`
      : ''
  }
  FROM unnest('{${ownerId}}'::bigint[]) AS o(owner_id)
  CROSS JOIN LATERAL (SELECT COALESCE(sum(total), 0)::int AS total FROM ${column === 'job_id' ? 'job' : 'applicant'}_application_counts WHERE ${column} = o.owner_id) AS c
  LEFT JOIN LATERAL (
    SELECT * FROM applications WHERE ${column} = o.owner_id
    ORDER BY created_at DESC, id DESC LIMIT 21) AS a ON true
  ${column === 'job_id' ? 'LEFT JOIN applicant_contacts ac ON ac.user_id = a.applicant_id' : ''}
  ORDER BY o.owner_id, a.created_at DESC, a.id DESC`;

/** Waits until the users copy of every service that keeps one holds `users` accounts. */
async function waitForUserCopies(env: NodeJS.ProcessEnv, users: number): Promise<void> {
  for (const service of serviceRegistry.filter((s) => (s.prismaIncludes as readonly string[]).includes('user-replica'))) {
    const db = new pg.Client({ connectionString: env[databaseUrlVariable(service.name)]! });
    await db.connect();
    try {
      for (;;) {
        const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM user_replicas');
        if (rows[0]!.n >= users) break;
        console.log(`  waiting for ${service.name}'s copy of the users: ${users - rows[0]!.n} to go`);
        await new Promise((resolve) => setTimeout(resolve, 5_000));
      }
    } finally {
      await db.end();
    }
  }
}

const say = (line: string) => console.log(`  ${line}`);

if (!values['no-build']) buildServices();
const stack = await startBenchStack({}, cpuProfileArgs(values['cpu-prof']));
let beside: { url: string; stop(): Promise<void> } | undefined;
stopOnInterrupt(async () => {
  await beside?.stop();
  await stack.stop();
});
try {
  const summary = await seedBenchJobs(stack, jobCount);
  const jobsDb = new pg.Client({ connectionString: stack.env.JOBS_DATABASE_URL! });
  const usersDb = new pg.Client({ connectionString: stack.env.USERS_DATABASE_URL! });
  const applicationsDb = new pg.Client({ connectionString: stack.env.APPLICATIONS_DATABASE_URL! });
  await Promise.all([jobsDb.connect(), usersDb.connect(), applicationsDb.connect()]);
  // The stack stops PostgreSQL when the benchmark ends, early or not: that is not an error of its own.
  for (const client of [jobsDb, usersDb, applicationsDb]) client.on('error', () => undefined);

  // The job with many applications and the seeker's jobs: open ones whose deadline is not near.
  const { rows: openJobs } = await jobsDb.query<{ id: string; company_id: string; employer_id: string }>(
    `SELECT id::text, company_id::text, employer_id::text FROM jobs
     WHERE is_active AND (application_deadline IS NULL OR application_deadline > current_date + 2)
     ORDER BY id LIMIT $1`,
    [seekerApplicationCount + 1],
  );
  if (openJobs.length < seekerApplicationCount + 1) throw new Error(`only ${openJobs.length} open jobs; use more --jobs`);
  const [bigJob, ...seekerJobs] = openJobs as [(typeof openJobs)[number], ...typeof openJobs];
  const { rows: employerRows } = await usersDb.query<{ email: string }>('SELECT email FROM users WHERE id = $1', [bigJob.employer_id]);
  const employerEmail = employerRows[0]!.email;

  // Accounts: the seeker with many applications first, then one seeker per application to the job.
  const logger = createLogger('bench', 'warn');
  const seekerCount = jobApplicationCount + 1;
  console.log(`registering ${seekerCount} job seekers…`);
  let started = performance.now();
  const users = await startSeedUsers(
    // Cheapest argon2id the users service accepts: these accounts sign in once, if ever.
    { usersDatabaseUrl: stack.env.USERS_DATABASE_URL!, natsUrl: stack.natsUrlOf('users'), logLevel: 'warn', env: { ARGON2_MEMORY_KIB: '8192', ARGON2_TIME_COST: '1' } },
    logger,
  );
  const accounts = Array.from({ length: seekerCount }, (_, i) => ({ username: `bench_seeker${i}`, email: `bench-seeker${i}@bench.example` }));
  const { viewers: seekers } = await ensureAccounts(
    users.domain,
    accounts,
    (i) => ({ userType: 'JOB_SEEKER', password: BENCH_PASSWORD, firstName: `Seeker${i}`, lastName: 'Bench' }),
    { concurrency: 8, say },
  ).finally(() => users.close());
  console.log(`registered in ${Math.round((performance.now() - started) / 1000)} s`);
  const [heavySeeker, ...jobSeekers] = seekers as [(typeof seekers)[number], ...typeof seekers];

  const opened = await openSeedApplications({ applicationsDatabaseUrl: stack.env.APPLICATIONS_DATABASE_URL!, logLevel: 'warn', poolSize: 10 }, logger);
  try {
    console.log('waiting for applications_db to copy the jobs, accounts and company members from their events…');
    started = performance.now();
    await waitForApplicationsReplicas(
      opened.domain.db,
      {
        jobs: openJobs.map((job) => ({ id: BigInt(job.id), isActive: true })),
        seekers: seekers.map((seeker) => BigInt(seeker.userId)),
        members: [{ companyId: BigInt(bigJob.company_id), userId: BigInt(bigJob.employer_id) }],
      },
      { timeoutMs: 15 * 60_000, say },
    );
    console.log(`copies complete after ${Math.round((performance.now() - started) / 1000)} s`);

    console.log(`applying: ${jobApplicationCount} to job ${bigJob.id}, ${seekerApplicationCount} by one seeker…`);
    started = performance.now();
    const plans: PlannedApplication[] = [
      ...jobSeekers.map((seeker, i) => ({ seeker, jobId: BigInt(bigJob.id), coverLetter: 'I would like to join your team.', expectedSalary: 40_000 + (i % 60) * 1000 })),
      ...seekerJobs.map((job) => ({ seeker: heavySeeker, jobId: BigInt(job.id), coverLetter: 'I would like to join your team.' })),
    ];
    const submitted = await submitApplications(opened.domain, plans, { concurrency: 8, existing: new Map(), say });
    if (submitted.added !== plans.length) throw new Error(`${plans.length - submitted.added} applications were refused`);
    console.log(`applied in ${Math.round((performance.now() - started) / 1000)} s (through applyToJob's rules: one transaction with its history row and event each)`);
  } finally {
    await opened.close();
  }
  // Measure once the relays have published what the seeding wrote, every service's users copy has
  // caught up with the accounts and every consumer with the applications' events (notifications,
  // search and analytics would otherwise still be working), on vacuumed tables with fresh statistics.
  await waitForOutbox(stack.env.USERS_DATABASE_URL!, 'users');
  // Each registration queued a verification mail: users' courier sends them first, not during the measurement.
  await waitForMailQueue(stack.env.USERS_DATABASE_URL!, 'users');
  await waitForOutbox(stack.env.APPLICATIONS_DATABASE_URL!, 'applications');
  await waitForUserCopies(stack.env, Number((await usersDb.query<{ n: number }>('SELECT count(*)::int AS n FROM users')).rows[0]!.n));
  await waitForConsumers(stack);
  await settleDatabases(stackDatabaseUrls(stack));

  const signInBoth = async () => ({
    employer: await signIn(stack.urls.gateway!, employerEmail, SEED_EMPLOYER_PASSWORD),
    seeker: await signIn(stack.urls.gateway!, accounts[0]!.email, BENCH_PASSWORD),
  });

  const detail = { query: JOB_DETAIL, variables: { id: summary.sampleJobId } };
  const jobApplications = { query: JOB_APPLICATIONS, variables: { jobId: bigJob.id, first: 20 } };
  const myApplications = { query: MY_APPLICATIONS, variables: { first: 20 } };

  // Sanity: every operation answers without errors, with the counts seeded.
  let tokens = await signInBoth();
  const checked = {
    detail: await postGraphQL(stack.urls.gateway!, detail),
    jobApplications: await postGraphQL(stack.urls.gateway!, jobApplications, { headers: { authorization: `Bearer ${tokens.employer}` } }),
    myApplications: await postGraphQL(stack.urls.gateway!, myApplications, { headers: { authorization: `Bearer ${tokens.seeker}` } }),
  };
  for (const [name, response] of Object.entries(checked)) if (response.errors) throw new Error(`${name}: ${JSON.stringify(response.errors)}`);
  const jobTotal = checked.jobApplications.data!.job.applications.totalCount as number;
  const seekerTotal = checked.myApplications.data!.me.applications.totalCount as number;
  if (jobTotal !== jobApplicationCount || seekerTotal !== seekerApplicationCount)
    throw new Error(`totalCount ${jobTotal} and ${seekerTotal}, expected ${jobApplicationCount} and ${seekerApplicationCount}`);
  if (checked.jobApplications.data!.job.applications.edges.length !== 20 || checked.myApplications.data!.me.applications.edges.length !== 20)
    throw new Error('a page is not 20 long');

  const explain = async (sql: string) =>
    (await applicationsDb.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`)).rows.map((row) => row['QUERY PLAN']).join('\n');
  const explained = {
    'Job.applications page (first: 20) with totalCount, contacts and attachments': await explain(pageSql('job_id', bigJob.id)),
    'User.applications page (first: 20) with totalCount': await explain(pageSql('applicant_id', heavySeeker.userId)),
  };

  const operations = [
    { key: 'jobDetail', label: 'JobDetail', body: detail, token: () => undefined },
    {
      key: 'jobApplications',
      label: `JobApplications(first: 20), ${jobApplicationCount.toLocaleString('en-US')} applications`,
      body: jobApplications,
      token: () => tokens.employer,
    },
    { key: 'myApplications', label: `MyApplications(first: 20), ${seekerApplicationCount.toLocaleString('en-US')} applications`, body: myApplications, token: () => tokens.seeker },
  ].filter((operation) => only.includes(operation.key));
  // The gateways measured: the stack's, and with --supergraph-beside one serving that supergraph.
  const besideFile = values['supergraph-beside'];
  if (besideFile) beside = await startGatewayBeside(stack, undefined, { SUPERGRAPH_PATH: path.resolve(besideFile) });
  const gateways = [{ label: '', url: stack.urls.gateway! }, ...(beside ? [{ label: `, through the gateway serving ${path.basename(besideFile!)}`, url: beside.url }] : [])];
  const measurements = gateways.flatMap((gateway) => operations.map((operation) => ({ ...operation, label: `${operation.label}${gateway.label}`, gateway })));
  for (const { body, token, gateway } of measurements) {
    const bearer = token();
    await loadGraphQL('warm-up', gateway.url, body, { connections: 10, seconds: 2, ...(bearer ? { token: bearer } : {}) });
  }

  // Where each request's cost goes, on a machine as quiet as it gets.
  const processesBehind = (gatewayUrl: string) => [
    { name: 'gateway', url: gatewayUrl },
    { name: 'users', url: stack.urls.users!, db: usersDb },
    { name: 'jobs', url: stack.urls.jobs!, db: jobsDb },
    { name: 'applications', url: stack.urls.applications!, db: applicationsDb },
  ];
  /** An operation's name, and the gateway when there are two. */
  const shortLabel = (label: string) => {
    const [name, through] = label.split(/(?=, through the gateway serving )/);
    return `${name!.replace(/,.*/, '')}${through ?? ''}`;
  };
  const profile: ProfileRow[] = [];
  const sequential: string[] = [];
  for (const measurement of measurements) {
    await waitForQuiet(maxLoad);
    tokens = await signInBoth(); // access tokens live 15 minutes, and a wait for quiet as long
    console.log(`profiling ${shortLabel(measurement.label)} from ${new Date().toISOString()}`);
    const profiled = await profileOperation(
      shortLabel(measurement.label),
      measurement.gateway.url,
      measurement.body,
      measurement.token(),
      processesBehind(measurement.gateway.url),
      profileRequests,
    );
    profile.push(...profiled.rows);
    sequential.push(`${shortLabel(measurement.label)} ${profiled.msPerRequest.toFixed(1)} ms`);
  }

  const results: LoadResult[] = [];
  const loads: string[] = [];
  console.log(`load average before measuring: ${loadAverage()}`);
  for (let round = 1; round <= rounds; round += 1) {
    // Each round starts with a different operation, so that none always follows the same one.
    for (let k = 0; k < measurements.length; k += 1) {
      const measurement = measurements[(k + round - 1) % measurements.length]!;
      await waitForQuiet(maxLoad);
      tokens = await signInBoth();
      const token = measurement.token();
      loads.push(os.loadavg()[0]!.toFixed(2));
      console.log(`measuring ${shortLabel(measurement.label)}, round ${round}, from ${new Date().toISOString()}`);
      results.push(await loadGraphQL(`${measurement.label}, round ${round}`, measurement.gateway.url, measurement.body, { connections, seconds, ...(token ? { token } : {}) }));
    }
  }
  console.log(`load average after measuring: ${loadAverage()}`);
  await Promise.all([jobsDb.end(), usersDb.end(), applicationsDb.end()]);

  // The targets' ratios are the stack's gateway's.
  const mean = (prefix: string, pick: (r: LoadResult) => number) =>
    meanOfRuns(
      results.filter((r) => !r.label.includes(', through the gateway serving ')),
      prefix,
      pick,
    );
  const detailRate = mean('JobDetail', (r) => r.requestsPerSecond);
  const ratioRows = (only.includes('jobDetail') ? ['JobApplications', 'MyApplications'] : [])
    .filter((prefix) => results.some((r) => r.label.startsWith(prefix)))
    .map((prefix) => {
      const ratio = mean(prefix, (r) => r.requestsPerSecond) / detailRate;
      return `| ${prefix} / JobDetail | ${Math.round(mean(prefix, (r) => r.requestsPerSecond))} / ${Math.round(detailRate)} | ×${ratio.toFixed(2)} | ${ratio >= 0.8 ? 'met' : 'missed'} |`;
    });

  for (const [name, plan] of Object.entries(explained)) console.log(`\n${name}:\n${plan}`);
  console.log(`\nCommand: ${command}`);
  console.log(`Machine: ${machineDescription()}`);
  console.log(`nproc: ${execSync('nproc', { encoding: 'utf8' }).trim()}; node ${process.version}`);
  console.log(execSync('free -g', { encoding: 'utf8' }));
  console.log(
    `Data: ${summary.jobs} jobs of ${summary.companies} companies; job ${bigJob.id} has ${jobTotal} applications, seeker ${heavySeeker.userId} has ${seekerTotal}; JobDetail asks for job ${summary.sampleJobId}. ${connections} connections, ${seconds} s per measurement.\n`,
  );
  console.log(
    markdownTable(results)
      .split('\n')
      .map((line, i) => (i === 0 ? `${line} load avg (1 min) at start |` : i === 1 ? `${line}---:|` : `${line} ${loads[i - 2]} |`))
      .join('\n'),
  );
  console.log(`\nPer request, ${profileRequests} requests one after another through the gateway (${sequential.join(', ')}):\n`);
  console.log(profileTable(profile));
  if (ratioRows.length > 0) console.log(['', '| ratio of mean req/s | req/s | ratio | target ≥ 0.8 |', '|---|---:|---:|---|', ...ratioRows].join('\n'));
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  await beside?.stop();
  await stack.stop();
}
