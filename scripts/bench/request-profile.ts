// What one request costs each process on its way, for the benchmarks' "where the time goes": CPU
// time and time serving GraphQL from each process's /metrics, subgraph calls, and the transactions
// it committed in its database (every statement outside a transaction is one).
import type pg from 'pg';
import { postGraphQL } from '@jobplatform/testing';
import type { GraphQLBody } from './bench-stack.js';

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

export type ProfileRow = { operation: string; process: string; calls: number; cpuMs: number; servedMs: number; statements: number | undefined };

/**
 * Sends `requests` of one operation one after another through the gateway (given a list of bodies,
 * each request the next) and returns, per process, what each request cost: subgraph calls, CPU
 * time, time serving GraphQL, and SQL statements in its database (transactions committed: every
 * read outside a transaction is one). PostgreSQL's statistics reach pg_stat_database within a
 * second of a transaction's end, hence the pause.
 */
export async function profileOperation(
  label: string,
  gatewayUrl: string,
  body: GraphQLBody | readonly GraphQLBody[],
  token: string | undefined,
  processes: { name: string; url: string; db?: pg.Client }[],
  requests: number,
): Promise<{ rows: ProfileRow[]; msPerRequest: number }> {
  const bodies = Array.isArray(body) ? body : [body];
  const read = () =>
    Promise.all(
      processes.map(async (service) => ({
        ...(await readProcessCounters(service.url.replace(/\/graphql$/, '/metrics'))),
        transactions: service.db
          ? Number((await service.db.query<{ n: string }>('SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = current_database()')).rows[0]!.n)
          : 0,
      })),
    );
  const pause = () => new Promise((resolve) => setTimeout(resolve, 1_500));
  await pause();
  const before = await read();
  const started = performance.now();
  for (let i = 0; i < requests; i += 1) {
    const response = await postGraphQL(gatewayUrl, bodies[i % bodies.length]!, token ? { token } : {});
    if (response.errors) throw new Error(`${label}: ${JSON.stringify(response.errors)}`);
  }
  const msPerRequest = (performance.now() - started) / requests;
  await pause();
  const after = await read();
  return {
    msPerRequest,
    rows: processes.map((service, i) => ({
      operation: label,
      process: service.name,
      calls: (after[i]!.operations - before[i]!.operations) / requests,
      cpuMs: ((after[i]!.cpu - before[i]!.cpu) * 1000) / requests,
      servedMs: ((after[i]!.operationSeconds - before[i]!.operationSeconds) * 1000) / requests,
      // Less the reading itself: one transaction per read.
      statements: service.db ? (after[i]!.transactions - before[i]!.transactions - 1) / requests : undefined,
    })),
  };
}

/** The rows as a Markdown table. */
export function profileTable(rows: ProfileRow[]): string {
  return [
    '| operation | process | subgraph calls | CPU ms | serving GraphQL ms | SQL statements |',
    '|---|---|---:|---:|---:|---:|',
    ...rows.map(
      (row) =>
        `| ${row.operation} | ${row.process} | ${row.process === 'gateway' ? '' : row.calls.toFixed(1)} | ${row.cpuMs.toFixed(1)} | ${row.servedMs.toFixed(1)} | ${row.statements === undefined ? '' : row.statements.toFixed(1)} |`,
    ),
  ].join('\n');
}
