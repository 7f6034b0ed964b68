import { headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import pg from 'pg';
import type { Logger } from '@jobplatform/config';
import { outboxChannel, outboxIdleLockKey } from './event-tables-sql.js';
import { cacheForScrapes, type EventMetrics, type OutboxBacklog } from './event-metrics.js';
import { checkOutClient, deleteBatch } from './sql-client.js';
import { defaultStreamLimits, ensureStreams, publishedOutboxRetentionMs, type StreamLimits } from './streams.js';

export type OutboxRelayOptions = {
  /** The producing service; its stream (users -> USERS, users.>) is created or updated at start. */
  service: string;
  streamLimits?: Partial<StreamLimits>;
  /** The service's own database, which holds event_outbox. */
  databaseUrl: string;
  nats: NatsConnection;
  logger?: Logger;
  /** Events locked and published per round. */
  batchSize?: number;
  /** Polling fallback for when a NOTIFY is missed (listener reconnecting, rows inserted by other means). */
  pollIntervalMs?: number;
  /**
   * While the relay is awake it polls instead of relying on NOTIFY (writers then leave NOTIFY out,
   * see outboxIdleLockKey): the pause between two rounds that found nothing while writers were
   * still in their transactions. It bounds the extra delay an event sees under load.
   */
  busyPollMs?: number;
  publishTimeoutMs?: number;
  /**
   * Published rows older than this are deleted, in batches between rounds. By default a day longer
   * than the stream keeps its messages (publishedOutboxRetentionMs).
   */
  keepPublishedMs?: number;
  /** Where the outbox's backlog is reported (the service's /metrics), read when scraped. */
  metrics?: EventMetrics;
  /** How long one reading of the backlog serves scrapes. */
  backlogCacheMs?: number;
  /**
   * Called after JetStream acknowledged a round's events and before they are marked published.
   * Failure tests throw here to act out a relay that dies between the two.
   */
  beforeMarkPublished?: (eventIds: string[]) => void | Promise<void>;
};

export type OutboxRelayStats = {
  published: number;
  duplicates: number;
  failedPublishes: number;
  rounds: number;
  /** NOTIFYs received: writers send one only while a relay sleeps. */
  notifications: number;
};

export type OutboxRelay = {
  /** Asks for a round now, as a NOTIFY would. */
  wake(): void;
  stats(): OutboxRelayStats;
  /** The unpublished rows and the age of the oldest (cached for backlogCacheMs). */
  backlog(): Promise<OutboxBacklog>;
  /** Finishes the round in progress, then closes the relay's database connections. */
  stop(): Promise<void>;
};

type OutboxRow = {
  position: string;
  id: string;
  subject: string;
  source: string;
  aggregate_type: string;
  aggregate_id: string;
  occurred_at: Date;
  traceparent: string;
  tracestate: string | null;
  data: string;
};

/** The envelope as JSON, with the stored payload spliced in as it is (no parse and re-serialise). */
function envelopeJson(row: OutboxRow): string {
  const head = {
    id: row.id,
    type: row.subject,
    source: row.source,
    occurredAt: row.occurred_at.toISOString(),
    aggregateId: row.aggregate_id,
    traceparent: row.traceparent,
    ...(row.tracestate ? { tracestate: row.tracestate } : {}),
  };
  return `${JSON.stringify(head).slice(0, -1)},"data":${row.data}}`;
}

/** Header the consumer uses to keep one aggregate's events in order. */
export const aggregateHeader = 'Event-Aggregate';

/**
 * Publishes the service's outbox to JetStream. Run one in every replica of the service:
 * - each round locks a batch of unpublished events with FOR UPDATE SKIP LOCKED, so replicas share
 *   the work and never publish the same row at the same time;
 * - the msgID of every message is the event id, so a row published again after a crash (published,
 *   not yet marked) is dropped by JetStream within the stream's duplicate window, and by the
 *   consumers' processed-events table after it;
 * - one aggregate's events are published one after another in outbox order, and an event is held
 *   back while an earlier event of its aggregate is locked by another replica;
 * - awake, it polls (rounds back to back while they find events, busyPollMs apart while writers
 *   are still inside their transactions); before it sleeps it takes the idle lock, so that writers
 *   NOTIFY it at commit, and looks once more (outboxIdleLockKey). Writers under load thus spare
 *   themselves NOTIFY, whose commits PostgreSQL serialises; the fallback poll covers a missed one.
 */
export async function startOutboxRelay(options: OutboxRelayOptions): Promise<OutboxRelay> {
  const batchSize = options.batchSize ?? 500;
  const pollIntervalMs = options.pollIntervalMs ?? 1_000;
  const busyPollMs = options.busyPollMs ?? 5;
  const publishTimeoutMs = options.publishTimeoutMs ?? 5_000;
  const streamLimits = { ...defaultStreamLimits, ...options.streamLimits };
  const keepPublishedMs = options.keepPublishedMs ?? publishedOutboxRetentionMs(streamLimits);
  const log = options.logger;
  if (!(keepPublishedMs > 0)) throw new Error(`keepPublishedMs must be positive: ${keepPublishedMs}`);
  if (keepPublishedMs < streamLimits.maxAgeMs) {
    log?.warn({ keepPublishedMs, streamMaxAgeMs: streamLimits.maxAgeMs }, 'outbox relay: published events leave the outbox before they leave the stream');
  }
  await ensureStreams(options.nats, [options.service], options.streamLimits);
  const js: JetStreamClient = jetstream(options.nats);
  const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 2 });
  pool.on('error', (error) => log?.warn({ err: error }, 'outbox relay: idle database connection failed'));
  const stats: OutboxRelayStats = { published: 0, duplicates: 0, failedPublishes: 0, rounds: 0, notifications: 0 };

  let stopping = false;
  let wakeRequested = false;
  let wakeUp: (() => void) | undefined;
  const wake = () => {
    wakeRequested = true;
    wakeUp?.();
  };
  const waitForWake = async (ms: number) => {
    if (wakeRequested || stopping) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    wakeUp = undefined;
  };

  // A dedicated connection for LISTEN; when it fails, polling carries on until it is back. It also
  // holds the idle lock, so the lock goes with the connection: held only while the relay can hear.
  let listener: pg.Client | undefined;
  let listening = false;
  let idleLockHeld = false;
  const listen = async (): Promise<void> => {
    if (stopping) return;
    const client = new pg.Client({ connectionString: options.databaseUrl });
    const reconnect = () => {
      if (listener !== client) return;
      listener = undefined;
      listening = false;
      idleLockHeld = false; // released by PostgreSQL with the session
      client.end().catch(() => undefined);
      wake(); // writers may have stopped notifying: look now, and keep polling
      if (!stopping) setTimeout(() => listen().catch(() => undefined), 1_000).unref();
    };
    client.on('error', (error) => {
      log?.warn({ err: error }, 'outbox relay: LISTEN connection failed; polling until it is back');
      reconnect();
    });
    client.on('end', reconnect);
    client.on('notification', () => {
      stats.notifications += 1;
      wake();
    });
    listener = client;
    try {
      await client.connect();
      await client.query(`LISTEN "${outboxChannel}"`);
      listening = true;
      wake(); // events may have committed while nobody listened
    } catch (error) {
      log?.warn({ err: error }, 'outbox relay: cannot LISTEN; polling meanwhile');
      reconnect();
    }
  };

  /**
   * Takes the idle lock before sleeping. 'acquired': every writer that left NOTIFY out has ended,
   * one more round sees its events, and from now on writers notify. 'other-relay': another relay
   * sleeps with the lock, so writers notify it (and this relay, which listens too). 'writers':
   * transactions that did not notify are still open; keep polling.
   */
  const takeIdleLock = async (): Promise<'acquired' | 'other-relay' | 'writers' | 'not-listening'> => {
    const client = listener;
    if (!client || !listening) return 'not-listening';
    if (idleLockHeld) return 'acquired';
    try {
      const { rows } = await client.query<{ acquired: boolean; other_relay: boolean }>(
        `SELECT "acquired", NOT "acquired" AND EXISTS (
                  SELECT 1 FROM pg_locks
                   WHERE locktype = 'advisory' AND mode = 'ExclusiveLock' AND granted AND objsubid = 1
                     AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
                     AND ((classid::bigint << 32) | objid::bigint) = ${outboxIdleLockKey}) AS "other_relay"
           FROM (SELECT pg_try_advisory_lock(${outboxIdleLockKey}) AS "acquired") AS "attempt"`,
      );
      if (listener !== client) {
        // The connection was replaced meanwhile; the lock, if any, went with it.
        return 'not-listening';
      }
      if (rows[0]!.acquired) {
        idleLockHeld = true;
        return 'acquired';
      }
      return rows[0]!.other_relay ? 'other-relay' : 'writers';
    } catch (error) {
      log?.warn({ err: error }, 'outbox relay: cannot take the idle lock; polling');
      return 'not-listening';
    }
  };
  /** Awake again: writers may leave NOTIFY out, since this relay polls until it next takes the lock. */
  const releaseIdleLock = async (): Promise<void> => {
    const client = listener;
    if (!idleLockHeld || !client) return;
    idleLockHeld = false;
    await client.query(`SELECT pg_advisory_unlock(${outboxIdleLockKey})`).catch((error: Error) => {
      // The session is gone, and the lock with it.
      log?.warn({ err: error }, 'outbox relay: cannot release the idle lock');
    });
  };

  // Back-off pauses end early when the relay stops, not when events arrive: during an outage,
  // every commit would otherwise start another futile round.
  let signalStop: () => void = () => undefined;
  const stoppedSignal = new Promise<void>((resolve) => (signalStop = resolve));
  const pause = (ms: number) => Promise.race([new Promise((resolve) => setTimeout(resolve, ms).unref()), stoppedSignal]);

  // One statement locks the round's rows and finds, for each of their aggregates, the first earlier
  // unpublished event that this round did not lock: another replica holds it, and what follows it
  // must wait for that replica's round. Rows come in outbox order: ORDER BY the table's "position",
  // not the text alias. The order (published_at, position) is the index's, and bitmap scans are off
  // for the round: whatever the statistics say, the rows then come from an index scan that stops
  // after batchSize rows, rather than from reading and sorting the whole backlog every round.
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`batchSize must be a positive integer: ${batchSize}`);
  const claimRoundSql = `BEGIN; SET LOCAL enable_bitmapscan = off;
    WITH "claimed" AS MATERIALIZED (
      SELECT "position", "id", "subject", "source", "aggregate_type", "aggregate_id", "occurred_at", "traceparent", "tracestate", "data"
        FROM "event_outbox" WHERE "published_at" IS NULL
       ORDER BY "event_outbox"."published_at", "event_outbox"."position" LIMIT ${batchSize} FOR UPDATE SKIP LOCKED
    ), "blockers" AS (
      SELECT "aggregate_type", "aggregate_id", min("position") AS "first" FROM "event_outbox"
       WHERE "published_at" IS NULL AND "position" < (SELECT max("position") FROM "claimed")
         AND "position" NOT IN (SELECT "position" FROM "claimed")
         AND ("aggregate_type", "aggregate_id") IN (SELECT "aggregate_type", "aggregate_id" FROM "claimed")
       GROUP BY "aggregate_type", "aggregate_id"
    )
    SELECT c."position"::text AS "position", c."id", c."subject", c."source", c."aggregate_type", c."aggregate_id", c."occurred_at",
           c."traceparent", c."tracestate", c."data"::text AS "data", b."first"::text AS "blocked_from"
      FROM "claimed" c LEFT JOIN "blockers" b ON b."aggregate_type" = c."aggregate_type" AND b."aggregate_id" = c."aggregate_id"
     ORDER BY c."position"`;

  /**
   * A round is two round trips to PostgreSQL: lock and read (with BEGIN), then mark and COMMIT;
   * the JetStream publications sit between them. Positions are inlined as the digits they are.
   */
  const publishRound = async (): Promise<{ locked: number; published: number; heldBack: number; failed: number }> => {
    const { client, release } = await checkOutClient(pool);
    let open = true;
    let broken = false;
    try {
      const results = (await client.query(claimRoundSql)) as unknown as pg.QueryResult<OutboxRow & { blocked_from: string | null }>[];
      const rows = results[results.length - 1]!.rows;
      if (rows.length === 0) {
        await client.query('COMMIT');
        open = false;
        return { locked: 0, published: 0, heldBack: 0, failed: 0 };
      }
      const firstBlocker = new Map(rows.filter((row) => row.blocked_from !== null).map((row) => [`${row.aggregate_type}\u0000${row.aggregate_id}`, BigInt(row.blocked_from!)]));

      const groups = new Map<string, OutboxRow[]>();
      for (const row of rows) {
        const key = `${row.aggregate_type}\u0000${row.aggregate_id}`;
        const group = groups.get(key);
        if (group) group.push(row);
        else groups.set(key, [row]);
      }
      const published: string[] = [];
      const publishedIds: string[] = [];
      const failed: { position: string; error: string }[] = [];
      let heldBack = 0;
      // Aggregates in parallel (the client pipelines them on one connection), each one in order.
      await Promise.all(
        [...groups.entries()].map(async ([key, group]) => {
          const blocker = firstBlocker.get(key);
          for (const [index, row] of group.entries()) {
            if (blocker !== undefined && blocker < BigInt(row.position)) {
              heldBack += group.length - index;
              return;
            }
            const headers = natsHeaders();
            headers.set('traceparent', row.traceparent);
            if (row.tracestate) headers.set('tracestate', row.tracestate);
            headers.set(aggregateHeader, `${row.aggregate_type}:${row.aggregate_id}`);
            try {
              const ack = await js.publish(row.subject, envelopeJson(row), { msgID: row.id, headers, timeout: publishTimeoutMs });
              if (ack.duplicate) stats.duplicates += 1;
              published.push(row.position);
              publishedIds.push(row.id);
            } catch (error) {
              // Later events of this aggregate wait for the next round, to keep them in order.
              failed.push({ position: row.position, error: (error as Error).message });
              heldBack += group.length - index - 1;
              return;
            }
          }
        }),
      );
      if (options.beforeMarkPublished && publishedIds.length > 0) await options.beforeMarkPublished(publishedIds);
      if (failed.length > 0) {
        stats.failedPublishes += failed.length;
        await client.query(`UPDATE "event_outbox" SET "publish_attempts" = "publish_attempts" + 1, "last_error" = $2 WHERE "position" = ANY($1::bigint[])`, [
          failed.map((f) => f.position),
          failed[0]!.error,
        ]);
        log?.warn({ failed: failed.length, error: failed[0]!.error }, 'outbox relay: JetStream did not acknowledge some events; retrying');
      }
      if (!published.every((position) => /^\d+$/.test(position))) throw new Error('outbox relay: a position that is not a number');
      await client.query(published.length > 0 ? `UPDATE "event_outbox" SET "published_at" = now() WHERE "position" = ANY('{${published.join(',')}}'::bigint[]); COMMIT` : 'COMMIT');
      open = false;
      stats.published += published.length;
      stats.rounds += 1;
      return { locked: rows.length, published: published.length, heldBack, failed: failed.length };
    } catch (error) {
      if (open) await client.query('ROLLBACK').catch(() => (broken = true));
      throw error;
    } finally {
      release(broken); // a connection that cannot even roll back is closed, not reused
    }
  };

  // One batch between two rounds, so that pruning never holds publishing up for long; batches follow
  // each other while they come back full, then the next look is a minute later.
  const pruneBatchSize = 1_000;
  let lastPrune = 0;
  const prune = async () => {
    if (Date.now() - lastPrune < Math.min(keepPublishedMs, 60_000)) return;
    const deleted = await deleteBatch(pool, 'event_outbox', `"published_at" < now() - make_interval(secs => $1::double precision)`, [keepPublishedMs / 1000], pruneBatchSize);
    if (deleted < pruneBatchSize) lastPrune = Date.now();
  };

  // The backlog, read when /metrics is scraped: the service's whole outbox, whichever replica reads it.
  const readBacklog = async (): Promise<OutboxBacklog> => {
    const { rows } = await pool.query<{ unpublished: number; oldest_age_seconds: number | null }>(
      `SELECT count(*)::int AS "unpublished", EXTRACT(EPOCH FROM now() - min("created_at"))::float8 AS "oldest_age_seconds"
         FROM "event_outbox" WHERE "published_at" IS NULL`,
    );
    return { unpublished: rows[0]!.unpublished, oldestAgeSeconds: Math.max(0, rows[0]!.oldest_age_seconds ?? 0) };
  };
  const backlog = cacheForScrapes(readBacklog, options.backlogCacheMs ?? 5_000, { unpublished: 0, oldestAgeSeconds: 0 }, (error) =>
    log?.warn({ err: error }, 'outbox relay: cannot read the backlog for /metrics'),
  );
  const unwatch = options.metrics?.watchOutbox(backlog);

  const loop = async () => {
    let failures = 0;
    while (!stopping) {
      wakeRequested = false;
      // Held since before this round's snapshot: every writer that left NOTIFY out had ended by then.
      const asleepBefore = idleLockHeld;
      try {
        const round = await publishRound();
        await prune();
        failures = round.failed > 0 ? failures + 1 : 0;
        if (failures > 0) await pause(Math.min(100 * 2 ** failures, 5_000));
        else if (round.heldBack > 0)
          await waitForWake(20); // another replica is finishing its round
        else if (round.locked > 0)
          await releaseIdleLock(); // events are coming: poll, and spare writers NOTIFY
        else if (asleepBefore) await waitForWake(pollIntervalMs);
        else {
          const idle = await takeIdleLock();
          if (idle === 'acquired') continue; // one more round, to see what writers that did not notify committed
          await waitForWake(idle === 'writers' ? busyPollMs : pollIntervalMs);
        }
      } catch (error) {
        failures += 1;
        log?.error({ err: error }, 'outbox relay: round failed');
        await pause(Math.min(100 * 2 ** failures, 5_000));
      }
    }
  };

  await listen();
  const running = loop();
  let stopped: Promise<void> | undefined;

  return {
    wake,
    stats: () => ({ ...stats }),
    backlog,
    stop() {
      stopped ??= (async () => {
        stopping = true;
        signalStop();
        wakeUp?.();
        await running;
        const client = listener;
        const wasAsleep = idleLockHeld;
        listener = undefined;
        listening = false;
        idleLockHeld = false;
        await client?.end().catch(() => undefined);
        // Other replicas may sleep counting on this one's lock: wake them, so that one of them takes it.
        if (wasAsleep) await pool.query(`SELECT pg_notify('${outboxChannel}', '')`).catch(() => undefined);
        unwatch?.();
        await pool.end();
      })();
      return stopped;
    },
  };
}
