import { headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import pg from 'pg';
import type { Logger } from '@jobplatform/config';
import { outboxChannel } from './event-tables-sql.js';
import { runPgTransaction } from './sql-client.js';
import { ensureStreams, type StreamLimits } from './streams.js';

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
  publishTimeoutMs?: number;
  /** Published rows older than this are deleted; JetStream holds the events from then on. */
  keepPublishedMs?: number;
  /**
   * Called after JetStream acknowledged a round's events and before they are marked published.
   * Failure tests throw here to act out a relay that dies between the two.
   */
  beforeMarkPublished?: (eventIds: string[]) => void | Promise<void>;
};

export type OutboxRelayStats = { published: number; duplicates: number; failedPublishes: number; rounds: number };

export type OutboxRelay = {
  /** Asks for a round now, as a NOTIFY would. */
  wake(): void;
  stats(): OutboxRelayStats;
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
 * - LISTEN/NOTIFY starts a round as soon as events commit; polling covers missed notifications.
 */
export async function startOutboxRelay(options: OutboxRelayOptions): Promise<OutboxRelay> {
  const batchSize = options.batchSize ?? 500;
  const pollIntervalMs = options.pollIntervalMs ?? 1_000;
  const publishTimeoutMs = options.publishTimeoutMs ?? 5_000;
  const keepPublishedMs = options.keepPublishedMs ?? 24 * 60 * 60 * 1000;
  const log = options.logger;
  await ensureStreams(options.nats, [options.service], options.streamLimits);
  const js: JetStreamClient = jetstream(options.nats);
  const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 2 });
  pool.on('error', (error) => log?.warn({ err: error }, 'outbox relay: idle database connection failed'));
  const stats: OutboxRelayStats = { published: 0, duplicates: 0, failedPublishes: 0, rounds: 0 };

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

  // A dedicated connection for LISTEN; when it fails, polling carries on until it is back.
  let listener: pg.Client | undefined;
  const listen = async (): Promise<void> => {
    if (stopping) return;
    const client = new pg.Client({ connectionString: options.databaseUrl });
    const reconnect = () => {
      if (listener !== client) return;
      listener = undefined;
      client.end().catch(() => undefined);
      if (!stopping) setTimeout(() => listen().catch(() => undefined), 1_000).unref();
    };
    client.on('error', (error) => {
      log?.warn({ err: error }, 'outbox relay: LISTEN connection failed; polling until it is back');
      reconnect();
    });
    client.on('end', reconnect);
    client.on('notification', wake);
    listener = client;
    try {
      await client.connect();
      await client.query(`LISTEN "${outboxChannel}"`);
      wake(); // events may have committed while nobody listened
    } catch (error) {
      log?.warn({ err: error }, 'outbox relay: cannot LISTEN; polling meanwhile');
      reconnect();
    }
  };

  // Back-off pauses end early when the relay stops, not when events arrive: during an outage,
  // every commit would otherwise start another futile round.
  let signalStop: () => void = () => undefined;
  const stoppedSignal = new Promise<void>((resolve) => (signalStop = resolve));
  const pause = (ms: number) => Promise.race([new Promise((resolve) => setTimeout(resolve, ms).unref()), stoppedSignal]);

  const publishRound = async (): Promise<{ locked: number; published: number; heldBack: number; failed: number }> =>
    runPgTransaction(pool, async (client) => {
      const { rows } = await client.query<OutboxRow>(
        `SELECT "position"::text AS "position", "id", "subject", "source", "aggregate_type", "aggregate_id", "occurred_at", "traceparent", "tracestate", "data"::text AS "data"
           FROM "event_outbox" WHERE "published_at" IS NULL
          ORDER BY "position" LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [batchSize],
      );
      if (rows.length === 0) return { locked: 0, published: 0, heldBack: 0, failed: 0 };

      // Earlier unpublished events of the same aggregates that this round did not lock: another
      // replica holds them, and what follows them must wait for its round to finish.
      const positions = rows.map((row) => row.position);
      const aggregates = [...new Map(rows.map((row) => [`${row.aggregate_type}\u0000${row.aggregate_id}`, row])).values()];
      const blockers = await client.query<{ aggregate_type: string; aggregate_id: string; first: string }>(
        `SELECT "aggregate_type", "aggregate_id", min("position")::text AS "first" FROM "event_outbox"
          WHERE "published_at" IS NULL AND "position" < $1 AND NOT ("position" = ANY($2::bigint[]))
            AND ("aggregate_type", "aggregate_id") IN (SELECT * FROM unnest($3::text[], $4::text[]))
          GROUP BY "aggregate_type", "aggregate_id"`,
        [positions[positions.length - 1], positions, aggregates.map((row) => row.aggregate_type), aggregates.map((row) => row.aggregate_id)],
      );
      const firstBlocker = new Map(blockers.rows.map((row) => [`${row.aggregate_type}\u0000${row.aggregate_id}`, BigInt(row.first)]));

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
      if (published.length > 0) {
        await client.query(`UPDATE "event_outbox" SET "published_at" = now() WHERE "position" = ANY($1::bigint[])`, [published]);
      }
      if (failed.length > 0) {
        stats.failedPublishes += failed.length;
        await client.query(
          `UPDATE "event_outbox" SET "publish_attempts" = "publish_attempts" + 1, "last_error" = $2 WHERE "position" = ANY($1::bigint[])`,
          [failed.map((f) => f.position), failed[0]!.error],
        );
        log?.warn({ failed: failed.length, error: failed[0]!.error }, 'outbox relay: JetStream did not acknowledge some events; retrying');
      }
      stats.published += published.length;
      stats.rounds += 1;
      return { locked: rows.length, published: published.length, heldBack, failed: failed.length };
    });

  let lastPrune = 0;
  const prune = async () => {
    if (Date.now() - lastPrune < Math.min(keepPublishedMs, 60_000)) return;
    lastPrune = Date.now();
    await pool.query(`DELETE FROM "event_outbox" WHERE "published_at" < now() - make_interval(secs => $1)`, [keepPublishedMs / 1000]);
  };

  const loop = async () => {
    let failures = 0;
    while (!stopping) {
      wakeRequested = false;
      try {
        const round = await publishRound();
        await prune();
        failures = round.failed > 0 ? failures + 1 : 0;
        if (failures > 0) await pause(Math.min(100 * 2 ** failures, 5_000));
        else if (round.heldBack > 0) await waitForWake(20); // another replica is finishing its round
        else if (round.locked < batchSize) await waitForWake(pollIntervalMs);
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
    stop() {
      stopped ??= (async () => {
        stopping = true;
        signalStop();
        wakeUp?.();
        await running;
        const client = listener;
        listener = undefined;
        await client?.end().catch(() => undefined);
        await pool.end();
      })();
      return stopped;
    },
  };
}
