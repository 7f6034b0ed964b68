// What one request costs each process on its way, for the benchmarks' "where the time goes": CPU
// time and time serving GraphQL from each process's /metrics, subgraph calls, and the transactions
// it committed in its database (every statement outside a transaction is one). Processes that serve
// no GraphQL (PostgreSQL, nats-server) are read by a function of their own, and with
// `idleBaseline` what every process spends in as long a window with no requests is taken off.
import type pg from 'pg';
import { postGraphQL } from '@jobplatform/testing';
import type { GraphQLBody, LoadResult } from './bench-stack.js';
import { pidOfPort, processTreeCpuSeconds, procSample } from './hive-gateway.js';

/** One process's counters from its /metrics: CPU seconds, GraphQL operations served and their seconds. */
export async function readProcessCounters(metricsUrl: string): Promise<{ cpu: number; operations: number; operationSeconds: number }> {
  const text = await (await fetch(metricsUrl)).text();
  const total = (metric: string) =>
    text
      .split('\n')
      .filter((line) => line.startsWith(`${metric}{`) || line.startsWith(`${metric} `))
      .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
  return {
    cpu: total('process_cpu_seconds_total'),
    operations: total('graphql_operation_duration_seconds_count'),
    operationSeconds: total('graphql_operation_duration_seconds_sum'),
  };
}

/** What one request of an operation cost one process: CPU, and for a service its subgraph calls, time serving GraphQL and statements. */
export type ProfileRow = { operation: string; process: string; calls: number | undefined; cpuMs: number; servedMs: number | undefined; statements: number | undefined };

/**
 * A process on the requests' way: a service (its /metrics and, with `db`, its database's
 * transactions), or any other process whose CPU seconds so far `cpu` reads.
 */
export type ProfiledProcess = { name: string; url: string; db?: pg.Client } | ProcessCpu;
/** A process read from outside: the CPU seconds it has used so far. */
export type ProcessCpu = { name: string; cpu: () => Promise<number> };

type Counters = { cpu: number; operations: number; operationSeconds: number; transactions: number };

/** A service's /metrics, beside its /graphql. */
const metricsUrlOf = (graphqlUrl: string) => graphqlUrl.replace(/\/graphql$/, '/metrics');

/** The process listening on a URL's port (nats-server, a gateway of another make), by its CPU in /proc. */
export function processAt(name: string, url: string): ProcessCpu {
  const pid = pidOfPort(Number(new URL(url).port));
  return { name, cpu: async () => (await procSample(pid)).cpuSeconds };
}

/** PostgreSQL serving a database URL: its postmaster and every backend, those that exited included. */
export function postgresAt(databaseUrl: string): ProcessCpu {
  const postmaster = pidOfPort(Number(new URL(databaseUrl).port));
  return { name: 'PostgreSQL', cpu: () => processTreeCpuSeconds(postmaster) };
}

/** This process: the load generator of a benchmark. */
export const loadGenerator: ProcessCpu = {
  name: 'load generator',
  cpu: async () => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1e6;
  },
};

async function readCounters(entry: ProfiledProcess): Promise<Counters> {
  if ('cpu' in entry) return { cpu: await entry.cpu(), operations: 0, operationSeconds: 0, transactions: 0 };
  return {
    ...(await readProcessCounters(metricsUrlOf(entry.url))),
    transactions: entry.db
      ? Number((await entry.db.query<{ n: string }>('SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = current_database()')).rows[0]!.n)
      : 0,
  };
}

/** CPU seconds used so far by each process: a service's from its /metrics, any other's from its `cpu`. */
function readCpuSeconds(processes: readonly ProfiledProcess[]): Promise<number[]> {
  return Promise.all(processes.map(async (entry) => ('cpu' in entry ? entry.cpu() : (await readProcessCounters(metricsUrlOf(entry.url))).cpu)));
}

/**
 * Runs one load measurement (`seconds` long) and returns its result with the CPU each process spent
 * per request answered, in ms, in the order of `processes`.
 */
export async function withCpuPerRequest(
  processes: readonly ProfiledProcess[],
  seconds: number,
  load: () => Promise<LoadResult>,
): Promise<{ result: LoadResult; msPerRequest: number[] }> {
  const before = await readCpuSeconds(processes);
  const result = await load();
  const after = await readCpuSeconds(processes);
  const answered = result.requestsPerSecond * seconds;
  return { result, msPerRequest: processes.map((_, i) => ((after[i]! - before[i]!) * 1000) / answered) };
}

/**
 * Sends `requests` of one operation one after another through the gateway (given a list of bodies,
 * each request the next) and returns, per process, what each request cost: subgraph calls, CPU
 * time, time serving GraphQL, and SQL statements in its database (transactions committed: every
 * read outside a transaction is one). PostgreSQL's statistics reach pg_stat_database within a
 * second of a transaction's end, and the events a request published are consumed within about as
 * long, hence the pause. With `idleBaseline`, the counters are also read over an equally long window
 * right after, with no requests, and what each process spent in it (a relay's polls, PostgreSQL's
 * background work) is taken off.
 */
export async function profileOperation(
  label: string,
  gatewayUrl: string,
  body: GraphQLBody | readonly GraphQLBody[],
  token: string | undefined,
  processes: readonly ProfiledProcess[],
  requests: number,
  options: { idleBaseline?: boolean } = {},
): Promise<{ rows: ProfileRow[]; msPerRequest: number }> {
  const bodies = Array.isArray(body) ? body : [body];
  const read = () => Promise.all(processes.map(readCounters));
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const PAUSE_MS = 1_500;
  await sleep(PAUSE_MS);
  const before = await read();
  const started = performance.now();
  for (let i = 0; i < requests; i += 1) {
    const response = await postGraphQL(gatewayUrl, bodies[i % bodies.length]!, token ? { token } : {});
    if (response.errors) throw new Error(`${label}: ${JSON.stringify(response.errors)}`);
  }
  const sendingMs = performance.now() - started;
  await sleep(PAUSE_MS);
  const after = await read();
  const windowMs = performance.now() - started;
  // The same length of time with no requests (after the window, whose events are consumed by then).
  let idle: { from: Counters[]; to: Counters[] } | undefined;
  if (options.idleBaseline) {
    const from = await read();
    await sleep(windowMs);
    idle = { from, to: await read() };
  }
  const spent = (i: number, pick: (counters: Counters) => number) => pick(after[i]!) - pick(before[i]!) - (idle ? pick(idle.to[i]!) - pick(idle.from[i]!) : 0);
  return {
    msPerRequest: sendingMs / requests,
    rows: processes.map((entry, i) => {
      const service = !('cpu' in entry);
      return {
        operation: label,
        process: entry.name,
        calls: service ? spent(i, (c) => c.operations) / requests : undefined,
        cpuMs: (spent(i, (c) => c.cpu) * 1000) / requests,
        servedMs: service ? (spent(i, (c) => c.operationSeconds) * 1000) / requests : undefined,
        // Less the reading itself: one transaction per read (two windows read twice as often).
        statements: service && entry.db ? (spent(i, (c) => c.transactions) - (idle ? 0 : 1)) / requests : undefined,
      };
    }),
  };
}

/** The rows as a Markdown table. */
export function profileTable(rows: ProfileRow[]): string {
  return [
    '| operation | process | subgraph calls | CPU ms | serving GraphQL ms | SQL statements |',
    '|---|---|---:|---:|---:|---:|',
    ...rows.map(
      (row) =>
        `| ${row.operation} | ${row.process} | ${row.process === 'gateway' || row.calls === undefined ? '' : row.calls.toFixed(1)} | ${row.cpuMs.toFixed(2)} | ${row.servedMs === undefined ? '' : row.servedMs.toFixed(1)} | ${row.statements === undefined ? '' : row.statements.toFixed(1)} |`,
    ),
  ].join('\n');
}
