// npm run bench:notifications — the notifications figures of docs/benchmarks.md, on the benchmark
// stack (every service as its own production process, embedded PostgreSQL, nats-server):
//  1. latency: applications events published to JetStream at --latency-rate events/s (default 200)
//     for --seconds after a warm-up that is not counted (--warm-up seconds, default 5, in which the
//     rate climbs from a tenth of the target: a process that has served nothing yet is slow in its
//     first second, and the target is the steady rate), as the applications relay publishes them (status changes to applicants the
//     platform has not heard of: one in-app notification each); per event, from the publish to
//     the in-app row committed in notifications_db (seen by a poller every 10 ms: each figure is
//     late by at most that, never early), p50/p95/p99/max, and the slowest event of each second of
//     the phase (where the tail sits);
//  2. sustained: --sustained-rate events/s (default 1000) for --seconds, all to one signed-in user
//     (this also fills the inbox that phase 3 reads); every second, events published, rows
//     committed and the backlog between them; whether the backlog grew (its mean over the second
//     half against the first half's); how long the rest took to drain after the publisher stopped;
//  3. reading: MyNotifications(first: 20) with totalCount and unreadCount for that user (by
//     default 10,000 notifications), straight to the notifications subgraph (the `_entities`
//     call the gateway makes), against Me straight to users, interleaved rounds in one run
//     (target: at least 0.8× Me's req/s); also MyNotifications through the gateway, for reference;
//     for each measurement, the CPU per request of the gateway, users, notifications, PostgreSQL
//     (all of its processes) and this process (the load generator), from /proc, less what each
//     used with no requests (read over 5 s before the phase), each database's transactions and
//     buffers read per request (pg_stat_database), and which tables autovacuum worked on while it
//     ran. Before the phase the services' consumers have applied every event
//     (waitForConsumers: analytics records the same applications events) and every database is
//     vacuumed and analyzed (settleDatabases), so that neither is still catching up with what the
//     phases before wrote while the requests are timed.
// It builds first (npx turbo run build, cached) unless --no-build. Options: --seconds N (phases 1
// and 2, default 20), --latency-rate N, --sustained-rate N, --inbox N (notifications the reader
// has; the sustained phase makes seconds × rate of them, the rest are published before phase 3),
// --load-seconds N (per measurement in phase 3, default 10), --rounds N (default 2),
// --connections N (default 50), --others N (notifications of 5,000 other users beside the reader's
// before the reading phase, default 50,000; written straight into notifications_db), --max-load X (before each phase and each reading measurement, wait
// up to 15 minutes for the 1-minute load average to fall to X: the machines are shared), --cpu-prof
// DIR (every service writes a V8 CPU profile there when the run ends), --statements (PostgreSQL runs
// with pg_stat_statements, planning counted: for each reading measurement, the statements that took
// the most of its time, with calls and plans per request and the time and buffers of each call),
// --only-events (phases 1 and 2 alone), --only-reading (phase 3 alone, the inbox filled as fast as it goes).
import { execSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { connectToNats, createEnvelope, natsInboxPrefixOf, type EventEnvelope } from '@jobplatform/events';
import { postGraphQL, publishEnvelope } from '@jobplatform/testing';
import { procSample } from './hive-gateway.js';
import { loadGenerator, postgresAt, processAt } from './request-profile.js';
import {
  buildServices,
  clientOperation,
  dataOf,
  loadAverage,
  loadGraphQL,
  machineDescription,
  markdownTable,
  percentile,
  postDirect,
  settleDatabases,
  stackDatabaseUrls,
  startBenchStack,
  statementStatisticsSettings,
  stopOnInterrupt,
  waitForConsumers,
  waitForQuiet,
  watchAutovacuum,
  type LoadResult,
  cpuProfileArgs,
  mean,
  meanOfRuns,
  publishSchedule,
} from './bench-stack.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '20' },
    'warm-up': { type: 'string', default: '5' },
    'latency-rate': { type: 'string', default: '200' },
    'sustained-rate': { type: 'string', default: '1000' },
    inbox: { type: 'string', default: '10000' },
    others: { type: 'string', default: '50000' },
    'load-seconds': { type: 'string', default: '10' },
    rounds: { type: 'string', default: '2' },
    connections: { type: 'string', default: '50' },
    'max-load': { type: 'string' },
    'cpu-prof': { type: 'string' },
    'no-build': { type: 'boolean', default: false },
    statements: { type: 'boolean', default: false },
    /** Only the reading measurements (the inbox is filled as fast as it goes): for a quiet run of them alone. */
    'only-reading': { type: 'boolean', default: false },
    /** Only phases 1 and 2 (the event phases): for repeated runs of the consumer's figures. */
    'only-events': { type: 'boolean', default: false },
  },
});
const seconds = Number(values.seconds);
const warmUpSeconds = Number(values['warm-up']);
const latencyRate = Number(values['latency-rate']);
const sustainedRate = Number(values['sustained-rate']);
const inboxSize = Number(values.inbox);
const otherUsersNotifications = Number(values.others);
/** The other users the --others notifications are spread over, with ids no account of the stack has. */
const OTHER_USERS = 5_000;
const FIRST_OTHER_USER_ID = 900_000_000;
const loadSeconds = Number(values['load-seconds']);
const rounds = Number(values.rounds);
const connections = Number(values.connections);
const maxLoad = values['max-load'] === undefined ? undefined : Number(values['max-load']);
const onlyReading = values['only-reading'];
const onlyEvents = values['only-events'];
if (onlyReading && onlyEvents) throw new Error('--only-reading and --only-events leave nothing to run together; give one');
/** How long each process's CPU is read with no requests, before the reading phase. */
const IDLE_SAMPLE_MS = 5_000;
const command = `npm run bench:notifications -- ${process.argv.slice(2).join(' ')}`.trim();

const MY_NOTIFICATIONS = clientOperation('notifications', 'MyNotifications');
/** The selection MyNotifications asks of notifications, as the gateway sends it there: User.notifications by entity. */
const NOTIFICATIONS_PART = `query MyNotificationsPart($representations: [_Any!]!, $first: Int) {
  _entities(representations: $representations) {
    ... on User {
      notifications(first: $first) {
        totalCount
        unreadCount
        edges { cursor node { id title message notificationType status metadata createdAt sentAt readAt } }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
}`;
const ME = 'query Me { me { id username email firstName lastName userType isVerified dateJoined } }';
const REGISTER = 'mutation Register($input: RegisterInput!) { register(input: $input) { accessToken user { id } } }';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A status change of an application (reviewing → shortlisted), as the applications relay would publish it. */
function statusChange(sequence: number, applicantId: string): EventEnvelope<'applications.application.status_changed.v1'> {
  return createEnvelope('applications', 'applications.application.status_changed.v1', {
    applicationId: String(1_000_000 + sequence),
    jobId: String(1 + (sequence % 500)),
    applicantId,
    employerId: '900000001',
    companyId: '900000001',
    companyMemberIds: [],
    fromStatus: 'reviewing',
    toStatus: 'shortlisted',
    isActive: true,
    actorKind: 'employer',
    changedBy: '900000001',
    reason: null,
  });
}

/**
 * Publishes `rate` events a second for `seconds` after `warmUp` seconds in which the rate climbs
 * from a tenth of `rate` (publishSchedule), in 20 ms ticks, without waiting for one publish to be
 * acknowledged before the next is sent (as a relay with several events ready does). Calls
 * `published` with each event, when its publish was sent and whether it falls in the warm-up.
 */
async function publishAtRate(
  nats: Awaited<ReturnType<typeof connectToNats>>,
  rate: number,
  seconds: number,
  next: (sequence: number) => EventEnvelope,
  published: (envelope: EventEnvelope, sentAt: number, warmingUp: boolean) => void,
  warmUp = 0,
): Promise<{ sent: number; seconds: number }> {
  const schedule = publishSchedule(rate, warmUp, false);
  const total = schedule.warmUpEvents + Math.round(rate * seconds);
  const started = performance.now();
  const inFlight = new Set<Promise<void>>();
  let sent = 0;
  let measuredFrom = started;
  while (sent < total) {
    const elapsedMs = performance.now() - started;
    for (; sent < total && schedule.dueMs(sent) <= elapsedMs; sent += 1) {
      if (sent === schedule.warmUpEvents) measuredFrom = performance.now();
      const envelope = next(sent);
      const sentAt = Date.now();
      const warmingUp = sent < schedule.warmUpEvents;
      const publish = publishEnvelope(nats, envelope).then(() => published(envelope, sentAt, warmingUp));
      inFlight.add(publish);
      void publish.finally(() => inFlight.delete(publish));
    }
    await sleep(20);
  }
  await Promise.all(inFlight);
  return { sent: total - schedule.warmUpEvents, seconds: (performance.now() - measuredFrom) / 1000 };
}

if (!values['no-build']) buildServices();
const stack = await startBenchStack({}, cpuProfileArgs(values['cpu-prof']), values.statements ? statementStatisticsSettings : {});
stopOnInterrupt(() => stack.stop());
const db = new pg.Client({ connectionString: stack.env.NOTIFICATIONS_DATABASE_URL! });
await db.connect();
db.on('error', () => undefined);
// As the cluster's superuser: names other roles' backends by kind (a service's role sees them without).
const admin = new pg.Client({ connectionString: stack.adminDatabaseUrl });
await admin.connect();
admin.on('error', () => undefined);
const nats = await connectToNats(stack.natsUrlOf('applications'), 'bench-notifications', { inboxPrefix: natsInboxPrefixOf('applications') });
try {
  // The reader: a job seeker signed up through the gateway, whose account notifications hears of from users' events.
  const registered = await postGraphQL(stack.urls.gateway!, {
    query: REGISTER,
    variables: { input: { username: 'bench_reader', email: 'reader@bench.example', password: 'benchmark password 1', userType: 'JOB_SEEKER' } },
  });
  const readerId = dataOf('register', registered).register.user.id as string;
  const signIn = async () =>
    dataOf(
      'login',
      await postGraphQL(stack.urls.gateway!, {
        query: 'mutation L($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }',
        variables: { e: 'reader@bench.example', p: 'benchmark password 1' },
      }),
    ).login.accessToken as string;

  const countReader = async () =>
    Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM notifications WHERE user_id = $1 AND notification_type = 'in_app'`, [readerId])).rows[0]!.n);
  /** Phases 1 and 2 (latency at a steady rate, a sustained rate); returns what prints their results. */
  const eventPhases = async () => {
    // 1. Latency at a steady rate, each event to an applicant nobody has heard of (no mail: in-app only).
    await waitForQuiet(maxLoad);
    console.log(`latency: ${latencyRate} events/s for ${seconds} s after a ${warmUpSeconds} s warm-up, load average ${loadAverage()}…`);
    const sentAt = new Map<string, { at: number; warmingUp: boolean }>();
    const latencies: number[] = [];
    /** Each event's latency by the second of the phase it was published in, warm-up included: where the tail sits. */
    const latenciesBySecond: number[][] = [];
    const phaseStarted = Date.now();
    let polling = true;
    const poller = (async () => {
      while (polling || sentAt.size > 0) {
        const waiting = [...sentAt.keys()];
        if (waiting.length > 0) {
          const { rows } = await db.query<{ source_event_id: string }>(
            `SELECT source_event_id FROM notifications WHERE notification_type = 'in_app' AND source_event_id = ANY($1::char(26)[])`,
            [waiting],
          );
          const seen = Date.now();
          for (const row of rows) {
            const { at, warmingUp } = sentAt.get(row.source_event_id)!;
            if (!warmingUp) latencies.push(seen - at);
            (latenciesBySecond[Math.floor((at - phaseStarted) / 1000)] ??= []).push(seen - at);
            sentAt.delete(row.source_event_id);
          }
        }
        await sleep(10);
      }
    })();
    const latencyRun = await publishAtRate(
      nats,
      latencyRate,
      seconds,
      (i) => statusChange(i, String(800_000_000 + i)),
      (envelope, at, warmingUp) => sentAt.set(envelope.id, { at, warmingUp }),
      warmUpSeconds,
    );
    polling = false;
    await Promise.race([poller, sleep(60_000).then(() => Promise.reject(new Error(`${sentAt.size} events made no notification within 60 s`)))]);
    latencies.sort((a, b) => a - b);

    // 2. Sustained: everything to the reader, counted each second.
    await waitForQuiet(maxLoad);
    console.log(`sustained: ${sustainedRate} events/s for ${seconds} s, load average ${loadAverage()}…`);
    const base = await countReader();
    let publishedCount = 0;
    const samples: { second: number; published: number; committed: number }[] = [];
    let sampling = true;
    const sampler = (async () => {
      const started = performance.now();
      for (let second = 1; sampling; second += 1) {
        await sleep(Math.max(0, started + second * 1000 - performance.now()));
        samples.push({ second, published: publishedCount, committed: (await countReader()) - base });
      }
    })();
    const sustainedRun = await publishAtRate(
      nats,
      sustainedRate,
      seconds,
      (i) => statusChange(10_000_000 + i, readerId),
      () => (publishedCount += 1),
    );
    const stoppedAt = performance.now();
    while ((await countReader()) - base < sustainedRun.sent) {
      if (performance.now() - stoppedAt > 300_000) throw new Error('the backlog did not drain within 5 minutes');
      await sleep(50);
    }
    const drainMs = performance.now() - stoppedAt;
    sampling = false;
    await sampler;
    const backlogs = samples.filter((s) => s.second >= 1 && s.second <= seconds).map((s) => ({ second: s.second, backlog: s.published - s.committed }));
    const meanBacklog = (from: number, to: number) => mean(backlogs.filter((s) => s.second >= from && s.second <= to).map((s) => s.backlog));
    const half = Math.floor(seconds / 2);
    return () => {
      console.log(`1. Event published → in-app row committed, ${latencyRun.sent} events at ${latencyRate}/s (achieved ${(latencyRun.sent / latencyRun.seconds).toFixed(0)}/s):`);
      console.log('| p50 ms | p95 ms | p99 ms | max ms | target p99 |');
      console.log('|---:|---:|---:|---:|---|');
      const p99 = percentile(latencies, 99);
      console.log(`| ${percentile(latencies, 50)} | ${percentile(latencies, 95)} | ${p99} | ${latencies.at(-1)} | ≤ 500 ms: ${p99 <= 500 ? 'met' : 'missed'} |`);
      console.log(
        `the slowest event of each second, by the second it was published in (ms; ${warmUpSeconds} s of warm-up first, not counted above): ${latenciesBySecond
          .map((inSecond, second) => `${second < warmUpSeconds ? 'warm-up ' : ''}${second + 1}s: ${Math.max(...inSecond)}`)
          .join(', ')}`,
      );
      console.log(
        `\n2. Sustained ${sustainedRate} events/s for ${seconds} s (achieved ${(sustainedRun.sent / sustainedRun.seconds).toFixed(0)}/s): backlog (published − committed) each second:`,
      );
      console.log(
        samples
          .filter((s) => s.second <= seconds)
          .map((s) => `${s.second}s: ${s.published - s.committed}`)
          .join(', '),
      );
      // Growing: the second half's mean backlog above the first half's by more than half a second
      // of events. The backlog swings by a batch or two from one second to the next, so one
      // second's sample against another's says little.
      const firstHalf = meanBacklog(1, half);
      const secondHalf = meanBacklog(half + 1, seconds);
      const grew = secondHalf > firstHalf + sustainedRate / 2;
      console.log(
        `mean backlog over seconds 1–${half}: ${Math.round(firstHalf)}, over ${half + 1}–${seconds}: ${Math.round(secondHalf)} (${grew ? 'growing' : 'not growing'}); the rest drained ${Math.round(drainMs)} ms after the publisher stopped`,
      );
    };
  };
  const printEventPhases = onlyReading ? undefined : await eventPhases();

  const printHeader = () => {
    console.log(`\nCommand: ${command}`);
    console.log(`Machine: ${machineDescription()}`);
    console.log(`nproc: ${execSync('nproc', { encoding: 'utf8' }).trim()}; load average after: ${loadAverage()}`);
    console.log(execSync('free -g', { encoding: 'utf8' }));
  };
  /** Phase 3 (and the inbox it reads): prints the whole run's results at its end. */
  const readingPhase = async () => {
    // The rest of the inbox, as fast as it goes.
    const missing = inboxSize - (await countReader());
    if (missing > 0) {
      console.log(`filling the reader's inbox: ${missing} more…`);
      await publishAtRate(
        nats,
        2000,
        missing / 2000,
        (i) => statusChange(20_000_000 + i, readerId),
        () => undefined,
      );
      while ((await countReader()) < inboxSize) await sleep(200);
    }
    // Other users' notifications beside the reader's, as on a platform with more than one user: with
    // the reader's rows (nearly) alone in the table, PostgreSQL's statistics made a plan for that one
    // user look cheaper than the generic one, and it planned the page afresh on every call (about
    // 0.3 ms of its CPU a page) where a table of many users' rows keeps the prepared generic plan.
    const others = Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM notifications WHERE user_id <> $1`, [readerId])).rows[0]!.n);
    if (otherUsersNotifications > others) {
      console.log(`other users' notifications: ${otherUsersNotifications - others} more over ${OTHER_USERS} users…`);
      await db.query(
        `INSERT INTO notifications (user_id, title, message, notification_type, status, event, metadata, source_event_id, created_at, sent_at, read_at)
         SELECT $1::bigint + g % $2::int, 'Your application moved', 'The employer moved your application to reviewing.', 'in_app',
           CASE WHEN g % 3 = 0 THEN 'read' ELSE 'sent' END, 'application_status_changed', '{"status": "REVIEWING"}', 'BENCHOTHER' || lpad(g::text, 16, '0'),
           now(), now(), CASE WHEN g % 3 = 0 THEN now() END
         FROM generate_series(1, $3::int) AS g`,
        [FIRST_OTHER_USER_ID, OTHER_USERS, otherUsersNotifications - others],
      );
    }
    await waitForConsumers(stack);
    await settleDatabases(stackDatabaseUrls(stack));

    // 3. Reading, straight to each subgraph as the gateway calls it, and through the gateway.
    let token = await signIn();
    const part = { query: NOTIFICATIONS_PART, variables: { representations: [{ __typename: 'User', id: readerId }], first: 20 } };
    const me = { query: ME };
    const mine = { query: MY_NOTIFICATIONS, variables: { first: 20 } };
    const checked = await postDirect(stack, stack.urls.notifications!, part, token);
    if (checked.errors) throw new Error(`notifications: ${JSON.stringify(checked.errors)}`);
    const inbox = checked.data!._entities[0].notifications;
    if (inbox.totalCount < inboxSize || inbox.edges.length !== 20) throw new Error(`the inbox has ${inbox.totalCount} notifications and a page of ${inbox.edges.length}`);
    const meChecked = await postDirect(stack, stack.urls.users!, me, token);
    if (meChecked.errors || meChecked.data!.me.id !== readerId) throw new Error(`me: ${JSON.stringify(meChecked.errors ?? meChecked.data)}`);
    const measurements = [
      { label: 'Me direct to users', url: stack.urls.users!, body: me, direct: true },
      {
        label: `MyNotifications(first: 20) direct to notifications, ${inbox.totalCount.toLocaleString('en-US')} notifications`,
        url: stack.urls.notifications!,
        body: part,
        direct: true,
      },
      { label: 'MyNotifications(first: 20) through gateway', url: stack.urls.gateway!, body: mine, direct: false },
    ];
    for (const m of measurements) await loadGraphQL('warm-up', m.url, m.body, { connections: 10, seconds: 2, token, ...(m.direct ? { hopSecret: stack.hopSecret } : {}) });
    const results: LoadResult[] = [];
    // What each request cost the processes on its way: the service asked (or the gateway and
    // notifications), PostgreSQL (postmaster and backends), and this process, which is the load generator.
    // Each process is looked up once (by the port it listens on), not at every reading.
    const cpuProcesses = [
      processAt('gateway', stack.urls.gateway!),
      processAt('users', stack.urls.users!),
      processAt('notifications', stack.urls.notifications!),
      postgresAt(stack.env.NOTIFICATIONS_DATABASE_URL!),
      loadGenerator,
    ];
    const readCpu = async () => Object.fromEntries(await Promise.all(cpuProcesses.map(async ({ name, cpu }) => [name, await cpu()] as const)));
    // PostgreSQL's CPU by backend: each backend's own (from /proc), named by its database and kind
    // (pg_stat_activity), so that what the requests cost is told apart from what other services'
    // backends (relays, consumers, periodic work) spend in the same cluster.
    const readBackendCpu = async () => {
      const { rows } = await admin.query<{ pid: number; owner: string }>(
        `SELECT pid, coalesce(datname, '-') || ' ' || backend_type AS owner FROM pg_stat_activity WHERE pid <> pg_backend_pid()`,
      );
      const cpu = new Map<number, { owner: string; seconds: number }>();
      for (const { pid, owner } of rows) {
        const seconds = await procSample(pid).then(
          (sample) => sample.cpuSeconds,
          () => undefined,
        );
        if (seconds !== undefined) cpu.set(pid, { owner, seconds });
      }
      return cpu;
    };
    // Each database's transactions and buffer reads (pg_stat_database, which backends update within
    // a second of a transaction), to put next to PostgreSQL's CPU per request.
    const readDatabaseActivity = async () =>
      new Map(
        (
          await db.query<{ datname: string; xacts: string; blocks: string }>(
            `SELECT datname, xact_commit + xact_rollback AS xacts, blks_hit + blks_read AS blocks FROM pg_stat_database WHERE datname IS NOT NULL`,
          )
        ).rows.map((row) => [row.datname, { xacts: Number(row.xacts), blocks: Number(row.blocks) }]),
      );
    const cpuRows: string[] = [];
    // With --statements: what each measurement's statements cost PostgreSQL, per call.
    const statementRows: string[] = [];
    if (values.statements) await admin.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    const readStatements = async (label: string, requests: number) => {
      const { rows } = await admin.query<{ datname: string; calls: string; plans: string; plan_ms: number; exec_ms: number; blocks: string; query: string }>(
        `SELECT d.datname, s.calls, s.plans, s.total_plan_time AS plan_ms, s.total_exec_time AS exec_ms, s.shared_blks_hit + s.shared_blks_read AS blocks,
           left(regexp_replace(s.query, '\\s+', ' ', 'g'), 70) AS query
         FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
         WHERE d.datname IN ('users_db', 'notifications_db') ORDER BY s.total_plan_time + s.total_exec_time DESC LIMIT 3`,
      );
      for (const row of rows) {
        const calls = Number(row.calls);
        statementRows.push(
          `| ${label} | ${row.datname} | \`${row.query.replaceAll('|', '\\|')}…\` | ${(calls / requests).toFixed(2)} | ${(Number(row.plans) / calls).toFixed(2)} | ${Number(row.plans) > 0 ? (row.plan_ms / Number(row.plans)).toFixed(3) : '–'} | ${(row.exec_ms / calls).toFixed(3)} | ${(Number(row.blocks) / calls).toFixed(1)} |`,
        );
      }
    };
    // Each process's CPU with no requests (relays, timers, autovacuum after the inbox was filled), per
    // second over 5 s, taken out of each measurement's figures so that they show what the requests cost.
    await waitForQuiet(maxLoad);
    const idleStart = await readCpu();
    await new Promise((resolve) => setTimeout(resolve, IDLE_SAMPLE_MS));
    const idleEnd = await readCpu();
    const idlePerSecond = Object.fromEntries(cpuProcesses.map(({ name }) => [name, (idleEnd[name]! - idleStart[name]!) / (IDLE_SAMPLE_MS / 1000)]));
    console.log(`reading: load average before measuring ${loadAverage()}`);
    for (let round = 1; round <= rounds; round += 1) {
      token = await signIn();
      for (let k = 0; k < measurements.length; k += 1) {
        const m = measurements[(k + round - 1) % measurements.length]!;
        await waitForQuiet(maxLoad);
        const autovacuum = await watchAutovacuum(stack.adminDatabaseUrl);
        if (values.statements) await admin.query('SELECT pg_stat_statements_reset()');
        const activityBefore = await readDatabaseActivity();
        const backendsBefore = await readBackendCpu();
        const before = await readCpu();
        const started = performance.now();
        const result = await loadGraphQL(`${m.label}, round ${round}`, m.url, m.body, {
          connections,
          seconds: loadSeconds,
          token,
          ...(m.direct ? { hopSecret: stack.hopSecret } : {}),
        });
        const after = await readCpu();
        const backendsAfter = await readBackendCpu();
        const autovacuumSeen = await autovacuum.stop();
        const elapsedSeconds = (performance.now() - started) / 1000;
        results.push(result);
        const requests = result.requestsPerSecond * loadSeconds;
        if (values.statements) await readStatements(result.label, requests);
        await sleep(1_100);
        const activityAfter = await readDatabaseActivity();
        const activity = [...activityAfter]
          .map(([database, { xacts, blocks }]) => {
            const was = activityBefore.get(database) ?? { xacts: 0, blocks: 0 };
            return { database, xacts: (xacts - was.xacts) / requests, blocks: (blocks - was.blocks) / requests };
          })
          .filter((row) => row.xacts >= 0.05)
          .map((row) => `${row.database} ${row.xacts.toFixed(2)} / ${row.blocks.toFixed(1)}`)
          .join(', ');
        const backendCpu = new Map<string, number>();
        for (const [pid, { owner, seconds }] of backendsAfter) {
          const was = backendsBefore.get(pid);
          if (was) backendCpu.set(owner, (backendCpu.get(owner) ?? 0) + seconds - was.seconds);
        }
        const pgCpuByOwner = [...backendCpu]
          .filter(([, seconds]) => (1000 * seconds) / requests >= 0.01)
          .sort((a, b) => b[1] - a[1])
          .map(([owner, seconds]) => `${owner} ${((1000 * seconds) / requests).toFixed(2)}`)
          .join(', ');
        cpuRows.push(
          `| ${result.label} | ${cpuProcesses
            .map(({ name }) => ((1000 * (after[name]! - before[name]! - idlePerSecond[name]! * elapsedSeconds)) / requests).toFixed(2))
            .join(' | ')} | ${pgCpuByOwner || 'none'} | ${activity || 'none'} | ${autovacuumSeen} |`,
        );
      }
    }
    const meanRate = (prefix: string) => meanOfRuns(results, prefix, (r) => r.requestsPerSecond);
    const ratio = meanRate('MyNotifications(first: 20) direct') / meanRate('Me direct');

    printHeader();
    printEventPhases?.();
    console.log(`\n3. Reading, ${connections} connections, ${loadSeconds} s per measurement:\n`);
    console.log(markdownTable(results));
    console.log(
      `\nCPU ms per request, by process (from /proc, less each process's CPU with no requests: ${Object.entries(idlePerSecond)
        .map(([name, seconds]) => `${name} ${(100 * seconds).toFixed(1)} %`)
        .join(', ')} of a core; the load generator is this process):\n`,
    );
    console.log(
      [
        `| run | ${cpuProcesses.map(({ name }) => name).join(' | ')} | PostgreSQL's CPU ms per request by backend (database, kind; those alive throughout) | per request, by database: transactions / buffers read | autovacuum running (share of the measurement) |`,
        `|---|${cpuProcesses
          .map(({ name }) => name)
          .map(() => '---:')
          .join('|')}|---|---|---|`,
        ...cpuRows,
      ].join('\n'),
    );
    if (values.statements)
      console.log(
        [
          "\nThe statements that took most of PostgreSQL's time in each measurement (pg_stat_statements):\n",
          '| run | database | statement | calls per request | plans per call | plan ms per plan | execution ms per call | buffers per call |',
          '|---|---|---|---:|---:|---:|---:|---:|',
          ...statementRows,
        ].join('\n'),
      );
    console.log(
      `\nMyNotifications direct / Me direct: ${Math.round(meanRate('MyNotifications(first: 20) direct'))} / ${Math.round(meanRate('Me direct'))} req/s = ×${ratio.toFixed(2)} (target ≥ 0.8: ${ratio >= 0.8 ? 'met' : 'missed'})`,
    );
  };
  if (onlyEvents) {
    printHeader();
    printEventPhases!();
  } else await readingPhase();
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  await nats.close();
  await db.end();
  await admin.end();
  await stack.stop();
}
