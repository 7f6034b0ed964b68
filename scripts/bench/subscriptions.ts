// npm run bench:subscriptions — the live-subscription figures of docs/benchmarks.md, on the
// benchmark stack (every service as its own production process, embedded PostgreSQL, nats-server):
//  1. --accounts × --connections-per-account graphql-ws clients (default 10,000 × 1; job seekers
//     registered through the users service's own rules with the cheapest argon2 it accepts)
//     each subscribed to OnNotification (schema/operations/subscriptions.graphql) with its own
//     access token: the gateway's RSS once they are all listening;
//  2. open-loop publishing of notifications.notification.created.v1 at each of --rates events/s
//     (default 500,100; Hive Gateway at the first only)
//     for --seconds after a warm-up that is not counted (--warm-up seconds, default 20, in which the
//     rate climbs evenly from a tenth of the target to the target; with --step the warm-up is at the
//     full rate from its first event: the cold step), event i for account i mod accounts,
//     each naming a real in-app notification row of that account (made in notifications_db before
//     the run), published with the notifications service's NATS identity: per delivery, from the
//     publish to the client's `next` (which the gateway resolved through the query planner as the
//     subscriber), p50/p95/p99/max, events not delivered within 10 s of the last publish, the
//     gateway's CPU and peak RSS;
//  3. the same clients and rate against Hive Gateway (@graphql-hive/gateway, installed into
//     node_modules/.cache/hive-gateway at the first run, not a project dependency) serving the same
//     supergraph, fed through its NATSPubSub (see docs/benchmarks.md for what it can and cannot do
//     with our events). --no-hive skips it.
// The clients run in a child process of their own (scripts/bench/subscription-clients.ts); the
// gateway's socket caps are raised for the run (GATEWAY_WS_MAX_CONNECTIONS_PER_IP: every client
// comes from 127.0.0.1). It builds first (npx turbo run build, cached) unless --no-build.
// --cpu-prof DIR: every service writes a V8 CPU profile into DIR when the run ends.
// --stages DIR: every process (the services and the client process) loads subscription-probe.mjs,
// which writes what it did each second into DIR; after each phase of our gateway the benchmark
// joins it per event (publish → the gateway's call to notifications → notifications' handling →
// the gateway's `next` → the client) and prints where the time went, with each second's event-loop
// delay, garbage collection and new TCP connections of the gateway and notifications.
// --max-load X: before each phase (before its tokens are refreshed and its clients connect, so that
// a long wait cannot outlast the 15-minute tokens), wait up to 15 minutes for the 1-minute load
// average to fall to X.
import { execSync, fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createLogger } from '@jobplatform/config';
import { findFreePort, startNatsServer } from '@jobplatform/embedded-infra';
import { connectToNats, createEnvelope, createEventId, natsInboxPrefixOf } from '@jobplatform/events';
import { repoRoot } from '../src/dev-stack-env.js';
import { inParallel, startSeedUsers } from '../src/seed/seed-platform.js';
import {
  buildServices,
  clientOperation,
  loadAverage,
  machineDescription,
  metricSum,
  percentile,
  startBenchStack,
  stopOnInterrupt,
  waitForOutbox,
  waitForQuiet,
  cpuProfileArgs,
  publishSchedule,
} from './bench-stack.js';
import { pidOfPort, procSample, startHive, type ProcessSample } from './hive-gateway.js';
import type { ClientSpec, FromClients, ToClients } from './subscription-clients.js';

const { values } = parseArgs({
  options: {
    accounts: { type: 'string', default: '10000' },
    'connections-per-account': { type: 'string', default: '1' },
    rates: { type: 'string', default: '500,100' },
    seconds: { type: 'string', default: '60' },
    'connect-concurrency': { type: 'string', default: '100' },
    'hive-version': { type: 'string', default: '2.15.1' },
    'no-hive': { type: 'boolean', default: false },
    'cpu-prof': { type: 'string' },
    'no-build': { type: 'boolean', default: false },
    'max-load': { type: 'string' },
    stages: { type: 'string' },
    'warm-up': { type: 'string', default: '20' },
    step: { type: 'boolean', default: false },
  },
});
const stagesDir = values.stages === undefined ? undefined : path.resolve(values.stages);
// The probes append to files in it from the first second; a missing folder would stop every process.
if (stagesDir) await fs.mkdir(stagesDir, { recursive: true });
const probeArgs = stagesDir ? ['--import', pathToFileURL(path.join(import.meta.dirname, 'subscription-probe.mjs')).href] : [];
const maxLoad = values['max-load'] === undefined ? undefined : Number(values['max-load']);
const accountCount = Number(values.accounts);
const perAccount = Number(values['connections-per-account']);
const subscriberCount = accountCount * perAccount;
/** Our gateway is measured at each rate, in this order; Hive Gateway at the first. */
const rates = values.rates!.split(',').map(Number);
const seconds = Number(values.seconds);
const warmUpSeconds = Number(values['warm-up']);
const warmUpDescription = values.step ? `a ${warmUpSeconds} s warm-up at the full rate (a cold step)` : `a ${warmUpSeconds} s warm-up climbing from a tenth of the rate`;
const DRAIN_MS = 10_000;
const command = `npm run bench:subscriptions -- ${process.argv.slice(2).join(' ')}`.trim();

const say = (line: string) => console.log(`  ${line}`);
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const mb = (bytes: number) => Math.round(bytes / 2 ** 20);

const ON_NOTIFICATION = clientOperation('subscriptions', 'OnNotification');

type Account = { userId: string; accessToken: string; refreshToken: string; issuedAt: number };

/** A gateway under test: where its clients connect, what they subscribe to and how its events are published. */
type Target = {
  label: string;
  wsUrl: string;
  query: string;
  variablesOf(account: Account): Record<string, unknown> | undefined;
  publish(event: { notificationId: string; recipientId: string }): void;
  flush(): Promise<void>;
  sample(): Promise<ProcessSample>;
  /** Subscriptions the gateway is listening with (to know when every client is in place). */
  listening(): Promise<number>;
  /** Other processes whose CPU the events cost (the subgraphs the lookups reach), by name. */
  others: Record<string, number>;
};

type PhaseResult = {
  label: string;
  rate: number;
  subscribed: number;
  failed: number;
  emptyRssMb: number;
  idleRssMb: number;
  peakRssMb: number;
  cpuPercent: number;
  clientCpuPercent: number;
  clientRssMb: number;
  published: number;
  expected: number;
  delivered: number;
  lost: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  achievedRate: number;
  loadBefore: string;
  loadAfter: string;
  closeCodes: Record<string, number>;
  /** Sockets that closed while subscribed, before the phase ended them. */
  closed: number;
  errors: number;
  othersCpu: Record<string, number>;
  /** CPU milliseconds per published event, of the gateway and of the other processes. */
  cpuMsPerEvent: Record<string, number>;
};

/** Registers the subscribers through the users service's rules (the cheapest argon2id it accepts), signed in with the stack's key. */
async function registerAccounts(stack: Awaited<ReturnType<typeof startBenchStack>>) {
  const logger = createLogger('bench', 'warn');
  const users = await startSeedUsers(
    {
      usersDatabaseUrl: stack.env.USERS_DATABASE_URL!,
      natsUrl: stack.natsUrlOf('users'),
      logLevel: 'warn',
      // The stack's signing key: the tokens it issues are the ones the gateway verifies.
      env: { ARGON2_MEMORY_KIB: '8192', ARGON2_TIME_COST: '1', JWT_PRIVATE_KEY: stack.env.JWT_PRIVATE_KEY! },
    },
    logger,
  );
  const accounts: Account[] = [];
  const origin = { clientIp: undefined, userAgent: 'bench' };
  await inParallel(
    Array.from({ length: accountCount }, (_, i) => i),
    16,
    async (i) => {
      const signedIn = await users.domain.accounts.register(
        {
          username: `bench_live${i}`,
          email: `bench-live${i}@bench.example`,
          password: 'bench subscriber password',
          firstName: `Live${i}`,
          lastName: 'Bench',
          userType: 'JOB_SEEKER',
        },
        origin,
      );
      accounts[i] = { userId: signedIn.user.id.toString(), accessToken: signedIn.accessToken, refreshToken: signedIn.refreshToken, issuedAt: Date.now() };
      if ((i + 1) % 2000 === 0) say(`${i + 1} accounts registered`);
    },
  );
  /** Access tokens live 15 minutes: fresh ones (refresh-token rotation, no argon2) before each phase. */
  const refresh = async () => {
    await inParallel(accounts, 16, async (account) => {
      const rotated = await users.domain.accounts.refresh(account.refreshToken, origin);
      Object.assign(account, { accessToken: rotated.accessToken, refreshToken: rotated.refreshToken, issuedAt: Date.now() });
    });
  };
  return { accounts, refresh, close: () => users.close() };
}

/** One in-app notification row per event (event i for account i mod accounts), as the notifications service writes them; their ids in event order. */
async function makeNotifications(databaseUrl: string, accounts: Account[], count: number): Promise<string[]> {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const ids: string[] = [];
    for (let start = 0; start < count; start += 5000) {
      const n = Math.min(5000, count - start);
      const userIds = Array.from({ length: n }, (_, k) => accounts[(start + k) % accounts.length]!.userId);
      const sources = Array.from({ length: n }, () => createEventId());
      const { rows } = await db.query<{ id: string; source_event_id: string }>(
        `INSERT INTO notifications (user_id, title, message, notification_type, status, event, metadata, source_event_id, sent_at)
         SELECT u, 'Your application was viewed', 'An employer looked at your application.', 'in_app', 'sent', 'application_status_changed',
                '{"applicationId":"1"}'::jsonb, s, now()
         FROM unnest($1::bigint[], $2::char(26)[]) AS t(u, s)
         RETURNING id::text, source_event_id`,
        [userIds, sources],
      );
      const bySource = new Map(rows.map((row) => [row.source_event_id, row.id]));
      ids.push(...sources.map((source) => bySource.get(source)!));
    }
    return ids;
  } finally {
    await db.end();
  }
}

function startClients(): {
  child: ChildProcess;
  next<T extends FromClients['type']>(type: T): Promise<Extract<FromClients, { type: T }>>;
  onDeliveries(listener: (m: Extract<FromClients, { type: 'deliveries' }>) => void): void;
} {
  const child = fork(path.join(repoRoot, 'scripts/bench/subscription-clients.ts'), [], {
    execArgv: ['--conditions=development', '--import', 'tsx', '--max-old-space-size=4096', ...probeArgs],
    env: { ...process.env, ...(stagesDir ? { BENCH_PROBE_DIR: stagesDir } : {}) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const listeners: ((m: FromClients) => void)[] = [];
  child.on('message', (message: FromClients) => {
    if (message.type === 'progress') say(`clients: ${message.subscribed} subscribed, ${message.failed} failed`);
    for (const listener of [...listeners]) listener(message);
  });
  return {
    child,
    next: (type) =>
      new Promise((resolve, reject) => {
        const listener = (message: FromClients) => {
          if (message.type !== type) return;
          listeners.splice(listeners.indexOf(listener), 1);
          resolve(message as never);
        };
        listeners.push(listener);
        child.once('exit', (code) => reject(new Error(`the client process exited (${code})`)));
      }),
    onDeliveries: (listener) => listeners.push((message) => message.type === 'deliveries' && listener(message)),
  };
}

type ProbeCall = { rid: string; vars: string; start: number; socketAt: number; reused: boolean; connectAt: number; headersAt: number; end: number };
type ProbeLine = {
  at: number;
  loopMaxMs: number;
  loopP99Ms: number;
  gc: [start: number, ms: number, kind: number][];
  connectsOut: number;
  connectsIn: number;
  calls: ProbeCall[];
  served: { rid: string; start: number; finish: number }[];
  sent: [id: string, at: number][];
  agents: { busy: number; idle: number; waiting: number }[];
};

/** What subscription-probe.mjs wrote between `from` and `to`, by process name (gateway, notifications, subscription-clients…). */
async function readProbes(dir: string, from: number, to: number): Promise<Map<string, ProbeLine[]>> {
  const byProcess = new Map<string, ProbeLine[]>();
  for (const file of await fs.readdir(dir)) {
    const name = file.replace(/-\d+\.jsonl$/, '');
    const lines = readFileSync(path.join(dir, file), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as ProbeLine)
      .filter((line) => line.at >= from && line.at <= to + 1_000);
    byProcess.set(name, [...(byProcess.get(name) ?? []), ...lines]);
  }
  return byProcess;
}

/** The kernel's TCP counters (/proc/net/snmp and /proc/net/netstat) that a connection storm or a full accept queue moves. */
function tcpCounters(): Record<string, number> {
  const wanted = ['Tcp.ActiveOpens', 'Tcp.RetransSegs', 'TcpExt.ListenOverflows', 'TcpExt.ListenDrops', 'TcpExt.TCPTimeouts', 'TcpExt.TW'];
  const counters: Record<string, number> = {};
  for (const file of ['/proc/net/snmp', '/proc/net/netstat']) {
    const lines = readFileSync(file, 'utf8').split('\n');
    for (let k = 0; k + 1 < lines.length; k += 2) {
      const [prefix, ...names] = lines[k]!.split(/\s+/);
      const numbers = lines[k + 1]!.split(/\s+/).slice(1);
      names.forEach((name, n) => {
        const key = `${prefix!.replace(':', '')}.${name}`;
        if (wanted.includes(key)) counters[key] = Number(numbers[n]);
      });
    }
  }
  return counters;
}

/**
 * --stages: where each measured event's time went, from the probes' records joined by notification
 * id (the gateway's call carries it in its variables, its `next` in its data) and request id (the
 * call and notifications' handling of it); then, second by second, the latency of what was
 * published in it beside both processes' event-loop delay, garbage collection and new connections.
 */
async function reportStages(dir: string, events: { id: string; publishedAt: number; receivedAt: number | undefined }[], from: number, to: number) {
  const probes = await readProbes(dir, from, to);
  const gateway = probes.get('gateway') ?? [];
  const notifications = probes.get('notifications') ?? [];
  const callOf = new Map<string, ProbeCall>();
  const wanted = new Set(events.map((e) => e.id));
  for (const line of gateway)
    for (const call of line.calls) for (const [, value] of call.vars.matchAll(/"([^"]+)"/g)) if (wanted.has(value!) && !callOf.has(value!)) callOf.set(value!, call);
  const servedOf = new Map(notifications.flatMap((line) => line.served.map((s) => [s.rid, s] as const)));
  const sentOf = new Map(gateway.flatMap((line) => line.sent));
  const stageNames = [
    'publish → call start (NATS, fan-out, planning)',
    'call start → socket (waiting for the pool)',
    'socket → connected (a new socket)',
    'connected → notifications starts (network, its loop)',
    'notifications handles it',
    'notifications done → response at gateway',
    'response → `next` written (executor, graphql-ws)',
    '`next` written → client has it',
    'total',
  ];
  const stages: number[][] = stageNames.map(() => []);
  const joined: { total: number; parts: number[]; publishedAt: number; newSocket: boolean }[] = [];
  for (const event of events) {
    const call = callOf.get(event.id);
    const served = call ? servedOf.get(call.rid) : undefined;
    const sentAt = sentOf.get(event.id);
    if (!call || !served || sentAt === undefined || event.receivedAt === undefined) continue;
    const parts = [
      call.start - event.publishedAt,
      call.socketAt - call.start,
      call.connectAt - call.socketAt,
      served.start - call.connectAt,
      served.finish - served.start,
      call.end - served.finish,
      sentAt - call.end,
      event.receivedAt - sentAt,
      event.receivedAt - event.publishedAt,
    ];
    parts.forEach((ms, k) => stages[k]!.push(ms));
    joined.push({ total: parts.at(-1)!, parts, publishedAt: event.publishedAt, newSocket: !call.reused });
  }
  say(`stages: ${joined.length} of ${events.length} events joined`);
  if (joined.length === 0) return;
  const slowest = [...joined].sort((a, b) => b.total - a.total).slice(0, Math.max(1, Math.round(joined.length / 100)));
  const f = (ms: number) => ms.toFixed(1);
  console.log('| stage | p50 ms | p95 ms | p99 ms | max ms | mean over the slowest 1 % |\n|---|---:|---:|---:|---:|---:|');
  stageNames.forEach((name, k) => {
    const sorted = stages[k]!.sort((a, b) => a - b);
    const slowMean = slowest.reduce((sum, e) => sum + e.parts[k]!, 0) / slowest.length;
    console.log(`| ${name} | ${f(percentile(sorted, 50))} | ${f(percentile(sorted, 95))} | ${f(percentile(sorted, 99))} | ${f(sorted.at(-1)!)} | ${f(slowMean)} |`);
  });
  say(`calls on a new socket: ${joined.filter((e) => e.newSocket).length} of ${joined.length} (${slowest.filter((e) => e.newSocket).length} of the slowest ${slowest.length})`);
  console.log(
    "| second | events | p99 ms | gateway: loop delay max ms / GC ms (longest) / new connections | gateway's agents: sockets busy / idle / calls waiting | notifications: loop delay max ms / GC ms (longest) / new connections |\n|---:|---:|---:|---|---|---|",
  );
  const secondOf = (at: number) => Math.floor((at - from) / 1000);
  const perSecond = (lines: ProbeLine[]) => new Map(lines.map((line) => [secondOf(line.at) - 1, line] as const));
  const gatewayBySecond = perSecond(gateway);
  const notificationsBySecond = perSecond(notifications);
  const describe = (line: ProbeLine | undefined, connects: (l: ProbeLine) => number) =>
    line ? `${f(line.loopMaxMs)} / ${f(line.gc.reduce((sum, g) => sum + g[1], 0))} (${f(Math.max(0, ...line.gc.map((g) => g[1])))}) / ${connects(line)}` : '—';
  const seconds = Math.ceil((to - from) / 1000);
  for (let second = 0; second < seconds; second += 1) {
    const inSecond = joined
      .filter((e) => secondOf(e.publishedAt) === second)
      .map((e) => e.total)
      .sort((a, b) => a - b);
    console.log(
      `| ${second} | ${inSecond.length} | ${inSecond.length ? f(percentile(inSecond, 99)) : '—'} | ${describe(gatewayBySecond.get(second), (l) => l.connectsOut)} | ${(gatewayBySecond.get(second)?.agents ?? []).map((a) => `${a.busy} / ${a.idle} / ${a.waiting}`).join(', ') || '—'} | ${describe(notificationsBySecond.get(second), (l) => l.connectsIn)} |`,
    );
  }
}

/** Connects every client to the target, then publishes at `rate` for warm-up + `seconds` and measures. */
async function runPhase(target: Target, rate: number, accounts: Account[], notificationIds: string[]): Promise<PhaseResult> {
  console.log(`\n[${target.label}] connecting ${subscriberCount} subscribers (load average ${loadAverage()})…`);
  const empty = await target.sample();
  const listeningBefore = await target.listening();
  const clients = startClients();
  const specs: ClientSpec[] = accounts.flatMap((account) => Array.from({ length: perAccount }, () => ({ token: account.accessToken, variables: target.variablesOf(account) })));
  const connectStarted = performance.now();
  clients.child.send({ type: 'connect', url: target.wsUrl, query: target.query, clients: specs, concurrency: Number(values['connect-concurrency']) } satisfies ToClients);
  const connected = await clients.next('connected');
  say(
    `${connected.subscribed} subscribed, ${connected.failed} failed in ${Math.round((performance.now() - connectStarted) / 1000)} s${connected.failed ? `: ${JSON.stringify(connected.failures)}` : ''}`,
  );
  for (let waited = 0; waited < 120 && (await target.listening()) - listeningBefore < connected.subscribed; waited += 1) await sleep(1_000);
  say(`the gateway listens with ${(await target.listening()) - listeningBefore} subscriptions more than before the clients`);
  await sleep(5_000);
  const idle = await target.sample();
  say(`RSS: ${mb(empty.rssBytes)} MB before the clients, ${mb(idle.rssBytes)} MB with every subscriber, idle`);

  // Deliveries: notification id → arrival times (one per connection of the recipient).
  const arrivals = new Map<string, number[]>();
  let clientCpuMs = 0;
  let clientRssMb = 0;
  let closed = 0;
  let errors = 0;
  let closeCodes: Record<string, number> = {};
  let measuring = false;
  clients.onDeliveries((message) => {
    for (const [id, at] of message.received) {
      const list = arrivals.get(id);
      if (list) list.push(at);
      else arrivals.set(id, [at]);
    }
    if (measuring) clientCpuMs += message.cpuMs;
    clientRssMb = Math.max(clientRssMb, message.rssMb);
    closed = message.closed;
    errors = message.errors;
    closeCodes = message.closeCodes;
  });

  const schedule = publishSchedule(rate, warmUpSeconds, values.step!);
  const warmUp = schedule.warmUpEvents;
  const total = warmUp + rate * seconds;
  const publishedAt = new Array<number>(total);
  let peakRss = idle.rssBytes;
  let before: Promise<ProcessSample> | undefined;
  let othersBefore: Promise<ProcessSample[]> | undefined;
  let measureStarted = 0;
  const sampler = setInterval(
    () =>
      void target
        .sample()
        .then((s) => (peakRss = Math.max(peakRss, s.rssBytes)))
        .catch(() => undefined),
    1_000,
  );
  const loadBefore = loadAverage();
  const tcpBefore = tcpCounters();
  console.log(`[${target.label}] publishing ${rate} events/s for ${seconds} s after ${warmUpDescription}…`);
  const started = now();
  let i = 0;
  while (i < total) {
    if (i >= warmUp && !measuring) {
      // Not awaited: the publisher keeps its pace whatever the processes answer.
      before = target.sample();
      othersBefore = Promise.all(Object.values(target.others).map(procSample));
      measureStarted = now();
      measuring = true;
    }
    const due = started + schedule.dueMs(i);
    const wait = due - now();
    if (wait > 1) {
      await sleep(Math.min(wait, 20));
      continue;
    }
    // Every event that is due now, then back to the event loop (the NATS client writes them out).
    while (i < total && started + schedule.dueMs(i) <= now()) {
      const recipient = accounts[i % accounts.length]!;
      publishedAt[i] = now();
      target.publish({ notificationId: notificationIds[i]!, recipientId: recipient.userId });
      i += 1;
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  const measuredFor = (now() - measureStarted) / 1000;
  const [after, othersAfter] = await Promise.all([target.sample(), Promise.all(Object.values(target.others).map(procSample))]);
  await target.flush();
  measuring = false;
  const loadAfter = loadAverage();
  // Whatever arrives within DRAIN_MS of the last publish counts; the rest is lost.
  const expectedPer = perAccount;
  const deadline = Date.now() + DRAIN_MS;
  const allIn = () => notificationIds.slice(warmUp, total).every((id) => (arrivals.get(id)?.length ?? 0) >= expectedPer);
  while (Date.now() < deadline && !allIn()) await sleep(250);
  await sleep(600); // the last report of the client process
  clearInterval(sampler);

  const latencies: number[] = [];
  let delivered = 0;
  for (let k = warmUp; k < total; k += 1) {
    for (const at of arrivals.get(notificationIds[k]!) ?? []) {
      latencies.push(at - publishedAt[k]!);
      delivered += 1;
    }
  }
  latencies.sort((a, b) => a - b);
  const tcpAfter = tcpCounters();
  say(
    `TCP counters over the phase: ${Object.entries(tcpAfter)
      .map(([name, value]) => `${name} +${value - (tcpBefore[name] ?? 0)}`)
      .join(', ')}`,
  );
  if (stagesDir)
    await reportStages(
      stagesDir,
      // The warm-up's events too: a stall at the start of a phase is part of the story.
      notificationIds.slice(0, total).map((id, k) => ({ id, publishedAt: publishedAt[k]!, receivedAt: arrivals.get(id)?.[0] })),
      started,
      now(),
    );
  clients.child.send({ type: 'close' } satisfies ToClients);
  await clients.next('closed').catch(() => undefined);
  await new Promise((resolve) => (clients.child.exitCode === null ? clients.child.once('exit', resolve) : resolve(undefined)));
  const expected = (total - warmUp) * expectedPer;
  const result: PhaseResult = {
    label: target.label,
    rate,
    subscribed: connected.subscribed,
    failed: connected.failed,
    emptyRssMb: mb(empty.rssBytes),
    idleRssMb: mb(idle.rssBytes),
    peakRssMb: mb(peakRss),
    cpuPercent: Math.round(((after.cpuSeconds - (await before!).cpuSeconds) / measuredFor) * 100),
    clientCpuPercent: Math.round((clientCpuMs / 1000 / measuredFor) * 100),
    clientRssMb,
    published: total - warmUp,
    expected,
    delivered,
    lost: expected - delivered,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    max: latencies.at(-1) ?? NaN,
    achievedRate: Math.round((total - warmUp) / measuredFor),
    loadBefore,
    loadAfter,
    closeCodes,
    closed,
    errors,
    cpuMsPerEvent: {},
    othersCpu: Object.fromEntries(
      await Promise.all(
        Object.keys(target.others).map(async (name, k) => [name, Math.round(((othersAfter[k]!.cpuSeconds - (await othersBefore!)[k]!.cpuSeconds) / measuredFor) * 100)] as const),
      ),
    ),
  };
  const perEvent = (percent: number) => Math.round(((percent / 100) * measuredFor * 1000 * 100) / (total - warmUp)) / 100;
  result.cpuMsPerEvent = { gateway: perEvent(result.cpuPercent), ...Object.fromEntries(Object.entries(result.othersCpu).map(([name, percent]) => [name, perEvent(percent)])) };
  say(JSON.stringify(result));
  return result;
}

/**
 * Hive Gateway's configuration: its NATSPubSub on a nats-server of its own, and the one
 * Subscription field its design can serve from NATS without our subgraphs changing (see
 * docs/benchmarks.md): a gateway-defined field on a per-recipient topic, whose payload is the result.
 */
const HIVE_CONFIG = `
import { defineConfig, NATSPubSub } from '@graphql-hive/gateway';
import { connect } from '@nats-io/transport-node';

export const gatewayConfig = defineConfig({
  logging: 'warn',
  pubsub: new NATSPubSub(await connect({ servers: process.env.HIVE_BENCH_NATS_URL }), { subjectPrefix: 'hive' }),
  additionalTypeDefs: /* GraphQL */ \`
    type BenchNotification { id: ID! recipientId: ID! }
    extend type Subscription {
      benchNotificationReceived(recipientId: ID!): BenchNotification! @resolveTo(pubsubTopic: "notification.{args.recipientId}")
    }
  \`,
});
`;
const HIVE_SUBSCRIPTION = 'subscription OnBenchNotification($recipientId: ID!) { benchNotificationReceived(recipientId: $recipientId) { id recipientId } }';

async function startHiveWithNats(version: string) {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hive-bench-'));
  const natsMonitorPort = await findFreePort();
  const nats = await startNatsServer({ port: await findFreePort(), monitorPort: natsMonitorPort, storeDir: path.join(dir, 'nats') });
  const gateway = await startHive({
    version,
    configName: 'bench-gateway',
    config: HIVE_CONFIG,
    supergraphPath: path.join(repoRoot, 'schema/supergraph.graphql'),
    env: { HIVE_BENCH_NATS_URL: nats.url },
  });
  const publisher = await connectToNats(nats.url, 'bench-subscriptions-hive');
  return {
    pid: gateway.pid,
    natsPid: pidOfPort(Number(new URL(nats.url).port)),
    port: gateway.port,
    publisher,
    subscriptions: async () => ((await (await fetch(`http://127.0.0.1:${natsMonitorPort}/subsz`)).json()) as { num_subscriptions: number }).num_subscriptions,
    stop: async () => {
      await publisher.close();
      await gateway.stop();
      await nats.stop();
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}

if (!values['no-build']) buildServices();
const stack = await startBenchStack(
  {
    // Every client connects from 127.0.0.1: the per-address cap (20 by default) goes up for the run.
    GATEWAY_WS_MAX_CONNECTIONS_PER_IP: String(subscriberCount + 100),
    GATEWAY_WS_MAX_CONNECTIONS_PER_USER: String(Math.max(10, perAccount)),
    ...(stagesDir ? { BENCH_PROBE_DIR: stagesDir } : {}),
  },
  // --cpu-prof DIR: every service writes a V8 CPU profile there when it stops.
  [...cpuProfileArgs(values['cpu-prof']), ...probeArgs],
);
let hive: Awaited<ReturnType<typeof startHiveWithNats>> | undefined;
stopOnInterrupt(() => Promise.all([stack.stop(), hive?.stop()]));
try {
  console.log(`registering ${accountCount} job seekers…`);
  let started = performance.now();
  const registered = await registerAccounts(stack);
  const { accounts } = registered;
  console.log(`registered in ${Math.round((performance.now() - started) / 1000)} s`);
  // Measured once the registrations' events are out (the services' copies of the users follow them).
  await waitForOutbox(stack.env.USERS_DATABASE_URL!, 'users');
  const eventCount = Math.max(...rates.map((rate) => publishSchedule(rate, warmUpSeconds, values.step!).warmUpEvents + rate * seconds));
  started = performance.now();
  const notificationIds = await makeNotifications(stack.env.NOTIFICATIONS_DATABASE_URL!, accounts, eventCount);
  console.log(`${eventCount} in-app notifications made in ${Math.round((performance.now() - started) / 1000)} s`);

  const gatewayBase = stack.urls.gateway!.replace(/\/graphql$/, '');
  const metricsUrl = `${gatewayBase}/metrics`;
  const gatewayPid = pidOfPort(Number(new URL(gatewayBase).port));
  const natsPid = pidOfPort(Number(new URL(stack.natsUrlOf('notifications')).port));
  const publisher = await connectToNats(stack.natsUrlOf('notifications'), 'bench-subscriptions', { inboxPrefix: natsInboxPrefixOf('notifications') });
  const ours: Target = {
    label: 'our gateway (@apollo/gateway + graphql-ws + NATS fan-out)',
    wsUrl: stack.urls.gateway!.replace(/^http/, 'ws'),
    query: ON_NOTIFICATION,
    variablesOf: () => undefined,
    publish: ({ notificationId, recipientId }) => {
      const envelope = createEnvelope('notifications', 'notifications.notification.created.v1', { notificationId, recipientId, notificationType: 'in_app' });
      publisher.publish('notifications.notification.created.v1', JSON.stringify(envelope));
    },
    flush: () => publisher.flush(),
    sample: () => procSample(gatewayPid),
    listening: () => metricSum(metricsUrl, 'gateway_active_subscriptions'),
    others: { notifications: pidOfPort(Number(new URL(stack.urls.notifications!).port)), 'nats-server': natsPid },
  };
  const results: PhaseResult[] = [];
  for (const rate of rates) {
    await waitForQuiet(maxLoad);
    await registered.refresh();
    results.push(await runPhase(ours, rate, accounts, notificationIds));
  }
  const delivered = await fetch(metricsUrl).then((r) => r.text());
  const outcomes = delivered.split('\n').filter((line) => line.startsWith('gateway_subscription_events_total{'));

  if (!values['no-hive']) {
    hive = await startHiveWithNats(values['hive-version']!);
    const running = hive;
    await waitForQuiet(maxLoad);
    await registered.refresh();
    results.push(
      await runPhase(
        {
          label: `Hive Gateway ${values['hive-version']} (NATSPubSub, gateway-defined field)`,
          wsUrl: `ws://127.0.0.1:${running.port}/graphql`,
          query: HIVE_SUBSCRIPTION,
          variablesOf: (account) => ({ recipientId: account.userId }),
          publish: ({ notificationId, recipientId }) => running.publisher.publish(`hive:notification.${recipientId}`, JSON.stringify({ id: notificationId, recipientId })),
          flush: () => running.publisher.flush(),
          sample: () => procSample(running.pid),
          listening: running.subscriptions,
          others: { 'nats-server': running.natsPid },
        },
        rates[0]!,
        accounts,
        notificationIds,
      ),
    );
  }
  await registered.close();
  await publisher.close();

  console.log(`\nCommand: ${command}`);
  console.log(`Machine: ${machineDescription()}`);
  console.log(`nproc: ${execSync('nproc', { encoding: 'utf8' }).trim()}; CPU: ${os.cpus()[0]?.model}; date: ${new Date().toISOString()}`);
  console.log(execSync('free -g', { encoding: 'utf8' }));
  console.log(
    `${subscriberCount} subscribers (${accountCount} accounts × ${perAccount} connection${perAccount > 1 ? 's' : ''}), ${rates.join(' and ')} events/s for ${seconds} s after ${warmUpDescription}, each event to one account.\n`,
  );
  const row = (r: PhaseResult) =>
    `| ${r.label} | ${r.rate} | ${r.subscribed} (${r.failed} failed) | ${r.emptyRssMb} | ${r.idleRssMb} | ${r.peakRssMb} | ${r.achievedRate} | ${r.delivered}/${r.expected} (${r.lost} lost) | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.max.toFixed(1)} | ${r.cpuPercent}% | ${r.clientCpuPercent}% | ${r.loadBefore} → ${r.loadAfter} |`;
  console.log(
    [
      '| gateway | target events/s | subscribers | RSS MB before clients | RSS MB, all subscribed, idle | peak RSS MB | events/s | delivered | p50 ms | p95 ms | p99 ms | max ms | gateway CPU | clients CPU | load avg (1, 5, 15 min) before → after |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
      ...results.map(row),
    ].join('\n'),
  );
  console.log(`\nour gateway's gateway_subscription_events_total after its phase:\n${outcomes.join('\n')}`);
  for (const r of results)
    console.log(
      `${r.label} at ${r.rate}/s: CPU of the other processes ${JSON.stringify(r.othersCpu)} (%), CPU ms per event ${JSON.stringify(r.cpuMsPerEvent)}; client process peak RSS ${r.clientRssMb} MB`,
    );
  for (const r of results)
    if (Object.keys(r.closeCodes).length > 0 || r.errors > 0)
      console.log(`${r.label}: ${r.closed} sockets closed by the server ${JSON.stringify(r.closeCodes)}, error messages ${r.errors}`);
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  await hive?.stop();
  await stack.stop();
}
