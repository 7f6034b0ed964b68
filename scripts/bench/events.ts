// The event backbone's figures (docs/benchmarks.md, "Events"). Every phase runs the whole path on a
// fresh database and a fresh USERS stream: outbox insert committed by a writer -> relay (locks the
// rows, publishes to JetStream with msgID, marks them published) -> durable pull consumer ->
// handler + processed_events row in one committed transaction.
//  0. writers alone: what --writers connections committing one event per transaction back to back
//     reach with no relay or consumer running, the ceiling for phase 2 at that moment;
//  1. drain: --events already committed to the outbox; the relay and consumer start; events/s until
//     the consumer's transaction for the last one has committed;
//  2. closed loop: --writers connections (each count of the list), each committing transactions back
//     to back for --seconds (one event per transaction, then ten), while the relay and consumer
//     run; events/s committed and applied, and the backlog when the writers stop;
//  3. open loop: transactions started at a steady rate (--rates, events/s, one event per
//     transaction, as requests arriving at a service; as many at once as the pool's 30 connections
//     allow), for --seconds; achieved rate, and commit -> consumed latency, from the writer's
//     COMMIT returning to the consumer's transaction committing; and how long the writers' own
//     transactions took, which shows when the machine itself (CPU, fsync) was slow.
// Everything runs on this machine: embedded PostgreSQL (fsync and synchronous_commit on) and a
// nats-server (file storage) on free ports in a temporary folder; writers, relay and consumer in
// this process, as in one service replica.
//
//   node --conditions=development --import tsx scripts/bench/events.ts [--events 20000] [--seconds 10]
//        [--writers 8,16] [--rates 500,2000] [--phases writers,drain,closed,open] [--repeat 1]
//        [--baseline <git revision>] [--profile]
//
// --baseline REV runs every phase also with packages/events/src as it was at REV (extracted with
// git archive into node_modules/.cache), alternating the two implementations phase by phase, so
// that both see the same machine. --repeat N runs everything N times and reports the median and
// the range. Every phase reports the CPU of this process, PostgreSQL and nats-server, and of
// everything else on the machine (Linux). --profile adds commits by kind, consumer batching, WAL
// flushes, relay rounds, NOTIFYs and pg_stat_statements (PostgreSQL restarted with it preloaded).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { findFreePort, startEmbeddedPostgres, startNatsServer } from '@jobplatform/embedded-infra';
import type { EventConsumer, OutboxRelay, TransactionRunner } from '@jobplatform/events';
import type { NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { sourcesAtRevision } from './baseline-sources.js';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '20000' },
    seconds: { type: 'string', default: '10' },
    writers: { type: 'string', default: '8,16' },
    rates: { type: 'string', default: '500,2000' },
    phases: { type: 'string', default: 'writers,drain,closed,open' },
    repeat: { type: 'string', default: '1' },
    baseline: { type: 'string' },
    profile: { type: 'boolean', default: false },
  },
});
const drainEvents = Number(values.events);
const seconds = Number(values.seconds);
const writerCounts = values.writers.split(',').map(Number);
const rates = values.rates.split(',').map(Number);
const phases = new Set(values.phases.split(','));
const repeat = Number(values.repeat);
const profile = values.profile;

type EventsModule = typeof import('@jobplatform/events');
type Implementation = { name: string; events: EventsModule };

/** packages/events/src as it was at `revision`. */
async function loadBaseline(revision: string): Promise<Implementation> {
  const { commit, dir } = await sourcesAtRevision(revision, 'packages/events/src', 'events-bench');
  return { name: `baseline ${commit}`, events: (await import(pathToFileURL(path.join(dir, 'index.ts')).href)) as EventsModule };
}

const implementations: Implementation[] = [];
if (values.baseline) implementations.push(await loadBaseline(values.baseline));
implementations.push({ name: values.baseline ? 'this tree' : 'result', events: await import('@jobplatform/events') });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const user = (i: number) => ({ userId: String(i), username: `user_${i}`, email: `user_${i}@example.com`, userType: 'job_seeker' as const, isActive: true, isVerified: false });

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

// ---- CPU accounting (Linux /proc; silently absent elsewhere) ----------------------------------

const ticksPerSecond = 100; // USER_HZ on Linux
type CpuSample = { at: number; node: number; postgres: number; nats: number; machineBusy: number };

function readProcStat(pid: string): { comm: string; ppid: string; own: number; reaped: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = text.lastIndexOf(')');
    const comm = text.slice(text.indexOf('(') + 1, close);
    const fields = text.slice(close + 2).split(' ');
    // Fields after the name start at 3 (state): ppid 4, utime 14, stime 15, cutime 16, cstime 17.
    const at = (n: number) => Number(fields[n - 3]);
    return { comm, ppid: fields[1]!, own: (at(14) + at(15)) / ticksPerSecond, reaped: (at(16) + at(17)) / ticksPerSecond };
  } catch {
    return undefined;
  }
}

function sampleCpu(): CpuSample | undefined {
  if (!existsSync('/proc/stat')) return undefined;
  const stats = new Map<string, NonNullable<ReturnType<typeof readProcStat>>>();
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    const stat = readProcStat(pid);
    if (stat) stats.set(pid, stat);
  }
  const children = new Map<string, string[]>();
  for (const [pid, stat] of stats) children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), pid]);
  let postgres = 0;
  let nats = 0;
  const visit = (pid: string) => {
    for (const child of children.get(pid) ?? []) {
      const stat = stats.get(child)!;
      // A postmaster's reaped time holds the backends that exited (pools closed by an earlier phase).
      if (stat.comm === 'postgres') postgres += stat.own + (stats.get(stat.ppid)?.comm === 'postgres' ? 0 : stat.reaped);
      else if (stat.comm === 'nats-server') nats += stat.own;
      visit(child);
    }
  };
  visit(String(process.pid));
  const usage = process.cpuUsage();
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal
  const machineBusy = (cpu[0]! + cpu[1]! + cpu[2]! + cpu[5]! + cpu[6]! + cpu[7]!) / ticksPerSecond;
  return { at: performance.now(), node: (usage.user + usage.system) / 1e6, postgres, nats, machineBusy };
}

/** Shares of one core over the window: 100% = one core busy for the whole window. */
function cpuShares(from: CpuSample | undefined, to: CpuSample | undefined) {
  if (!from || !to) return undefined;
  const seconds = (to.at - from.at) / 1000;
  const share = (a: number, b: number) => (100 * (b - a)) / seconds;
  const node = share(from.node, to.node);
  const postgres = share(from.postgres, to.postgres);
  const nats = share(from.nats, to.nats);
  return { node, postgres, nats, other: Math.max(0, share(from.machineBusy, to.machineBusy) - node - postgres - nats) };
}

// ---- what a phase reports -------------------------------------------------------------------

type Figure = { label: string; unit: string; value: number; digits?: number; target?: string };
type Counters = {
  writerCommits: number;
  consumerCommits: number;
  consumerEvents: number;
  /** Milliseconds of consumer transactions, summed: divided by the window, how many ran at once. */
  consumerTransactionMs: number;
  relay?: OutboxRelay;
};

const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'jobplatform-bench-events-'));
await fs.chmod(dir, 0o755);
const postgresPort = await findFreePort();
if (profile) {
  // pg_stat_statements must be preloaded: set it, then start again on the same folder.
  const first = await startEmbeddedPostgres({ dataDir: path.join(dir, 'postgres'), port: postgresPort, persistent: true });
  const admin = new pg.Client({ connectionString: first.urlFor('postgres') });
  await admin.connect();
  await admin.query(`ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'`);
  await admin.query(`ALTER SYSTEM SET pg_stat_statements.track_planning = on`);
  await admin.end();
  await first.stop();
}
const postgres = await startEmbeddedPostgres({ dataDir: path.join(dir, 'postgres'), port: postgresPort, persistent: false });
const statementReports: string[] = [];
let currentPhase = '';
const natsServer = await startNatsServer({ port: await findFreePort(), storeDir: path.join(dir, 'nats') });
let databases = 0;

async function walFlushes(pool: pg.Pool): Promise<number> {
  // pg_stat_io counts WAL fsyncs from PostgreSQL 18 on; backends report every second or so.
  const { rows } = await pool.query<{ n: string | null }>(`SELECT sum("fsyncs") AS "n" FROM pg_stat_io WHERE "object" = 'wal'`).catch(() => ({ rows: [{ n: null }] }));
  return rows[0]?.n === null || rows[0]?.n === undefined ? NaN : Number(rows[0].n);
}

/** Where PostgreSQL spent the window, by statement (planning included), this database only. */
async function topStatements(pool: pg.Pool, title: string, windowSeconds: number): Promise<string> {
  const { rows } = await pool.query<{ query: string; calls: string; ms: number; mean: number }>(
    `SELECT regexp_replace(left("query", 110), '\\s+', ' ', 'g') AS "query", "calls",
            ("total_exec_time" + "total_plan_time") AS "ms", ("total_exec_time" + "total_plan_time") / greatest("calls", 1) AS "mean"
       FROM pg_stat_statements WHERE "dbid" = (SELECT oid FROM pg_database WHERE datname = current_database())
      ORDER BY "ms" DESC LIMIT 10`,
  );
  const lines = rows.map(
    (row) =>
      `| ${(Number(row.calls) / windowSeconds).toFixed(0)} | ${row.mean.toFixed(3)} | ${(row.ms / 10 / windowSeconds).toFixed(1)} | \`${row.query.replaceAll('|', '\\|')}\` |`,
  );
  return [`\n${title}: statements by time (calls/s, ms per call, % of a core)\n`, '| calls/s | ms | % core | statement |', '|---:|---:|---:|---|', ...lines].join('\n');
}

type Pipeline = {
  pool: pg.Pool;
  nats: NatsConnection;
  events: EventsModule;
  counters: Counters;
  startRelay(): Promise<OutboxRelay>;
  startConsumer(onApplied?: (eventId: string, at: number) => void): Promise<EventConsumer>;
  applied(): Promise<number>;
  /** Starts a measured window; its end returns the profile figures of the window. */
  measure(): () => Promise<Figure[]>;
};

/** Runs one phase on a fresh database and fresh streams, so phases do not see each other's events. */
async function withPipeline<T>(implementation: Implementation, phase: (p: Pipeline) => Promise<T>): Promise<T> {
  const { events } = implementation;
  databases += 1;
  const name = `bench_events_${databases}`;
  await postgres.ensureDatabase(name);
  const url = postgres.urlFor(name);
  const pool = new pg.Pool({ connectionString: url, max: 30 });
  // The consumer's own connections, as in the consuming service: writers queueing for the pool must
  // not hold up the consumer's commits (the database is shared here only to keep the bench small).
  const consumerPool = new pg.Pool({ connectionString: url, max: 16 });
  for (const p of [pool, consumerPool]) p.on('error', () => undefined); // idle connections closed when the phase drops its database
  await pool.query(events.eventTablesSql);
  await pool.query('CREATE TABLE "effects" ("event_id" CHAR(26) PRIMARY KEY, "user_id" TEXT NOT NULL)');
  const nats: NatsConnection = await events.connectToNats(natsServer.url, `bench-${name}`);
  const jsm = await jetstreamManager(nats);
  await jsm.streams.delete('USERS').catch(() => undefined);
  const counters: Counters = { writerCommits: 0, consumerCommits: 0, consumerEvents: 0, consumerTransactionMs: 0 };
  const started: { stop(): Promise<void> }[] = [];
  try {
    return await phase({
      pool,
      nats,
      events,
      counters,
      async startRelay() {
        const relay = await events.startOutboxRelay({ service: 'users', databaseUrl: url, nats });
        counters.relay = relay;
        started.push(relay);
        return relay;
      },
      async startConsumer(onApplied) {
        const appliedIn = new WeakMap<pg.PoolClient, string[]>();
        // Times the consumer's commit, not just the handler: the event counts as consumed once durable.
        const transaction: TransactionRunner<pg.PoolClient> = async (work) => {
          let eventIds: string[] = [];
          const began = performance.now();
          const result = await events.runPgTransaction(consumerPool, async (client) => {
            const value = await work(client);
            eventIds = appliedIn.get(client) ?? [];
            appliedIn.delete(client);
            return value;
          });
          counters.consumerCommits += 1;
          counters.consumerEvents += eventIds.length;
          const at = performance.now();
          counters.consumerTransactionMs += at - began;
          for (const id of eventIds) onApplied?.(id, at);
          return result;
        };
        const consumer = await events.startEventConsumer<pg.PoolClient>({
          nats,
          service: 'search',
          purpose: 'bench',
          transaction,
          concurrency: 16,
          handlers: {
            'users.user.updated.v1': async (event, tx) => {
              await tx.query('INSERT INTO "effects" ("event_id", "user_id") VALUES ($1, $2)', [event.id, event.data.userId]);
              appliedIn.set(tx, [...(appliedIn.get(tx) ?? []), event.id]);
            },
          },
        });
        started.push(consumer);
        return consumer;
      },
      applied: async () => Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM "effects"')).rows[0]!.n),
      measure() {
        const cpu = sampleCpu();
        const from = { ...counters, relay: counters.relay?.stats() };
        const wal = profile ? walFlushes(pool) : Promise.resolve(NaN);
        const statementsReset = profile
          ? pool.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements').then(() => pool.query('SELECT pg_stat_statements_reset()'))
          : Promise.resolve();
        return async () => {
          const shares = cpuShares(cpu, sampleCpu());
          const windowSeconds = (performance.now() - (cpu?.at ?? performance.now())) / 1000;
          const figures: Figure[] = [];
          // Always: the machine is shared, and what else ran matters to every figure.
          if (shares) {
            figures.push({ label: 'CPU: this process (writers, relay, consumer)', unit: '% of a core', value: shares.node });
            figures.push({ label: 'CPU: PostgreSQL', unit: '% of a core', value: shares.postgres });
            figures.push({ label: 'CPU: nats-server', unit: '% of a core', value: shares.nats });
            figures.push({ label: 'CPU: everything else on the machine', unit: '% of a core', value: shares.other });
          }
          if (!profile) return figures;
          const relay = counters.relay?.stats();
          const rate = (a: number | undefined, b: number | undefined) => ((b ?? NaN) - (a ?? NaN)) / windowSeconds;
          figures.push({ label: 'writer commits', unit: '/s', value: rate(from.writerCommits, counters.writerCommits) });
          figures.push({ label: 'relay rounds that published (a transaction each)', unit: '/s', value: rate(from.relay?.rounds, relay?.rounds) });
          figures.push({ label: 'consumer commits', unit: '/s', value: rate(from.consumerCommits, counters.consumerCommits) });
          figures.push({
            label: 'consumer: events per transaction',
            unit: '',
            value: (counters.consumerEvents - from.consumerEvents) / (counters.consumerCommits - from.consumerCommits),
            digits: 1,
          });
          figures.push({
            label: 'consumer: transactions in progress, mean',
            unit: '',
            value: (counters.consumerTransactionMs - from.consumerTransactionMs) / 1000 / windowSeconds,
            digits: 1,
          });
          if (relay && 'notifications' in relay) {
            figures.push({
              label: 'NOTIFYs received by the relay',
              unit: '/s',
              value: rate((from.relay as { notifications?: number } | undefined)?.notifications, relay.notifications as number),
            });
          }
          figures.push({ label: 'WAL flushes (fsync, approximate)', unit: '/s', value: ((await walFlushes(pool)) - (await wal)) / windowSeconds });
          await statementsReset;
          statementReports.push(await topStatements(pool, `${currentPhase} — ${implementation.name}`, windowSeconds));
          return figures;
        };
      },
    });
  } finally {
    for (const s of started.reverse()) await s.stop();
    await nats.drain();
    await pool.end();
    await consumerPool.end();
    await postgres.dropDatabase(name);
  }
}

type Phase = { key: string; title: string; run(implementation: Implementation): Promise<Figure[]> };

async function commitEvents(p: Pipeline, perTransaction: number, first: number): Promise<void> {
  await p.events.runPgTransaction(p.pool, (client) =>
    createOutboxOf(p.events).recordMany(
      client,
      Array.from({ length: perTransaction }, (_, k) => ({ subject: 'users.user.updated.v1' as const, data: user(first + k) })),
    ),
  );
  p.counters.writerCommits += 1;
}
const outboxes = new Map<EventsModule, ReturnType<EventsModule['createOutbox']>>();
const createOutboxOf = (events: EventsModule) => outboxes.get(events) ?? outboxes.set(events, events.createOutbox({ source: 'users' })).get(events)!;

const allPhases: Phase[] = [];

allPhases.push({
  key: 'drain',
  title: `drain ${drainEvents.toLocaleString('en')} committed events`,
  run: (implementation) =>
    withPipeline(implementation, async (p) => {
      for (let i = 0; i < drainEvents; i += 500) await commitEvents(p, Math.min(500, drainEvents - i), i);
      let last = 0;
      let count = 0;
      let done: () => void;
      const finished = new Promise<void>((resolve) => (done = resolve));
      const started = performance.now();
      const end = p.measure();
      await p.startConsumer((_id, at) => {
        count += 1;
        last = at;
        if (count === drainEvents) done();
      });
      await p.startRelay();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([finished, new Promise((resolve) => (timer = setTimeout(resolve, 120_000)))]);
      clearTimeout(timer);
      const profileFigures = await end();
      return [
        { label: 'events/s', unit: '', value: count / ((last - started) / 1000), target: '≥ 2,000' },
        ...(count === drainEvents ? [] : [{ label: 'events applied (timed out)', unit: '', value: count }]),
        ...profileFigures,
      ];
    }),
});

/** --writers connections, each committing transactions back to back for --seconds. */
async function writeBackToBack(p: Pipeline, writerCount: number, perTransaction: number): Promise<{ committed: number; seconds: number }> {
  let committed = 0;
  const startedAt = performance.now();
  const stopAt = startedAt + seconds * 1000;
  await Promise.all(
    Array.from({ length: writerCount }, async (_, w) => {
      for (let i = w; performance.now() < stopAt; i += writerCount) {
        await commitEvents(p, perTransaction, i * perTransaction);
        committed += perTransaction;
      }
    }),
  );
  return { committed, seconds: (performance.now() - startedAt) / 1000 };
}

for (const writerCount of writerCounts) {
  allPhases.push({
    key: 'writers',
    title: `writers alone (no relay, no consumer): ${writerCount} connections committing back to back, 1 event per transaction, ${seconds} s`,
    run: (implementation) =>
      withPipeline(implementation, async (p) => {
        const end = p.measure();
        const { committed, seconds: writeSeconds } = await writeBackToBack(p, writerCount, 1);
        return [{ label: 'events committed/s', unit: '', value: committed / writeSeconds }, ...(await end())];
      }),
  });
}

for (const [writerCount, perTransaction] of writerCounts.flatMap(
  (count) =>
    [
      [count, 1],
      [count, 10],
    ] as const,
)) {
  allPhases.push({
    key: 'closed',
    title: `closed loop: ${writerCount} connections committing back to back, ${perTransaction} event${perTransaction > 1 ? 's' : ''} per transaction, ${seconds} s`,
    run: (implementation) =>
      withPipeline(implementation, async (p) => {
        await p.startConsumer();
        await p.startRelay();
        const end = p.measure();
        const { committed, seconds: writeSeconds } = await writeBackToBack(p, writerCount, perTransaction);
        const appliedAtEnd = await p.applied();
        const profileFigures = await end();
        // How long the pipeline needs for what was still in flight when writing stopped.
        const catchUpStart = performance.now();
        while ((await p.applied()) < committed && performance.now() - catchUpStart < 60_000) await sleep(20);
        const catchUp = (performance.now() - catchUpStart) / 1000;
        return [
          { label: 'events committed/s', unit: '', value: committed / writeSeconds },
          { label: 'events applied/s while writing', unit: '', value: appliedAtEnd / writeSeconds, target: '≥ 2,000' },
          { label: 'backlog when writing stopped', unit: 'events', value: committed - appliedAtEnd },
          { label: 'backlog cleared in', unit: 's', value: catchUp, digits: 2 },
          { label: 'events applied/s, writing and catch-up together', unit: '', value: committed / (writeSeconds + catchUp) },
          ...profileFigures,
        ];
      }),
  });
}

for (const rate of rates) {
  allPhases.push({
    key: 'open',
    title: `open loop: one event per transaction, started at ${rate.toLocaleString('en')}/s for ${seconds} s`,
    run: (implementation) =>
      withPipeline(implementation, async (p) => {
        const committedAt = new Map<string, number>();
        const consumedAt = new Map<string, number>();
        const publishedAt = new Map<string, number>();
        const transactionTimes: number[] = []; // from when the transaction was due to its COMMIT returning
        await p.startConsumer((id, at) => consumedAt.set(id, at));
        // Under --profile, a plain subscription notes when each event reaches NATS, to split the latency.
        const seen = profile
          ? p.nats.subscribe('users.>', {
              callback: (_error, message) => {
                const id = message.headers?.get('Nats-Msg-Id');
                if (id && !publishedAt.has(id)) publishedAt.set(id, performance.now());
              },
            })
          : undefined;
        await p.startRelay();
        const outbox = createOutboxOf(p.events);
        const total = rate * seconds;
        const end = p.measure();
        const begin = performance.now();
        const inFlight = new Set<Promise<void>>();
        for (let i = 0; i < total; i += 1) {
          const due = begin + (i * 1000) / rate;
          const wait = due - performance.now();
          if (wait > 1) await sleep(wait);
          const write = p.events
            .runPgTransaction(p.pool, (client) => outbox.record(client, 'users.user.updated.v1', user(i)))
            .then((envelope) => {
              const at = performance.now();
              committedAt.set(envelope.id, at);
              transactionTimes.push(at - due);
              p.counters.writerCommits += 1;
            });
          inFlight.add(write);
          void write.finally(() => inFlight.delete(write));
        }
        await Promise.all(inFlight);
        const achieved = total / ((performance.now() - begin) / 1000);
        const profileFigures = await end();
        const deadline = performance.now() + 30_000;
        while (consumedAt.size < total && performance.now() < deadline) await sleep(20);
        seen?.unsubscribe();
        // A consumer commit can land before the writer's COMMIT resolves in this process; count it as 0.
        const between = (from: Map<string, number>, to: Map<string, number>) =>
          [...from].flatMap(([id, start]) => (to.has(id) ? [Math.max(0, to.get(id)! - start)] : [])).sort((a, b) => a - b);
        const sorted = between(committedAt, consumedAt);
        const writes = transactionTimes.sort((a, b) => a - b);
        const split: Figure[] = [];
        if (profile) {
          const toNats = between(committedAt, publishedAt);
          const toConsumer = between(publishedAt, consumedAt);
          split.push({ label: 'commit → published (relay), p50', unit: 'ms', value: percentile(toNats, 50), digits: 1 });
          split.push({ label: 'commit → published (relay), p99', unit: 'ms', value: percentile(toNats, 99), digits: 1 });
          split.push({ label: 'published → consumed (consumer), p50', unit: 'ms', value: percentile(toConsumer, 50), digits: 1 });
          split.push({ label: 'published → consumed (consumer), p99', unit: 'ms', value: percentile(toConsumer, 99), digits: 1 });
        }
        return [
          { label: 'events committed/s achieved', unit: '', value: achieved },
          { label: 'writer transaction, due → COMMIT returned, p50', unit: 'ms', value: percentile(writes, 50), digits: 1 },
          { label: 'writer transaction, due → COMMIT returned, p99', unit: 'ms', value: percentile(writes, 99), digits: 1 },
          { label: 'commit → consumed p50', unit: 'ms', value: percentile(sorted, 50), digits: 1 },
          { label: 'commit → consumed p99', unit: 'ms', value: percentile(sorted, 99), digits: 1, target: rate === 500 ? '< 200 ms' : undefined },
          { label: 'commit → consumed max', unit: 'ms', value: percentile(sorted, 100), digits: 1 },
          { label: 'events measured', unit: `of ${total}`, value: sorted.length },
          ...split,
          ...profileFigures,
        ];
      }),
  });
}

// ---- run and report ---------------------------------------------------------------------------

const selected = allPhases.filter((phase) => phases.has(phase.key));
const keyOf = (phase: Phase, implementation: Implementation, label: string) => `${phase.title}\u0000${implementation.name}\u0000${label}`;
const collected = new Map<string, { figure: Figure; values: number[] }>();
try {
  for (let round = 1; round <= repeat; round += 1) {
    for (const phase of selected) {
      // Alternate which implementation goes first, so neither always runs on a warmer machine.
      const order = round % 2 === 1 ? implementations : [...implementations].reverse();
      for (const implementation of order) {
        process.stderr.write(`round ${round}/${repeat}: ${phase.title} — ${implementation.name}\n`);
        currentPhase = `round ${round}: ${phase.title}`;
        for (const figure of await phase.run(implementation)) {
          const key = keyOf(phase, implementation, figure.label);
          const entry = collected.get(key) ?? { figure, values: [] };
          entry.values.push(figure.value);
          collected.set(key, entry);
        }
      }
    }
  }

  const format = (figure: Figure, value: number) =>
    Number.isNaN(value) ? 'n/a' : value.toLocaleString('en', { maximumFractionDigits: figure.digits ?? 0, minimumFractionDigits: figure.digits ?? 0 });
  const summary = (figure: Figure, values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    const unit = figure.unit ? ` ${figure.unit}` : '';
    if (sorted.length === 1) return `${format(figure, sorted[0]!)}${unit}`;
    const median = sorted.length % 2 === 1 ? sorted[(sorted.length - 1) / 2]! : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
    return `${format(figure, median)}${unit} (${format(figure, sorted[0]!)}–${format(figure, sorted[sorted.length - 1]!)})`;
  };

  console.log(
    `\nMachine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}, ${os.platform()} ${os.release()}`,
  );
  console.log(`Command: node --conditions=development --import tsx scripts/bench/events.ts ${process.argv.slice(2).join(' ')}`);
  if (repeat > 1) console.log(`${repeat} rounds: median (lowest–highest).`);
  console.log('');
  const header = ['phase', 'measurement', ...implementations.map((i) => i.name), 'target'];
  console.log(`| ${header.join(' | ')} |`);
  console.log(`|${header.map((_, i) => (i >= 2 && i < header.length - 1 ? '---:' : '---')).join('|')}|`);
  for (const phase of selected) {
    const labels = [...new Set([...collected.keys()].filter((key) => key.startsWith(`${phase.title}\u0000`)).map((key) => key.split('\u0000')[2]!))];
    for (const [index, label] of labels.entries()) {
      const cells = implementations.map((implementation) => {
        const entry = collected.get(keyOf(phase, implementation, label));
        return entry ? summary(entry.figure, entry.values) : '';
      });
      const figure = [...collected.entries()].find(([key]) => key.startsWith(`${phase.title}\u0000`) && key.endsWith(`\u0000${label}`))![1].figure;
      console.log(`| ${index === 0 ? phase.title : ''} | ${label} | ${cells.join(' | ')} | ${figure.target ?? ''} |`);
    }
  }
  if (profile) console.log(statementReports.join('\n'));
} finally {
  await natsServer.stop();
  await postgres.stop();
  await fs.rm(dir, { recursive: true, force: true });
}
