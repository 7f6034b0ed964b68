// npm run bench:gateway — our gateway beside Hive Gateway (docs/benchmarks.md, "Gateway: ours
// beside Hive Gateway"), issue #15: the same running subgraphs (the benchmark stack, every service
// its own production process) behind three gateways in turn:
//  - ours (gateway/, started by the stack),
//  - Hive Gateway with its default runtime,
//  - Hive Gateway with Hive Router's runtime (its Rust query planner, @graphql-hive/router-runtime),
// both Hive ones installed at a pinned version into node_modules/.cache/hive-gateway at the first
// run (scripts/bench/hive-gateway.ts), serving the platform's supergraph with the stack's subgraph
// URLs. Production subgraphs refuse calls our gateway did not sign, so Hive signs its subgraph calls
// the same way (a plugin of its configuration, with the service kit's signHop): the subgraphs keep
// their production settings.
// Two queries over --jobs seeded jobs, every request a different one (no gateway can merge or
// reuse identical requests): JobDetail (jobs + users) of each job, and the Jobs list with the
// employer's username (jobs + users) from each job's cursor with first 10 to 30. Before measuring,
// one request of each returns the same data from every gateway. Then --rounds interleaved rounds
// (ours, Hive, Hive Rust for each query; the order reversed every other round) of --seconds at
// --connections, each after the load average falls to --max-load; the CPU per request of each
// gateway process from /proc.
// Options: --seconds N (10), --rounds N (2), --connections N (50), --jobs N (2000), --max-load X,
// --cpu-prof DIR (every service of the stack, our gateway among them, writes a V8 CPU profile into
// DIR when the run ends; CPU-<date>.<time>.<pid>.….cpuprofile, the gateway's pid is printed),
// --no-rust (without Hive Router's runtime), --hive-version V (2.15.1), --no-build.
import { execSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { postGraphQL } from '@jobplatform/testing';
import { repoRoot } from '../src/dev-stack-env.js';
import {
  buildServices,
  cpuProfileArgs,
  clientOperation,
  dataOf,
  loadAverage,
  loadGraphQL,
  machineDescription,
  markdownTable,
  startBenchStack,
  stopOnInterrupt,
  waitForQuiet,
  type BenchStack,
  type GraphQLBody,
  type LoadResult,
  mean,
} from './bench-stack.js';
import { builtModuleUrl, pidOfPort, procSample, routerRuntimeProblem, startHive, type HiveProcess } from './hive-gateway.js';
import { seedBenchJobs } from './seed-jobs.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '2' },
    connections: { type: 'string', default: '50' },
    jobs: { type: 'string', default: '2000' },
    'max-load': { type: 'string' },
    'cpu-prof': { type: 'string' },
    'no-rust': { type: 'boolean', default: false },
    'hive-version': { type: 'string', default: '2.15.1' },
    'no-build': { type: 'boolean', default: false },
  },
});
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const connections = Number(values.connections);
const maxLoad = values['max-load'] === undefined ? undefined : Number(values['max-load']);
const hiveVersion = values['hive-version']!;
const command = `npm run bench:gateway -- ${process.argv.slice(2).join(' ')}`.trim();

const JOB_DETAIL = clientOperation('jobs', 'JobDetail');
const JOBS_CLIENT = clientOperation('jobs', 'Jobs');
/** The client's Jobs list with each job's employer: a second subgraph (users) for every page. */
const JOBS = JOBS_CLIENT.replace(/company \{\s*name\s*\}/, '$& employer { username }');
if (JOBS === JOBS_CLIENT) throw new Error('Jobs no longer selects company { name }: update the benchmark');
const PAGE_SIZES = { from: 10, to: 30 };

type Query = { name: string; bodies: GraphQLBody[] };
type Gateway = { name: string; url: string; pid: number };
type Measurement = { query: string; gateway: string; result: LoadResult; cpuMsPerRequest: number };

/**
 * Hive Gateway's configuration: it signs each call to a subgraph as our gateway does (the service
 * kit's signHop, built, over the URL's path, the forwarded headers and the body). The signing
 * wraps the fetch function, so that it covers the options as they finally go out, whatever
 * Hive's own plugins (its request id among them) add before.
 */
function hiveConfig(withRouterRuntime: boolean): string {
  return `
import { defineConfig } from '@graphql-hive/gateway';
import { HOP_SIGNATURE_HEADER, signHop } from '${builtModuleUrl('packages/service-runtime/dist/gateway-hop.js')}';
${withRouterRuntime ? "import { unifiedGraphHandler } from '@graphql-hive/router-runtime';" : ''}

const secret = process.env.GATEWAY_HOP_SECRET;

function signed(url, options) {
  const headers = new Headers(options.headers);
  const body = options.body ?? '';
  if (typeof body !== 'string' && !(body instanceof Uint8Array)) throw new Error('a subgraph call whose body cannot be signed');
  const { pathname, search } = new URL(url);
  const request = {
    method: options.method ?? 'GET',
    path: pathname + search,
    authorization: headers.get('authorization') ?? undefined,
    requestId: headers.get('x-request-id') ?? undefined,
    clientIp: headers.get('x-client-ip') ?? undefined,
    body,
  };
  headers.set(HOP_SIGNATURE_HEADER, signHop(secret, request));
  return { ...options, headers: Object.fromEntries(headers) };
}

const signHops = {
  onFetch({ fetchFn, setFetchFn }) {
    setFetchFn((url, options, ...rest) => fetchFn(url, signed(url, options), ...rest));
  },
};

export const gatewayConfig = defineConfig({
  logging: 'warn',
  plugins: () => [signHops],
  ${withRouterRuntime ? 'unifiedGraphHandler,' : ''}
});
`;
}

/** The platform's supergraph with the stack's subgraph URLs (it names the development ports). */
async function writeSupergraph(stack: BenchStack, dir: string): Promise<string> {
  const source = await fs.readFile(path.join(repoRoot, 'schema/supergraph.graphql'), 'utf8');
  const text = source.replace(/@join__graph\(name: "([a-z-]+)", url: "[^"]*"\)/g, (_whole, name: string) => {
    const url = stack.urls[name];
    if (!url) throw new Error(`the bench stack has no subgraph ${name}`);
    return `@join__graph(name: "${name}", url: "${url}")`;
  });
  const file = path.join(dir, 'supergraph.graphql');
  await fs.writeFile(file, text);
  return file;
}

/** JobDetail of every seeded job, and a Jobs page from every job's cursor (first 10 to 30 in turn). */
async function makeQueries(stack: BenchStack): Promise<Query[]> {
  const jobsDb = new pg.Client({ connectionString: stack.env.JOBS_DATABASE_URL! });
  await jobsDb.connect();
  const { rows } = await jobsDb.query<{ id: string }>('SELECT id::text FROM jobs ORDER BY id');
  await jobsDb.end();
  const cursors: (string | null)[] = [null];
  for (let after: string | null = null; ;) {
    const page = dataOf('Jobs', await postGraphQL(stack.urls.gateway!, { query: JOBS_CLIENT, variables: { first: 50, after } })).jobs;
    cursors.push(...(page.edges as { cursor: string }[]).map((edge) => edge.cursor));
    if (!page.pageInfo.hasNextPage) break;
    after = page.pageInfo.endCursor as string;
  }
  const span = PAGE_SIZES.to - PAGE_SIZES.from + 1;
  return [
    { name: 'JobDetail', bodies: rows.map(({ id }) => ({ query: JOB_DETAIL, variables: { id } })) },
    {
      name: `Jobs(first: ${PAGE_SIZES.from}–${PAGE_SIZES.to}) + employer`,
      bodies: cursors.map((after, i) => ({ query: JOBS, variables: { first: PAGE_SIZES.from + (i % span), after } })),
    },
  ];
}

/** Every gateway must answer the first and the last request of each query with the same data, and without errors. */
async function assertSameData(gateways: Gateway[], queries: Query[]): Promise<void> {
  for (const query of queries) {
    for (const body of [query.bodies[0]!, query.bodies.at(-1)!]) {
      const answers = await Promise.all(gateways.map(async (gateway) => JSON.stringify(dataOf(`${query.name} through ${gateway.name}`, await postGraphQL(gateway.url, body)))));
      const differing = gateways.filter((_gateway, i) => answers[i] !== answers[0]);
      if (differing.length > 0)
        throw new Error(
          `${query.name} ${JSON.stringify(body.variables)}: ${differing.map((g) => g.name).join(', ')} answered other data than ${gateways[0]!.name}:\n${answers.join('\n')}`,
        );
    }
    console.log(`  ${query.name}: the same data from every gateway`);
  }
}

/** One measurement of one gateway, with its process's CPU time per request over it. */
async function measure(gateway: Gateway, query: Query, round: number): Promise<Measurement> {
  await waitForQuiet(maxLoad);
  const before = await procSample(gateway.pid);
  const result = await loadGraphQL(`${query.name}, ${gateway.name}, round ${round}`, gateway.url, query.bodies, { connections, seconds });
  const after = await procSample(gateway.pid);
  const requests = result.requestsPerSecond * seconds;
  const cpuMsPerRequest = requests > 0 ? ((after.cpuSeconds - before.cpuSeconds) * 1000) / requests : Number.NaN;
  console.log(
    `  ${result.label}: ${result.requestsPerSecond} req/s, p99 ${result.p99} ms, ${result.errors} errors, ${cpuMsPerRequest.toFixed(2)} CPU ms/request (load ${loadAverage()})`,
  );
  return { query: query.name, gateway: gateway.name, result, cpuMsPerRequest };
}

/** Per query: each gateway's means over the rounds, and ours against the faster Hive (the one with more req/s). */
function summarize(measurements: Measurement[], gateways: Gateway[], queries: Query[]): { table: string; met: boolean } {
  const rows: string[] = [];
  let met = true;
  for (const query of queries) {
    const means = gateways.map((gateway) => {
      const mine = measurements.filter((m) => m.query === query.name && m.gateway === gateway.name);
      return {
        gateway: gateway.name,
        rps: mean(mine.map((m) => m.result.requestsPerSecond)),
        p99: mean(mine.map((m) => m.result.p99)),
        cpu: mean(mine.map((m) => m.cpuMsPerRequest)),
        errors: mine.reduce((sum, m) => sum + m.result.errors, 0),
      };
    });
    const [ours, ...hives] = means;
    const fastest = hives.reduce((a, b) => (b.rps > a.rps ? b : a));
    const rpsRatio = ours!.rps / fastest.rps;
    const p99Ratio = ours!.p99 / fastest.p99;
    const queryMet = rpsRatio >= 1 && p99Ratio <= 1 && ours!.errors === 0;
    met &&= queryMet;
    for (const m of means)
      rows.push(
        `| ${query.name} | ${m.gateway} | ${Math.round(m.rps)} | ${Math.round(m.p99)} | ${m.cpu.toFixed(2)} | ${m.errors} | ${m === ours ? `${rpsRatio.toFixed(2)}× req/s, ${p99Ratio.toFixed(2)}× p99 of ${fastest.gateway}: ${queryMet ? 'met' : 'missed'}` : ''} |`,
      );
  }
  const table = ['| query | gateway | req/s (mean) | p99 ms (mean) | CPU ms per request | errors | ours / faster Hive |', '|---|---|---:|---:|---:|---:|---|', ...rows].join('\n');
  return { table, met };
}

async function startHives(stack: BenchStack, supergraphPath: string, withRust: boolean): Promise<HiveProcess[]> {
  const env = { GATEWAY_HOP_SECRET: stack.hopSecret };
  const started = [await startHive({ version: hiveVersion, configName: 'bench-gateway-default', config: hiveConfig(false), supergraphPath, env })];
  if (withRust) started.push(await startHive({ version: hiveVersion, configName: 'bench-gateway-router-runtime', config: hiveConfig(true), supergraphPath, env }));
  return started;
}

if (!values['no-build']) buildServices();
const withRust = !values['no-rust'];
if (withRust) {
  const problem = await routerRuntimeProblem(hiveVersion).catch((error: unknown) => String(error));
  if (problem) throw new Error(`Hive Router's runtime does not load here (${problem}); run with --no-rust`);
}
const cpuProfDir = values['cpu-prof'] ? path.resolve(values['cpu-prof']) : undefined;
const stack = await startBenchStack({}, cpuProfileArgs(cpuProfDir));
const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bench-gateway-'));
const hives: HiveProcess[] = [];
const stopAll = async () => {
  await Promise.all(hives.map((hive) => hive.stop()));
  await stack.stop();
  await fs.rm(dir, { recursive: true, force: true });
};
stopOnInterrupt(stopAll);
try {
  const summary = await seedBenchJobs(stack, Number(values.jobs));
  const queries = await makeQueries(stack);
  hives.push(...(await startHives(stack, await writeSupergraph(stack, dir), withRust)));
  const gateways: Gateway[] = [
    { name: 'ours', url: stack.urls.gateway!, pid: pidOfPort(Number(new URL(stack.urls.gateway!).port)) },
    { name: `Hive ${hiveVersion}`, url: hives[0]!.url, pid: hives[0]!.pid },
    ...(withRust ? [{ name: `Hive ${hiveVersion} + Rust QP`, url: hives[1]!.url, pid: hives[1]!.pid }] : []),
  ];
  if (cpuProfDir) console.log(`CPU profiles go to ${cpuProfDir} when the run ends; our gateway's is the one named with pid ${gateways[0]!.pid}`);
  await assertSameData(gateways, queries);
  console.log('warming up…');
  for (const gateway of gateways) for (const query of queries) await loadGraphQL('warm-up', gateway.url, query.bodies, { connections: 10, seconds: 3 });

  const measurements: Measurement[] = [];
  const loadBefore = loadAverage();
  for (let round = 1; round <= rounds; round += 1) {
    console.log(`round ${round} of ${rounds} (load average ${loadAverage()})`);
    // The order turns every other round, so that no gateway always follows another.
    const order = round % 2 === 1 ? gateways : [...gateways].reverse();
    for (const query of queries) for (const gateway of order) measurements.push(await measure(gateway, query, round));
  }
  const loadAfter = loadAverage();
  const { table, met } = summarize(measurements, gateways, queries);

  console.log(`\n${command}`);
  console.log(`date: ${new Date().toISOString()}; commit: ${execSync('git rev-parse HEAD', { cwd: repoRoot, encoding: 'utf8' }).trim()}`);
  console.log(`Machine: ${machineDescription()}; nproc ${execSync('nproc', { encoding: 'utf8' }).trim()}`);
  console.log(execSync('free -g', { encoding: 'utf8' }));
  console.log(
    `load average (1, 5, 15 min): ${loadBefore} before measuring, ${loadAfter} after${maxLoad === undefined ? '' : `; each measurement waited for the 1-minute average to fall to ${maxLoad}`}`,
  );
  console.log(
    `${summary.jobs} jobs; ${connections} connections, ${seconds} s per measurement, rounds: ${rounds}; ${queries.map((q) => `${q.name}: ${q.bodies.length} distinct requests`).join(', ')}\n`,
  );
  console.log(
    markdownTable(
      measurements.map((m) => m.result),
      { withP95: true },
    ),
  );
  console.log(`\n${table}\n`);
  console.log(`target (ours ≥ 1.0× the faster Hive in req/s, p99 no worse, no errors, on both queries): ${met ? 'met' : 'missed'}`);
  if (cpuProfDir) console.log(`(measured with --cpu-prof: our services ran under the profiler, Hive did not; these figures are not for the record)`);
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  await stopAll();
}
