// The event backbone's figures (docs/benchmarks-events.md):
//  1. drain: N events already committed to the outbox; relay + consumer start; events/s until the
//     consumer has applied the last one (outbox -> JetStream -> consumer transaction);
//  2. sustained: 8 writers commit as fast as they can for --seconds (one event per transaction, then
//     ten) while the relay and consumer run; events/s committed and applied, and the backlog at the end;
//  3. latency at a steady --rate (default 500 events/s): from the writer's COMMIT returning to the
//     consumer's transaction (handler + processed_events) committing, p50/p99.
// Everything runs on this machine: embedded PostgreSQL and a nats-server on free ports in a temp
// folder, the writer, relay and consumer in this process (as in a service replica).
//
//   node --conditions=development --import tsx scripts/bench/events.ts [--events 20000] [--seconds 10] [--rate 500]
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { findFreePort, startEmbeddedPostgres, startNatsServer } from '@jobplatform/embedded-infra';
import {
  connectToNats,
  createOutbox,
  eventTablesSql,
  runPgTransaction,
  startEventConsumer,
  startOutboxRelay,
  type EventConsumer,
  type OutboxRelay,
  type TransactionRunner,
} from '@jobplatform/events';
import type { NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';

const { values } = parseArgs({ options: { events: { type: 'string', default: '20000' }, seconds: { type: 'string', default: '10' }, rate: { type: 'string', default: '500' } } });
const drainEvents = Number(values.events);
const seconds = Number(values.seconds);
const rate = Number(values.rate);

const outbox = createOutbox({ source: 'users' });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const user = (i: number) => ({ userId: String(i), username: `user_${i}`, email: `user_${i}@example.com`, userType: 'job_seeker' as const, isActive: true, isVerified: false });

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'jobplatform-bench-events-'));
await fs.chmod(dir, 0o755);
const postgres = await startEmbeddedPostgres({ dataDir: path.join(dir, 'postgres'), port: await findFreePort(), persistent: false });
const natsServer = await startNatsServer({ port: await findFreePort(), storeDir: path.join(dir, 'nats') });
const rows: string[] = [];

/** Runs one phase on a fresh database and fresh streams, so phases do not see each other's events. */
async function withPipeline<T>(
  name: string,
  phase: (p: {
    pool: pg.Pool;
    startRelay(): Promise<OutboxRelay>;
    startConsumer(onApplied?: (eventId: string, at: number) => void): Promise<EventConsumer>;
    applied(): Promise<number>;
  }) => Promise<T>,
): Promise<T> {
  await postgres.ensureDatabase(name);
  const url = postgres.urlFor(name);
  const pool = new pg.Pool({ connectionString: url, max: 30 });
  pool.on('error', () => undefined); // idle connections closed when the phase drops its database
  await pool.query(eventTablesSql);
  await pool.query('CREATE TABLE "effects" ("event_id" CHAR(26) PRIMARY KEY, "user_id" TEXT NOT NULL)');
  const nats: NatsConnection = await connectToNats(natsServer.url, `bench-${name}`);
  const jsm = await jetstreamManager(nats);
  await jsm.streams.delete('USERS').catch(() => undefined);
  const started: { stop(): Promise<void> }[] = [];
  try {
    return await phase({
      pool,
      async startRelay() {
        const relay = await startOutboxRelay({ service: 'users', databaseUrl: url, nats });
        started.push(relay);
        return relay;
      },
      async startConsumer(onApplied) {
        const appliedIn = new WeakMap<pg.PoolClient, string[]>();
        // Times the consumer's commit, not just the handler: the event counts as consumed once durable.
        const transaction: TransactionRunner<pg.PoolClient> = async (work) => {
          let eventIds: string[] = [];
          const result = await runPgTransaction(pool, async (client) => {
            const value = await work(client);
            eventIds = appliedIn.get(client) ?? [];
            appliedIn.delete(client);
            return value;
          });
          const at = performance.now();
          for (const id of eventIds) onApplied?.(id, at);
          return result;
        };
        const consumer = await startEventConsumer<pg.PoolClient>({
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
    });
  } finally {
    for (const s of started.reverse()) await s.stop();
    await nats.drain();
    await pool.end();
    await postgres.dropDatabase(name);
  }
}

try {
  // 1. Drain a pre-filled outbox.
  await withPipeline('bench_drain', async ({ pool, startRelay, startConsumer }) => {
    for (let i = 0; i < drainEvents; i += 500) {
      await runPgTransaction(pool, (client) =>
        outbox.recordMany(
          client,
          Array.from({ length: Math.min(500, drainEvents - i) }, (_, k) => ({ subject: 'users.user.updated.v1' as const, data: user(i + k) })),
        ),
      );
    }
    let last = 0;
    let done: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    let count = 0;
    const started = performance.now();
    await startConsumer((_id, at) => {
      count += 1;
      last = at;
      if (count === drainEvents) done();
    });
    await startRelay();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([finished, new Promise((resolve) => (timer = setTimeout(resolve, 120_000)))]);
    clearTimeout(timer);
    const elapsed = (last - started) / 1000;
    rows.push(`| drain ${drainEvents.toLocaleString('en')} committed events (outbox → relay → JetStream → consumer transaction) | ${Math.round(count / elapsed).toLocaleString('en')} events/s | ≥ 2,000 events/s |`);
    if (count !== drainEvents) rows.push(`| drain: events applied | ${count} of ${drainEvents} (timed out) | all |`);
  });

  // 2. Writers and pipeline at once: one event per transaction (bound by PostgreSQL's commit rate
  //    on this disk), then ten (bound by the pipeline).
  for (const perTransaction of [1, 10]) {
    await withPipeline(`bench_sustained_${perTransaction}`, async ({ pool, startRelay, startConsumer, applied }) => {
      await startConsumer();
      await startRelay();
      let committed = 0;
      const stopAt = performance.now() + seconds * 1000;
      const writers = Array.from({ length: 8 }, async (_, w) => {
        for (let i = w; performance.now() < stopAt; i += 8) {
          await runPgTransaction(pool, (client) =>
            outbox.recordMany(client, Array.from({ length: perTransaction }, (_, k) => ({ subject: 'users.user.updated.v1' as const, data: user(i * perTransaction + k) }))),
          );
          committed += perTransaction;
        }
      });
      const startedAt = performance.now();
      await Promise.all(writers);
      const writeSeconds = (performance.now() - startedAt) / 1000;
      const appliedAtEnd = await applied();
      // How long the pipeline needs for what was still in flight when writing stopped.
      const catchUpStart = performance.now();
      while ((await applied()) < committed && performance.now() - catchUpStart < 60_000) await sleep(20);
      const catchUp = (performance.now() - catchUpStart) / 1000;
      rows.push(
        `| sustained: 8 writers, ${perTransaction} event${perTransaction > 1 ? 's' : ''} per transaction, ${seconds} s | ${Math.round(committed / writeSeconds).toLocaleString('en')} committed/s, ${Math.round(appliedAtEnd / writeSeconds).toLocaleString('en')} applied/s; backlog at stop ${committed - appliedAtEnd}, cleared in ${catchUp.toFixed(2)} s | ≥ 2,000 events/s |`,
      );
    });
  }

  // 3. Latency at a steady rate.
  await withPipeline('bench_latency', async ({ pool, startRelay, startConsumer }) => {
    const committedAt = new Map<string, number>();
    const latencies: number[] = [];
    await startConsumer((id, at) => {
      const start = committedAt.get(id);
      if (start !== undefined) latencies.push(at - start);
    });
    await startRelay();
    const total = rate * seconds;
    const begin = performance.now();
    const inFlight = new Set<Promise<void>>();
    for (let i = 0; i < total; i += 1) {
      const due = begin + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait);
      const write = runPgTransaction(pool, (client) => outbox.record(client, 'users.user.updated.v1', user(i))).then((envelope) => {
        committedAt.set(envelope.id, performance.now());
      });
      inFlight.add(write);
      void write.finally(() => inFlight.delete(write));
    }
    await Promise.all(inFlight);
    const achieved = total / ((performance.now() - begin) / 1000);
    const deadline = performance.now() + 30_000;
    while (latencies.length < total && performance.now() < deadline) await sleep(20);
    // A consumer commit can land before the writer's COMMIT resolves in this process; count it as 0.
    const sorted = latencies.map((ms) => Math.max(0, ms)).sort((a, b) => a - b);
    rows.push(`| commit → consumed latency at ${Math.round(achieved)} events/s for ${seconds} s, p50 | ${percentile(sorted, 50).toFixed(1)} ms | |`);
    rows.push(`| commit → consumed latency, p99 | ${percentile(sorted, 99).toFixed(1)} ms | < 200 ms |`);
    rows.push(`| commit → consumed latency, max (${sorted.length} of ${total} events measured) | ${percentile(sorted, 100).toFixed(1)} ms | |`);
  });

  console.log(`\nMachine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}, ${os.platform()} ${os.release()}\n`);
  console.log(['| measurement | result | target |', '|---|---|---|', ...rows].join('\n'));
} finally {
  await natsServer.stop();
  await postgres.stop();
  await fs.rm(dir, { recursive: true, force: true });
}
