// Shared by the benchmarks: a throw-away platform (embedded PostgreSQL + services as separate
// processes, like production), a load runner, and machine facts for the report.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { Kind, parse } from 'graphql';
import pg from 'pg';
import { applyMigrations, provisionServiceDatabase, serviceSchema } from '@jobplatform/database';
import { HOP_MAX_AGE_MS } from '@jobplatform/service-runtime';
import { postGraphQL, signedAsGateway, type GraphQLResponse } from '@jobplatform/testing';
import { startMailCatcher } from '@jobplatform/mail/catcher';
import { findFreePort, startEmbeddedPostgres, startNatsServer } from '@jobplatform/embedded-infra';
import { databaseRole, envPrefix, gatewayDefinition, serviceRegistry } from '@jobplatform/config';
import { natsPasswordVariable, natsServerConfig, natsUrlWithCredentials } from '@jobplatform/events';
import { compileTrustedDocuments, type TrustedDocumentManifest } from '../../gateway/src/trusted-documents.js';
import { repoRoot } from '../src/dev-stack-env.js';
import { databaseUrlVariable, gatewayService, subgraphServices, type PlatformService } from '../src/platform-services.js';
import { loadDevNatsPasswords, loadDevSecrets } from '../src/dev-keys.js';

export type BenchStack = {
  urls: Record<string, string>;
  env: NodeJS.ProcessEnv;
  /** NATS_URL with a service's credentials, for a service run inside the benchmark (the seed's users). */
  natsUrlOf(service: string): string;
  /** GATEWAY_HOP_SECRET: signs calls made straight to a subgraph (loadGraphQL's hopSecret, postDirect). */
  hopSecret: string;
  /**
   * The cluster's superuser, for what a service's role may not read: other roles' sessions in
   * pg_stat_activity (their kind, their query), autovacuum workers among them.
   */
  adminDatabaseUrl: string;
  stop(): Promise<void>;
};

/**
 * Builds what the benchmarks start (dist/ of every service and package), as `npm start` does:
 * turbo rebuilds only what changed since the last build.
 */
export function buildServices(): void {
  console.log('building (npx turbo run build)…');
  const result = spawnSync('npx', ['turbo', 'run', 'build', '--output-logs=errors-only'], { cwd: repoRoot, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`the build failed (npx turbo run build exited with ${result.status ?? result.signal}); fix it, or build otherwise and pass --no-build`);
}

/**
 * Polls `count` every 5 s, saying how much is left, until it has counted nothing `readings` times
 * in a row (more than once where what it reads is cached for a few seconds).
 */
async function waitUntilNone(count: () => Promise<number>, left: (n: number) => string, readings = 1): Promise<void> {
  for (let empty = 0; ;) {
    const n = await count();
    empty = n === 0 ? empty + 1 : 0;
    if (empty >= readings) return;
    if (n > 0) console.log(`  waiting for ${left(n)}`);
    await new Promise((resolve) => setTimeout(resolve, 5_000));
  }
}

/** Polls `countSql` in a database until it counts nothing (waitUntilNone). */
async function waitUntilNoneLeft(databaseUrl: string, countSql: string, left: (n: number) => string): Promise<void> {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    await waitUntilNone(async () => (await db.query<{ n: number }>(countSql)).rows[0]!.n, left);
  } finally {
    await db.end();
  }
}

/** Waits until a service's relay has published everything in its outbox (what a seed wrote). */
export const waitForOutbox = (databaseUrl: string, service: string) =>
  waitUntilNoneLeft(databaseUrl, 'SELECT count(*)::int AS n FROM event_outbox WHERE published_at IS NULL', (n) => `the ${service} relay: ${n} events to publish`);

/**
 * Waits until a service's mail courier has sent what its send queue holds (users' verification
 * mails for accounts a benchmark registered), so that no courier competes with the measurement.
 */
export const waitForMailQueue = (databaseUrl: string, service: string) =>
  waitUntilNoneLeft(databaseUrl, "SELECT count(*)::int AS n FROM outbound_mail WHERE status = 'pending'", (n) => `the ${service} mail courier: ${n} mails to send`);

/** Metrics of a Prometheus /metrics page, each summed over its labels, added together; the page is read once. */
export async function metricSum(metricsUrl: string, ...metrics: string[]): Promise<number> {
  const text = await (await fetch(metricsUrl)).text();
  return text
    .split('\n')
    .filter((line) => metrics.some((metric) => line.startsWith(`${metric}{`) || line.startsWith(`${metric} `)))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

/** Every subgraph's database URL on the stack (one PostgreSQL cluster, a database per service). */
export const stackDatabaseUrls = (stack: BenchStack): string[] => subgraphServices.map((service) => stack.env[databaseUrlVariable(service.name)]!);

/**
 * Waits until every subgraph's event consumers have applied what the streams hold
 * (event_consumer_pending and event_consumer_ack_pending of each /metrics at 0 in two readings 5 s
 * apart; the consumers cache their lag for a few seconds): what a benchmark's seeding published
 * (applications' events fan out to notifications, search and analytics) is otherwise still being
 * applied while requests are timed.
 */
export function waitForConsumers(stack: BenchStack): Promise<void> {
  const metricsUrls = subgraphServices.map((service) => stack.urls[service.name]!.replace(/\/graphql$/, '/metrics'));
  const backlog = async () => {
    let sum = 0;
    for (const url of metricsUrls) sum += await metricSum(url, 'event_consumer_pending', 'event_consumer_ack_pending');
    return sum;
  };
  return waitUntilNone(backlog, (n) => `the services' event consumers: ${n} events to apply`, 2);
}

/**
 * Vacuums and analyzes every table of each database, so that what a benchmark wrote before it
 * measures (its data, and the event phases' inserts and count updates) does not leave autovacuum
 * working through it while requests are timed, its CPU counted as theirs, nor plans made on
 * statistics of an emptier table. A platform in use has its autovacuum keeping up; a benchmark
 * that has just written tens of thousands of rows has not.
 */
export async function settleDatabases(databaseUrls: readonly string[]): Promise<void> {
  for (const url of databaseUrls) {
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    try {
      await db.query('VACUUM (ANALYZE)');
    } finally {
      await db.end();
    }
  }
}

/**
 * Samples the cluster's running autovacuum workers every 250 ms until stop(), which returns each
 * table seen (database.table) with the share of samples it was seen in: autovacuum's CPU counts in
 * PostgreSQL's per-request figures when it runs during a measurement. It connects as the cluster's
 * superuser (`adminDatabaseUrl`): a service's role sees other roles' sessions, autovacuum workers
 * included, without their kind or query.
 */
export async function watchAutovacuum(adminDatabaseUrl: string): Promise<{ stop(): Promise<string> }> {
  const db = new pg.Client({ connectionString: adminDatabaseUrl });
  await db.connect();
  db.on('error', () => undefined);
  const seen = new Map<string, number>();
  let samples = 0;
  let running = true;
  const sampling = (async () => {
    while (running) {
      const { rows } = await db.query<{ what: string }>(
        `SELECT datname || '.' || coalesce(substring(query from 'autovacuum: (?:VACUUM ANALYZE|VACUUM|ANALYZE) (?:\\S+\\.)?(\\S+)'), '?') AS what
         FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'`,
      );
      samples += 1;
      for (const { what } of rows) seen.set(what, (seen.get(what) ?? 0) + 1);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  })();
  return {
    async stop() {
      running = false;
      await sampling;
      await db.end();
      if (seen.size === 0) return 'none';
      return [...seen].map(([what, n]) => `${what} ${Math.round((100 * n) / samples)} %`).join(', ');
    },
  };
}

/** Node's arguments for the services under --cpu-prof DIR: each writes a V8 CPU profile there when it stops. */
export function cpuProfileArgs(dir: string | undefined): string[] {
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(dir)}`] : [];
}

/** On Ctrl-C or SIGTERM to the benchmark alone: stops what it started (services, PostgreSQL, helpers), then exits. */
export function stopOnInterrupt(stop: () => Promise<unknown>): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void stop().finally(() => process.exit(130)));
}

/** Sends SIGTERM to a process the benchmark started and waits until it has exited. */
export function stopChild(child: ChildProcess): Promise<void> {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/**
 * Waits up to two minutes (a busy machine starts slowly) until `answer` says a service is ready,
 * or until its process exits. `answer` returns undefined when ready, else what it saw instead.
 */
async function waitUntilAnswered(name: string, url: string, child: ChildProcess, answer: () => Promise<string | undefined>): Promise<void> {
  const until = Date.now() + 120_000;
  let last = 'no answer';
  while (Date.now() < until) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${name} exited (${child.exitCode ?? child.signalCode}) before it was ready; its log is above`);
    try {
      const notReady = await answer();
      if (notReady === undefined) return;
      last = notReady;
    } catch {
      // starting
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${name} was not ready within two minutes (${url}: ${last})`);
}

/**
 * Starts a production process of a service (its built entry, with its Node options and then
 * `nodeArgs`) with `env`, listening on `port`: `ready` settles once its /readyz answers (or it
 * exits). Stop the child with stopChild.
 */
export function spawnService(service: PlatformService, env: NodeJS.ProcessEnv, port: number, nodeArgs: string[] = []): { child: ChildProcess; ready: Promise<void> } {
  const child = spawn(process.execPath, [...service.nodeArgs, ...nodeArgs, path.join(repoRoot, service.entry)], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  return { child, ready: waitForReady(service.name, `http://127.0.0.1:${port}/readyz`, child) };
}

/** Waits up to two minutes for a service's /readyz, or until it exits. */
export function waitForReady(name: string, url: string, child: ChildProcess): Promise<void> {
  return waitUntilAnswered(name, url, child, async () => {
    const response = await fetch(url);
    return response.ok ? undefined : `${response.status} ${(await response.text()).slice(0, 300)}`;
  });
}

/**
 * Waits until the gateway executes a query. Its /readyz answers as soon as it listens and the
 * subgraphs answer, before it has loaded the supergraph and mounted /graphql: a first request
 * then came back without data (issue #15).
 */
function waitForGatewayQueries(url: string, child: ChildProcess): Promise<void> {
  return waitUntilAnswered('gateway', url, child, async () => {
    const response = await postGraphQL(url, { query: '{ __typename }' });
    return response.data?.__typename === 'Query' ? undefined : describeResponse(response);
  });
}

/**
 * Starts a second gateway over the stack's subgraphs, with `nodeArgs` as its Node options and `env`
 * added to the stack's environment (a side-by-side measurement of those options, or of another
 * supergraph with SUPERGRAPH_PATH), and waits until it executes a query.
 */
export async function startGatewayBeside(
  stack: BenchStack,
  nodeArgs: readonly string[] = gatewayService.nodeArgs,
  env: NodeJS.ProcessEnv = {},
): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await findFreePort();
  const { child, ready } = spawnService({ ...gatewayService, nodeArgs }, { ...stack.env, ...env, GATEWAY_PORT: String(port) }, port);
  const url = `http://127.0.0.1:${port}/graphql`;
  try {
    await ready;
    await waitForGatewayQueries(url, child);
  } catch (error) {
    await stopChild(child);
    throw error;
  }
  return { url, stop: () => stopChild(child) };
}

/**
 * What PostgreSQL keeps per statement when a benchmark asks for it (--statements): pg_stat_statements
 * with planning counted, so that a statement planned on every call shows as plans ≈ calls.
 */
export const statementStatisticsSettings = { shared_preload_libraries: 'pg_stat_statements', 'pg_stat_statements.track_planning': 'on' };

/** Starts every built service (npm run build first) on free ports over fresh databases. */
export async function startBenchStack(extraEnv: NodeJS.ProcessEnv = {}, nodeArgs: string[] = [], postgresSettings: Record<string, string> = {}): Promise<BenchStack> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'jobplatform-bench-'));
  await fs.chmod(dir, 0o755);
  const postgres = await startEmbeddedPostgres({ dataDir: path.join(dir, 'postgres'), port: await findFreePort(), persistent: false, settings: postgresSettings });
  // Each service on its own NATS identity, as in production; passwords made afresh for the run.
  // The gateway too: its subscriptions listen on NATS as a subscribe-only user of its own.
  const natsIdentities = [...serviceRegistry.map((service) => service.name), gatewayDefinition.name];
  const natsPasswords = await loadDevNatsPasswords(dir, natsIdentities);
  const natsConfig = natsServerConfig({ services: serviceRegistry, listeners: [gatewayDefinition], passwords: natsPasswords.services, adminPassword: natsPasswords.admin });
  const nats = await startNatsServer({ port: await findFreePort(), storeDir: path.join(dir, 'nats'), config: natsConfig });
  // Production sends mail (users' verification mail, notifications' emails) to an SMTP server.
  const mail = await startMailCatcher({ dir: path.join(dir, 'mail') });
  const children: ChildProcess[] = [];
  const stop = async () => {
    await Promise.all(children.map(stopChild));
    await nats.stop();
    await mail.stop();
    await postgres.stop();
    await fs.rm(dir, { recursive: true, force: true });
  };
  const secrets = await loadDevSecrets(dir);
  const ports = new Map<string, number>();
  for (const service of [...subgraphServices, gatewayService]) ports.set(service.name, await findFreePort());
  const usersPort = ports.get('users')!;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    NATS_URL: nats.url,
    ...Object.fromEntries(natsIdentities.map((name) => [natsPasswordVariable(name), natsPasswords.services[name]])),
    JWT_PRIVATE_KEY: secrets.jwtPrivateKey,
    FIELD_ENCRYPTION_KEY: secrets.fieldEncryptionKey,
    JWKS_URL: `http://127.0.0.1:${usersPort}/.well-known/jwks.json`,
    GATEWAY_PORT: String(ports.get('gateway')),
    // Settings production refuses to start without: the secret the gateway signs its calls to
    // subgraphs with, and the key of applications' upload and download links (local storage).
    GATEWAY_HOP_SECRET: randomBytes(32).toString('base64'),
    APPLICATIONS_UPLOAD_SIGNING_SECRET: randomBytes(32).toString('base64url'),
    APPLICATIONS_BLOB_DIR: path.join(dir, 'attachments'),
    SMTP_URL: mail.url,
    // The benchmarks register thousands of accounts from this one address.
    REGISTRATIONS_PER_ADDRESS_PER_HOUR: '0',
    ...extraEnv,
  };
  const urls: Record<string, string> = {};
  for (const service of subgraphServices) {
    // As in production, each service logs in as its own role; its password made afresh for the run.
    const access = { database: service.database!, role: databaseRole(service.name), password: randomBytes(18).toString('base64url') };
    env[databaseUrlVariable(service.name)] = (await provisionServiceDatabase(postgres.urlFor('postgres'), access)).url;
    await applyMigrations(env[databaseUrlVariable(service.name)]!, serviceSchema(path.join(repoRoot, 'prisma'), service.name));
    env[`${envPrefix(service.name)}_PORT`] = String(ports.get(service.name));
    env[`${envPrefix(service.name)}_SUBGRAPH_URL`] = `http://127.0.0.1:${ports.get(service.name)}/graphql`;
    urls[service.name] = env[`${envPrefix(service.name)}_SUBGRAPH_URL`]!;
  }
  urls.gateway = `http://127.0.0.1:${ports.get('gateway')}/graphql`;

  const launch = (service: PlatformService) => {
    const { child, ready } = spawnService(service, env, ports.get(service.name)!, nodeArgs);
    children.push(child);
    return ready.then(() => child);
  };
  try {
    await Promise.all(subgraphServices.map(launch));
    await waitForGatewayQueries(urls.gateway, await launch(gatewayService));
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    urls,
    env,
    hopSecret: env.GATEWAY_HOP_SECRET!,
    adminDatabaseUrl: postgres.urlFor('postgres'),
    natsUrlOf: (service) => natsUrlWithCredentials(nats.url, service, natsPasswords.services[service]!),
    stop,
  };
}

/** One request straight to a subgraph, signed as the gateway would sign it. */
export function postDirect(stack: BenchStack, url: string, body: GraphQLBody, token?: string) {
  const headers = signedAsGateway(stack.hopSecret, url, JSON.stringify(body), token ? { authorization: `Bearer ${token}` } : {});
  return postGraphQL(url, body, { headers });
}

export type GraphQLBody = { query: string; variables?: Record<string, unknown> };

/** A floor server (floor-server.ts): its GraphQL URL, and how to stop it. */
export type FloorServer = { url: string; stop(): Promise<void> };

/**
 * Starts the floor server of a benchmark (floor-server.ts: `search` or `jobs`) as a process of its
 * own, like the service it is measured against, with a pool of `poolSize` connections to the
 * service's database, and waits until it answers.
 */
export async function startFloorServer(floor: 'search' | 'jobs', databaseUrl: string, poolSize = 4): Promise<FloorServer> {
  const port = await findFreePort();
  const child = spawn(process.execPath, ['--conditions=development', '--import', 'tsx', path.join(repoRoot, 'scripts/bench/floor-server.ts')], {
    env: { ...process.env, NODE_ENV: 'production', FLOOR: floor, FLOOR_DATABASE_URL: databaseUrl, FLOOR_PORT: String(port), FLOOR_POOL_SIZE: String(poolSize) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await waitForReady(`the ${floor} floor server`, `http://127.0.0.1:${port}/readyz`, child);
  return { url: `http://127.0.0.1:${port}/graphql`, stop: () => stopChild(child) };
}

export type LoadResult = { label: string; requestsPerSecond: number; p50: number; p95: number; p99: number; errors: number };

/** The arithmetic mean (NaN for no numbers). */
export const mean = (numbers: readonly number[]) => numbers.reduce((a, b) => a + b, 0) / numbers.length;

/** The mean of one figure over the measurements whose label starts with `prefix` (one path's rounds). */
export const meanOfRuns = (results: readonly LoadResult[], prefix: string, pick: (result: LoadResult) => number) =>
  mean(results.filter((result) => result.label.startsWith(prefix)).map(pick));

/** The p-th percentile (0 to 100) of values sorted in ascending order: the value that p % of them do not exceed. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/**
 * POSTs a GraphQL operation as fast as `connections` clients can for `seconds`. Given a list of
 * bodies, each request takes the next one (all connections share the list), so that requests
 * differ and no cache or repeated plan flatters the figure. `hopSecret` signs the requests as the
 * gateway signs its calls, for measuring a subgraph directly: production subgraphs refuse unsigned
 * calls. The signatures are made before the measurement starts, so it must end before they expire.
 * Latencies are every response's, in ms; a 200 whose body carries GraphQL errors counts as an error.
 */
export async function loadGraphQL(
  label: string,
  url: string,
  body: GraphQLBody | readonly GraphQLBody[],
  options: { connections: number; seconds: number; token?: string; hopSecret?: string },
): Promise<LoadResult> {
  if (options.hopSecret && options.seconds * 1000 > HOP_MAX_AGE_MS - 10_000) throw new Error(`a signed measurement must be shorter than ${(HOP_MAX_AGE_MS - 10_000) / 1000} s`);
  const prepared = (Array.isArray(body) ? body : [body]).map((one: GraphQLBody) => {
    const text = JSON.stringify(one);
    const headers = signedAsGateway(options.hopSecret, url, text, {
      'content-type': 'application/json',
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
    });
    return { text, headers };
  });
  let next = 0;
  let graphqlErrors = 0;
  const latencies: number[] = [];
  const run = autocannon({
    url,
    method: 'POST',
    connections: options.connections,
    duration: options.seconds,
    headers: prepared[0]!.headers,
    body: prepared[0]!.text,
    requests: [
      {
        setupRequest: (request) => {
          const { text, headers } = prepared[next % prepared.length]!;
          next += 1;
          return { ...request, headers, body: text };
        },
        // An error's key can only be a key here: inside a JSON string its quotes are escaped.
        onResponse: (status, responseBody) => {
          if (status === 200 && responseBody.includes('"errors":[')) graphqlErrors += 1;
        },
      },
    ],
  });
  run.on('response', (_client, _status, _bytes, ms) => latencies.push(ms));
  const result = await run;
  if (latencies.length === 0)
    console.warn(`${label}: no response in ${options.seconds} s (${result.requests.sent} requests sent, ${result.errors} errors, ${result.timeouts} timeouts)`);
  latencies.sort((a, b) => a - b);
  // To a tenth of a millisecond: at low concurrency a request takes a few, and whole milliseconds
  // would move a ratio of two latencies in steps of a third.
  const tenths = (ms: number) => Math.round(ms * 10) / 10;
  return {
    label,
    requestsPerSecond: Math.round(result.requests.average),
    p50: tenths(percentile(latencies, 50)),
    p95: tenths(percentile(latencies, 95)),
    p99: tenths(percentile(latencies, 99)),
    errors: result.errors + result.non2xx + result.timeouts + graphqlErrors,
  };
}

let trustedDocuments: TrustedDocumentManifest | undefined;

/**
 * An operation of the project's client operations (schema/operations/<file>.graphql) with the
 * fragments it uses: the trusted document the gateway knows by that name, as clients send it.
 */
export function clientOperation(file: string, name: string): string {
  const source = parse(readFileSync(new URL(`../../schema/operations/${file}.graphql`, import.meta.url), 'utf8'));
  const defined = source.definitions.some((d) => d.kind === Kind.OPERATION_DEFINITION && d.name?.value === name);
  const document = (trustedDocuments ??= compileTrustedDocuments()).operations.find((operation) => operation.name === name);
  if (!defined || !document) throw new Error(`schema/operations/${file}.graphql has no operation ${name}`);
  return document.body;
}

/** A response's HTTP status and body (cut to 1,000 characters), for an error message. */
function describeResponse(response: GraphQLResponse<unknown>): string {
  const { data, errors } = response;
  return `HTTP ${response.status}: ${JSON.stringify({ errors, data }).slice(0, 1000)}`;
}

/**
 * The data of a setup request's response (an account registered, a sign-in, a job created), or an
 * Error that shows the response when it carries errors or no data: a benchmark that cannot set
 * up says why, instead of failing later with a TypeError on `data`.
 */
export function dataOf<T>(what: string, response: GraphQLResponse<T>): T {
  if (response.errors?.length || response.data == null) throw new Error(`${what} failed: ${describeResponse(response)}`);
  return response.data;
}

/** Signs in through the gateway (the client operation Login) and returns the access token. */
export async function signIn(gatewayUrl: string, email: string, password: string): Promise<string> {
  const response = await postGraphQL(gatewayUrl, { query: clientOperation('users', 'Login'), variables: { email, password } });
  return dataOf(`login ${email}`, response).login.accessToken as string;
}

/** The 1, 5 and 15-minute load averages, for the report: the machines are shared. */
export const loadAverage = () =>
  os
    .loadavg()
    .map((n) => n.toFixed(2))
    .join(', ');

/** Waits, up to 15 minutes, until the 1-minute load average is at most `limit` (--max-load); at once without one. */
export async function waitForQuiet(limit: number | undefined): Promise<void> {
  if (limit === undefined) return;
  const until = Date.now() + 15 * 60_000;
  let said = 0;
  while (os.loadavg()[0]! > limit && Date.now() < until) {
    if (Date.now() - said > 30_000) {
      console.log(`  waiting for the load average to fall to ${limit}: ${loadAverage()}`);
      said = Date.now();
    }
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  }
}

/** The machine's CPU time so far, in clock ticks: all of it, and what the hypervisor gave to other guests (steal); undefined off Linux. */
function cpuTicks(): { total: number; steal: number } | undefined {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
    return { total: fields.reduce((sum, ticks) => sum + ticks, 0), steal: fields[7] ?? 0 };
  } catch {
    return undefined;
  }
}

const ticksAtStart = cpuTicks();

/**
 * The share of the machine's CPU time that the hypervisor gave to other guests since this script
 * started (steal), e.g. "18%"; on these shared virtual machines it moves every figure, and the load
 * average does not show it.
 */
function stolenCpuShare(): string {
  const now = cpuTicks();
  if (!ticksAtStart || !now || now.total === ticksAtStart.total) return 'unknown';
  return `${Math.round((100 * (now.steal - ticksAtStart.steal)) / (now.total - ticksAtStart.total))}%`;
}

export function machineDescription(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}, ${os.platform()} ${os.release()}; CPU taken by the host (steal) since the script started: ${stolenCpuShare()}`;
}

/** The results as a Markdown table; `withP95` adds the 95th percentile between p50 and p99. */
export function markdownTable(results: LoadResult[], options: { withP95?: boolean } = {}): string {
  const p95 = (text: string) => (options.withP95 ? text : '');
  const rows = results.map((r) => `| ${r.label} | ${r.requestsPerSecond} | ${r.p50} | ${p95(`${r.p95} | `)}${r.p99} | ${r.errors} |`);
  return [`| run | req/s | p50 ms | ${p95('p95 ms | ')}p99 ms | errors |`, `|---|---:|---:|${p95('---:|')}---:|---:|`, ...rows].join('\n');
}

/**
 * When each event of a phase is due, in ms after its first: through the warm-up the rate climbs
 * evenly from a tenth of `rate` to `rate` (or is `rate` throughout with `step`), then stays at `rate`.
 * A process that has served nothing yet (code not optimised, heaps small, pools empty) meets the
 * full rate only in the ramp's last seconds, as a service that comes up behind a load balancer does.
 */
export function publishSchedule(rate: number, warmUp: number, step: boolean): { warmUpEvents: number; dueMs(i: number): number } {
  const from = step ? rate : rate / 10;
  const warmUpEvents = Math.round(((from + rate) / 2) * warmUp);
  // Events due by t seconds into the warm-up: from·t + climb·t²; the i-th is due where that is i.
  const climb = warmUp > 0 ? (rate - from) / (2 * warmUp) : 0;
  return {
    warmUpEvents,
    dueMs(i) {
      if (i >= warmUpEvents) return (warmUp + (i - warmUpEvents) / rate) * 1000;
      if (climb === 0) return (i / rate) * 1000;
      return ((-from + Math.sqrt(from * from + 4 * climb * i)) / (2 * climb)) * 1000;
    },
  };
}
