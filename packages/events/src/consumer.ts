import { nanos, type NatsConnection } from '@nats-io/transport-node';
import {
  AckPolicy,
  DeliverPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  jetstream,
  jetstreamManager,
  type ConsumerConfig,
  type ConsumerMessages,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import type pg from 'pg';
import type { Logger } from '@jobplatform/config';
import { eventContracts, type EventSubject } from './contracts/index.js';
import { parseEnvelope, type EventEnvelope } from './envelope.js';
import { publishDeadLetter, type DeadLetterReason } from './dead-letter.js';
import { cacheForScrapes, type ConsumerLag, type EventMetrics } from './event-metrics.js';
import { aggregateHeader } from './relay.js';
import { deleteBatch, queryRows, runPgTransaction, type SqlClient } from './sql-client.js';
import { processedEventsRetentionMs, streamExists, streamOfSubject } from './streams.js';
import { createChildTraceparent } from './trace-context.js';
import { isTransientFailure, type FailureKind } from './transient-failures.js';

/** A handler threw inside a batch's transaction; `certain` when no earlier handler can have caused it. */
class HandlerFailure extends Error {
  constructor(
    readonly item: { message: JsMsg },
    override readonly cause: unknown,
    readonly certain: boolean,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

/**
 * Errors that say the transaction was already gone when the handler used it, so an earlier handler
 * (or the batch's length) is to blame as much as this one: PostgreSQL refusing every statement after
 * an error that a handler caught and went on from, or Prisma's transaction having timed out (P2028).
 */
function isAbortedTransactionError(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (code === '25P02' || code === 'P2028') return true;
  return typeof message === 'string' && (message.includes('current transaction is aborted') || message.includes('Transaction already closed'));
}

/** Runs work in one database transaction and commits it; Prisma: `(work) => prisma.$transaction(work)`. */
export type TransactionRunner<Tx> = <T>(work: (tx: Tx) => Promise<T>) => Promise<T>;

export type HandlerContext = {
  /** A child of the event's trace: pass it to events this handler writes to the outbox. */
  traceparent: string;
  deliveryCount: number;
  streamSequence: number;
  consumer: string;
};

export type EventHandler<S extends EventSubject, Tx> = (event: EventEnvelope<S>, tx: Tx, context: HandlerContext) => Promise<void>;

export type EventHandlers<Tx> = { [S in EventSubject]?: EventHandler<S, Tx> };

/** One event of a batch with its context; `item.event.type` narrows `item.event.data`. */
export type BatchItem<S extends EventSubject = EventSubject> = { [K in S]: { event: EventEnvelope<K>; context: HandlerContext } }[S];

/**
 * Instead of one handler per event: one call with all of a transaction's new events of these
 * subjects, in stream order (events already applied are left out), for consumers that write a
 * batch as a set, one statement per table rather than per event. If it throws for a batch of
 * several events, each event is applied again alone, so a failure still lands on its event.
 */
export type BatchEventHandler<S extends EventSubject, Tx> = {
  subjects: readonly S[];
  handle(items: BatchItem<S>[], tx: Tx): Promise<void>;
};

export type EventConsumerOptions<Tx extends SqlClient> = {
  nats: NatsConnection;
  /** The consuming service, e.g. jobs. */
  service: string;
  /** What the consumer is for, e.g. users-replica. The durable consumer is <service>-<purpose>. */
  purpose: string;
  /**
   * One handler per subject; each runs inside `transaction`, together with the processed-events
   * row. Give either these or batchHandler.
   */
  handlers?: EventHandlers<Tx>;
  /** One handler for the transaction's events of its subjects together (BatchEventHandler). */
  batchHandler?: BatchEventHandler<EventSubject, Tx>;
  transaction: TransactionRunner<Tx>;
  /** Transactions at once. Events of one aggregate are still handled one after another. */
  concurrency?: number;
  /** Messages already received that may share one transaction (fewer commits under load). */
  batchSize?: number;
  /**
   * Group commit: while a transaction is in progress, messages that arrive wait up to this long
   * (20 ms) for it to end and share the next one, unless a full batch is waiting. Each transaction
   * costs its round trips (BEGIN, processed_events, COMMIT and the handlers' statements, a system
   * call each) whatever it holds, so events trickling in one by one would otherwise each take a
   * transaction of their own on a free slot. 0 starts a transaction on any free slot at once.
   */
  groupWaitMs?: number;
  /**
   * Permanent failures (a handler's error) before a message goes to dead letter. Transient failures
   * (database unreachable, timeouts, serialisation conflicts: transient-failures.ts) do not count:
   * the message is retried for as long as they last.
   */
  maxDeliveries?: number;
  /** Redelivery delay after a message's nth failure of one kind: initial * 2^(n-1), capped. */
  backoff?: { initialMs: number; maxMs: number };
  /**
   * While the database does not answer, the consumer applies nothing (it hands back what it
   * receives) and asks it again after initialMs, doubling up to maxMs; it applies events again
   * once it answers.
   */
  outageBackoff?: { initialMs: number; maxMs: number };
  /**
   * How long this consumer's processed_events rows are kept (processedEventsRetentionMs(): longer
   * than its events can come back, by redelivery or by a replayed dead letter).
   */
  processedEventsRetentionMs?: number;
  /** How often, give or take a quarter, to prune processed_events; 0 leaves them all. */
  pruneIntervalMs?: number;
  /** Rows one pruning statement deletes at most. */
  pruneBatchSize?: number;
  /** Where the consumer's counters, lag and pause are reported (the service's /metrics). */
  metrics?: EventMetrics;
  /** How long one reading of the consumer's lag serves scrapes. */
  lagCacheMs?: number;
  /** How long JetStream waits for an ack before it redelivers; longer than the slowest handler. */
  ackWaitMs?: number;
  /**
   * How far an event's occurredAt may lie ahead of this consumer's clock (2 minutes): clocks differ
   * a little between machines, and an event from further ahead is dead-lettered, not applied (it
   * would pin a replica row against every later change). Replay it once the cause is understood.
   */
  maxClockSkewMs?: number;
  /** The consumer's clock; the service's own `now` in tests that move time. */
  now?: () => Date;
  /** How often to look for a producer's stream that does not exist yet. */
  streamPollMs?: number;
  logger?: Logger;
};

export type EventConsumerStats = {
  handled: number;
  duplicates: number;
  /** Permanent failures: counted against maxDeliveries. */
  failures: number;
  /** Events retried because the database failed them, not their handler. */
  transientFailures: number;
  deadLettered: number;
  skipped: number;
  /** Times the consumer paused because its database did not answer. */
  pauses: number;
};

export type EventConsumer = {
  stats(): EventConsumerStats;
  /** Whether the consumer is waiting for its database, applying nothing. */
  isPaused(): boolean;
  /** How far it is behind each stream it reads (cached for lagCacheMs). */
  lag(): Promise<ConsumerLag[]>;
  /** Deletes its processed_events rows older than the retention now, in batches; returns how many. */
  pruneProcessedEvents(): Promise<number>;
  /** Stops pulling, returns buffered messages for redelivery, and waits for handlers in progress. */
  stop(): Promise<void>;
};

/**
 * Records a batch's events as processed by a consumer and returns the ids that were new: one text
 * whatever the batch's size (arrays taken apart by unnest), so that it is one prepared statement,
 * not one per batch size (see the outbox's INSERT_EVENTS).
 */
const MARK_PROCESSED = `INSERT INTO "processed_events" ("consumer", "event_id", "subject")
  SELECT $1, "event_id", "subject" FROM unnest($2::text[], $3::text[]) AS "event" ("event_id", "subject")
  ON CONFLICT ("consumer", "event_id") DO NOTHING RETURNING "event_id"`;

const namePattern = /^[a-z0-9][a-z0-9_-]*$/;

/** The filter that selects exactly `subjects` when there is one, or their common prefix.> otherwise. */
function filterSubjectOf(subjects: string[]): string {
  if (subjects.length === 1) return subjects[0]!;
  const split = subjects.map((subject) => subject.split('.'));
  const prefix: string[] = [];
  for (let i = 0; split.every((parts) => parts[i] !== undefined && parts[i] === split[0]![i]); i += 1) prefix.push(split[0]![i]!);
  return [...prefix, '>'].join('.');
}

async function ensureDurable(jsm: JetStreamManager, stream: string, config: Partial<ConsumerConfig> & { durable_name: string }): Promise<void> {
  try {
    const info = await jsm.consumers.info(stream, config.durable_name);
    const changed = (['filter_subject', 'ack_wait', 'max_ack_pending', 'max_deliver'] as const).some((key) => info.config[key] !== config[key]);
    if (changed) {
      const { durable_name: _d, ack_policy: _a, deliver_policy: _p, ...mutable } = config;
      await jsm.consumers.update(stream, config.durable_name, mutable).catch((error: Error) => {
        throw new Error(
          `Consumer ${config.durable_name} on ${stream} cannot change to ${JSON.stringify(mutable)} (${error.message}). Delete it (it restarts from the stream's first message; processed_events skips what was applied) or give it a new purpose.`,
        );
      });
    }
  } catch (error) {
    if (!(error instanceof JetStreamApiError && error.code === JetStreamApiCodes.ConsumerNotFound)) throw error;
    await jsm.consumers.add(stream, config);
  }
}

/**
 * Failures per message that this process saw, by kind: what decides dead letter and back-off.
 * JetStream's delivery count cannot: every delivery counts there, also those that met a database
 * outage, and those a paused consumer handed back untried. Counted per process, so with several
 * replicas a message failing for good may be tried up to maxDeliveries times on each replica that
 * receives it; never fewer. Bounded: the oldest entries go first.
 */
function createFailureCounts(limit = 10_000) {
  const counts = new Map<string, Record<FailureKind, number>>();
  const keyOf = (message: JsMsg) => `${message.info.stream}:${message.info.streamSequence}`;
  return {
    /** Counts one more failure of this kind and returns how many there were. */
    add(message: JsMsg, kind: FailureKind): number {
      const key = keyOf(message);
      const entry = counts.get(key) ?? { transient: 0, permanent: 0 };
      counts.delete(key); // to the end of the insertion order
      entry[kind] += 1;
      counts.set(key, entry);
      if (counts.size > limit) counts.delete(counts.keys().next().value!);
      return entry[kind];
    },
    forget(message: JsMsg): void {
      counts.delete(keyOf(message));
    },
  };
}

/**
 * A durable, idempotent JetStream consumer for one service and purpose.
 * - Pull consumers with explicit acks, one per producing stream of the subjects handled; replicas
 *   of the service share them.
 * - Every message is checked against its contract first. One that fails goes to dead letter at
 *   once and is acknowledged: it never blocks the messages behind it. So does one whose occurredAt
 *   lies further ahead of this consumer's clock than maxClockSkewMs.
 * - It never creates a producer's stream: one that does not exist yet is attached to once its
 *   producer has created it (start() returns meanwhile).
 * - The handler and the processed_events row commit in one transaction; an event seen before is
 *   acknowledged without calling the handler. Messages that arrive together share a transaction;
 *   if one fails, each is retried alone, so a handler may run more than once before its commit:
 *   side effects outside the transaction (mail, HTTP) must tolerate that, as with any redelivery.
 * - A handler's failure is redelivered with exponential back-off, and after maxDeliveries such
 *   failures the message goes to deadletter.<service>.<purpose>.
 * - A transient failure (the database unreachable, a timeout, a serialisation conflict) is not the
 *   event's: it is redelivered with back-off for as long as it lasts and never dead-lettered. When
 *   the database does not answer either, the consumer pauses: it starts no transaction, hands back
 *   what it holds and receives, and asks the database again with back-off (outageBackoff) until it
 *   answers.
 * - processed_events rows older than processedEventsRetentionMs are pruned about every
 *   pruneIntervalMs, in batches.
 */
export async function startEventConsumer<Tx extends SqlClient>(options: EventConsumerOptions<Tx>): Promise<EventConsumer> {
  const { nats, service, purpose, logger: log, metrics } = options;
  if (!namePattern.test(service) || !namePattern.test(purpose)) throw new Error(`Consumer names are lower-case words with - or _: ${service}-${purpose}`);
  const durable = `${service}-${purpose}`;
  const concurrency = options.concurrency ?? 8;
  const batchSize = options.batchSize ?? 32;
  const groupWaitMs = options.groupWaitMs ?? 20;
  const maxDeliveries = options.maxDeliveries ?? 5;
  const backoff = options.backoff ?? { initialMs: 1_000, maxMs: 60_000 };
  const outageBackoff = options.outageBackoff ?? { initialMs: 1_000, maxMs: 15_000 };
  const ackWaitMs = options.ackWaitMs ?? 30_000;
  const maxClockSkewMs = options.maxClockSkewMs ?? 2 * 60_000;
  const now = options.now ?? (() => new Date());
  const streamPollMs = options.streamPollMs ?? 1_000;
  const retentionMs = options.processedEventsRetentionMs ?? processedEventsRetentionMs();
  const pruneIntervalMs = options.pruneIntervalMs ?? 60 * 60_000;
  const pruneBatchSize = options.pruneBatchSize ?? 1_000;
  const handlers = (options.handlers ?? {}) as Record<string, EventHandler<EventSubject, Tx> | undefined>;
  const { batchHandler } = options;
  if (options.handlers && batchHandler) throw new Error(`${durable}: give handlers or a batchHandler, not both`);
  const subjects = batchHandler ? [...new Set(batchHandler.subjects)] : (Object.keys(handlers).filter((subject) => handlers[subject]) as EventSubject[]);
  if (subjects.length === 0) throw new Error(`${durable}: no handlers`);
  const handledSubjects = new Set<string>(subjects);
  if (!(retentionMs > 0)) throw new Error(`${durable}: processedEventsRetentionMs must be positive: ${retentionMs}`);
  const stats: EventConsumerStats = { handled: 0, duplicates: 0, failures: 0, transientFailures: 0, deadLettered: 0, skipped: 0, pauses: 0 };
  const failureCounts = createFailureCounts();

  const byStream = new Map<string, { producer: string; subjects: string[] }>();
  for (const subject of subjects) {
    const { stream } = streamOfSubject(subject);
    const entry = byStream.get(stream) ?? { producer: eventContracts[subject].producer, subjects: [] };
    entry.subjects.push(subject);
    byStream.set(stream, entry);
  }
  const deadLetter = async (message: JsMsg, reason: DeadLetterReason, error: string) => {
    await publishDeadLetter(nats, message, { service, purpose, consumer: durable, reason, error });
    stats.deadLettered += 1;
    metrics?.recordDeadLetter(durable, reason);
    failureCounts.forget(message);
    message.ack();
    log?.warn({ consumer: durable, subject: message.subject, seq: message.info.streamSequence, reason, error }, 'event moved to dead letter');
  };

  const retryDelay = (failures: number) => Math.min(backoff.initialMs * 2 ** Math.max(0, failures - 1), backoff.maxMs);

  type Valid = { message: JsMsg; event: EventEnvelope; context: HandlerContext };

  /** An event dated further ahead than clocks differ: dead-lettered with the reason, never applied. */
  const futureDated = (event: EventEnvelope): { reason: 'future-dated'; error: string } | undefined => {
    const ahead = Date.parse(event.occurredAt) - now().getTime();
    if (ahead <= maxClockSkewMs) return undefined;
    return {
      reason: 'future-dated',
      error: `occurredAt ${event.occurredAt} is ${Math.round(ahead / 1000)} s ahead of this consumer's clock (at most ${Math.round(maxClockSkewMs / 1000)} s allowed)`,
    };
  };

  /** A permanent failure: retried with back-off, dead-lettered at the maxDeliveries-th. */
  const fail = async (message: JsMsg, error: unknown) => {
    stats.failures += 1;
    metrics?.recordFailure(durable, 'permanent');
    const failures = failureCounts.add(message, 'permanent');
    const reason = error instanceof Error ? error.message : String(error);
    if (failures >= maxDeliveries) {
      await deadLetter(message, 'exhausted', reason).catch((dlError: Error) => {
        log?.error({ err: dlError, consumer: durable }, 'cannot publish dead letter; retrying the message');
        message.nak(retryDelay(failures));
      });
      return;
    }
    log?.warn(
      { consumer: durable, subject: message.subject, seq: message.info.streamSequence, failures, deliveries: message.info.deliveryCount, error: reason },
      'event handler failed; will retry',
    );
    message.nak(retryDelay(failures));
  };

  // Paused: the database does not answer, and no transaction is started until it does (checkDatabase).
  let stopping = false;
  let paused = false;
  let checking: Promise<void> | undefined;

  /**
   * A transient failure: not the events' fault, so it does not count against maxDeliveries. They go
   * back, each a little later the more often it has come back, and the database is asked whether it
   * answers; if it does not, the consumer pauses until it does (this returns only then).
   */
  const retryLater = async (items: Valid[], error: unknown) => {
    handBack(items, error);
    checking ??= checkDatabase().finally(() => (checking = undefined));
    await checking;
  };
  const handBack = (items: Valid[], error: unknown) => {
    stats.transientFailures += items.length;
    metrics?.recordFailure(durable, 'transient', items.length);
    for (const { message } of items) message.nak(retryDelay(failureCounts.add(message, 'transient')));
    log?.warn(
      { consumer: durable, events: items.length, error: error instanceof Error ? error.message : String(error) },
      'events failed transiently; retrying them later without counting',
    );
  };

  /** Applies events in one transaction, in order: one processed_events statement, then the handlers of the new ones. */
  const apply = async (batch: Valid[]): Promise<void> => {
    const applied = await options.transaction(async (tx) => {
      const inserted = await queryRows<{ event_id: string }>(tx, MARK_PROCESSED, [durable, batch.map(({ event }) => event.id), batch.map(({ event }) => event.type)]);
      const freshIds = new Set(inserted.map((row) => row.event_id));
      const fresh = batch.filter((item) => freshIds.delete(item.event.id)); // not seen before (nor twice in this batch)
      if (batchHandler) {
        if (fresh.length === 0) return new Set<Valid>();
        try {
          await batchHandler.handle(
            fresh.map(({ event, context }) => ({ event, context }) as BatchItem),
            tx,
          );
        } catch (error) {
          // With one event the failure is its own; with several, applyAll applies each alone.
          throw fresh.length === 1 ? new HandlerFailure(fresh[0]!, error, true) : error;
        }
        return new Set(fresh);
      }
      const applied = new Set<Valid>();
      for (const item of fresh) {
        try {
          await handlers[item.event.type]!(item.event, tx, item.context);
        } catch (error) {
          // Blame it only when no earlier handler of this transaction could have caused it.
          throw new HandlerFailure(item, error, applied.size === 0 || !isAbortedTransactionError(error));
        }
        applied.add(item);
      }
      return applied;
    });
    for (const item of batch) {
      if (applied.has(item)) stats.handled += 1;
      else stats.duplicates += 1;
      failureCounts.forget(item.message);
      item.message.ack();
    }
    if (applied.size > 0) metrics?.recordHandled(durable, applied.size);
  };

  const causeOf = (error: unknown) => (error instanceof HandlerFailure ? error.cause : error);

  /**
   * Applies events in as few transactions as failures allow. A transient failure sends the whole
   * batch back (retryLater). When a handler throws, the batch rolls back, that event is failed
   * (retried later or dead-lettered) and the others are applied again together, so each delivery
   * runs the failing handler once. A failure that no one handler owns (the commit failed, the
   * transaction was already gone) sends each event through alone.
   */
  const applyAll = async (items: Valid[]): Promise<void> => {
    try {
      await apply(items);
    } catch (error) {
      const cause = causeOf(error);
      const owned = error instanceof HandlerFailure && error.certain && items.includes(error.item as Valid) ? (error.item as Valid) : undefined;
      const transient = isTransientFailure(cause);
      // The database failed the whole transaction (or is away): the events were not to blame.
      if (transient && (!owned || items.length === 1)) return retryLater(items, cause);
      if (owned) {
        // A lock, conflict or timeout that met this handler's own statements is retried later
        // without counting; a handler's error counts. The rest go on without it.
        if (transient) handBack([owned], cause);
        else await fail(owned.message, cause);
        const rest = items.filter((item) => item !== owned);
        if (rest.length > 0) await applyAll(rest);
        return;
      }
      if (items.length === 1) return fail(items[0]!.message, cause);
      for (const [index, item] of items.entries()) {
        try {
          await apply([item]);
        } catch (itemError) {
          // The database went away meanwhile: the rest would meet it too.
          if (isTransientFailure(causeOf(itemError))) return retryLater(items.slice(index), causeOf(itemError));
          await fail(item.message, causeOf(itemError));
        }
      }
    }
  };

  /**
   * Handles messages that arrived together in one transaction, which spares a commit (an fsync)
   * per event; see applyAll for failures.
   */
  const handleBatch = async (messages: JsMsg[]): Promise<void> => {
    const valid: Valid[] = [];
    for (const message of messages) {
      if (!handledSubjects.has(message.subject)) {
        // Another subject under the stream-wide filter that this consumer does not handle.
        stats.skipped += 1;
        message.ack();
        continue;
      }
      const parsed = parseEnvelope(message.subject, message.data);
      const refusal = parsed.ok ? futureDated(parsed.envelope) : { reason: 'malformed' as const, error: parsed.reason };
      if (!parsed.ok || refusal) {
        await deadLetter(message, refusal!.reason, refusal!.error).catch((error: Error) => {
          log?.error({ err: error, consumer: durable }, 'cannot publish dead letter; retrying the message');
          message.nak(retryDelay(message.info.deliveryCount));
        });
        continue;
      }
      const context: HandlerContext = {
        traceparent: createChildTraceparent(message.headers?.get('traceparent') || parsed.envelope.traceparent),
        deliveryCount: message.info.deliveryCount,
        streamSequence: message.info.streamSequence,
        consumer: durable,
      };
      valid.push({ message, event: parsed.envelope, context });
    }
    if (valid.length === 0) return;
    await applyAll(valid);
  };

  // Messages wait in arrival order. A free transaction slot (of `concurrency`) takes up to batchSize
  // of them, passing over every message of an aggregate that another transaction in progress holds,
  // so one aggregate's events are applied one after another in stream order while other aggregates'
  // events share transactions. Hashing aggregates to fixed workers instead gave each worker a
  // sliver of every burst: about one message per transaction, a commit (and a WAL flush) per event.
  // Arrivals are dispatched at the end of the I/O turn that brought them, so a burst shares a slot.
  type Pending = { message: JsMsg; aggregate: string; arrivedAt: number };
  let pending: Pending[] = [];
  const aggregatesInProgress = new Set<string>();
  let transactionsInProgress = 0;
  const idle = new Set<Promise<void>>();
  let queued = 0;
  let spaceWaiters: (() => void)[] = [];
  const signalSpace = () => {
    const wake = spaceWaiters;
    spaceWaiters = [];
    wake.forEach((resolve) => resolve());
  };
  const aggregateOf = (message: JsMsg) => message.headers?.get(aggregateHeader) || `${message.info.stream}:${message.info.streamSequence}`;
  const takeBatch = (): Pending[] => {
    const batch: Pending[] = [];
    const rest: Pending[] = [];
    const passedOver = new Set<string>(); // a later event of these must wait for the earlier one
    for (const item of pending) {
      if (batch.length < batchSize && !aggregatesInProgress.has(item.aggregate) && !passedOver.has(item.aggregate)) batch.push(item);
      else {
        rest.push(item);
        passedOver.add(item.aggregate);
      }
    }
    pending = rest;
    return batch;
  };
  // Group commit (groupWaitMs): a partial batch waits for a transaction in progress, at most that long.
  let groupTimer: NodeJS.Timeout | undefined;
  const waitForGroup = (): boolean => {
    if (stopping || groupWaitMs <= 0 || transactionsInProgress === 0 || pending.length >= batchSize) return false;
    const waited = performance.now() - pending[0]!.arrivedAt;
    if (waited >= groupWaitMs) return false;
    groupTimer ??= setTimeout(() => {
      groupTimer = undefined;
      dispatch();
    }, groupWaitMs - waited);
    return true;
  };
  const dispatch = () => {
    while (!paused && transactionsInProgress < concurrency && pending.length > 0) {
      if (waitForGroup()) return; // a transaction that ends first dispatches them sooner
      const batch = takeBatch();
      if (batch.length === 0) return; // every waiting aggregate is in a transaction now
      for (const item of batch) aggregatesInProgress.add(item.aggregate);
      transactionsInProgress += 1;
      const messages = batch.map((item) => item.message);
      const running = handleBatch(messages)
        .catch((error: unknown) => {
          log?.error({ err: error, consumer: durable }, 'event batch failed unexpectedly');
          messages.forEach((message) => message.nak(retryDelay(message.info.deliveryCount)));
        })
        .finally(() => {
          for (const item of batch) aggregatesInProgress.delete(item.aggregate);
          transactionsInProgress -= 1;
          queued -= batch.length;
          idle.delete(running);
          signalSpace();
          dispatch(); // what arrived meanwhile, at once: stop() waits on `idle`
        });
      idle.add(running);
    }
  };
  // While paused, messages go back untried, to come again when the database is next asked: each
  // comes back once per pause, however long the outage, and a replica that can reach the database
  // (one cut off alone) takes them meanwhile.
  let returnDelayMs = 0;
  const returnPending = () => {
    const waiting = pending;
    pending = [];
    queued -= waiting.length;
    for (const { message } of waiting) message.nak(returnDelayMs);
    signalSpace();
  };
  let dispatchScheduled = false;
  const enqueue = (message: JsMsg) => {
    pending.push({ message, aggregate: aggregateOf(message), arrivedAt: performance.now() });
    queued += 1;
    if (dispatchScheduled) return;
    dispatchScheduled = true;
    setImmediate(() => {
      dispatchScheduled = false;
      dispatch();
    });
  };
  const pump = async (messages: ConsumerMessages) => {
    for await (const message of messages) {
      while (!stopping && !paused && queued >= concurrency * batchSize) await new Promise<void>((resolve) => spaceWaiters.push(resolve));
      if (stopping || paused) {
        message.nak(stopping ? 0 : returnDelayMs); // when stopping, a replica that keeps running takes it at once
        continue;
      }
      enqueue(message);
    }
  };

  const jsm = await jetstreamManager(nats);
  const js = jetstream(nats);
  const attachedStreams = new Set<string>();
  const subscriptions: ConsumerMessages[] = [];
  const pumps: Promise<void>[] = [];
  const attach = async (stream: string, entry: { subjects: string[] }) => {
    await ensureDurable(jsm, stream, {
      durable_name: durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      filter_subject: filterSubjectOf(entry.subjects),
      ack_wait: nanos(ackWaitMs),
      // Retries are counted here, not by the server: a server-side limit would silently stop
      // delivering a message whose last attempt died with the process, or that met a database outage.
      max_deliver: -1,
      max_ack_pending: Math.max(1_000, concurrency * batchSize * 2),
    });
    const consumer = await js.consumers.get(stream, durable);
    attachedStreams.add(stream);
    const messages = await consumer.consume({ max_messages: Math.max(concurrency * batchSize, 64) });
    subscriptions.push(messages);
    pumps.push(pump(messages).catch((error: Error) => log?.error({ err: error, consumer: durable }, 'event consumer stopped on an error')));
  };
  const closeSubscriptions = () => Promise.all(subscriptions.map((messages) => messages.close().catch(() => undefined)));

  // Only a stream's producer creates it (a consumer's NATS identity may not), yet start order across
  // services does not matter: a stream that is not there yet is attached to once its producer has
  // created it, and its durable consumer then starts from the stream's first message.
  let signalStopping: () => void = () => undefined;
  const stoppingSignal = new Promise<void>((resolve) => (signalStopping = resolve));
  const sleep = (ms: number) => Promise.race([new Promise((resolve) => setTimeout(resolve, ms).unref()), stoppingSignal]);
  const attachWhenCreated = async (stream: string, entry: { producer: string; subjects: string[] }) => {
    log?.info({ consumer: durable, stream }, `waiting for stream ${stream}: its producer, ${entry.producer}, creates it when it starts`);
    while (!stopping) {
      await sleep(streamPollMs);
      if (stopping) return;
      try {
        if (!(await streamExists(nats, stream))) continue;
        await attach(stream, entry);
        log?.info({ consumer: durable, stream }, `stream ${stream} is there: consuming`);
        return;
      } catch (error) {
        log?.error({ err: error, consumer: durable, stream }, `cannot consume stream ${stream} yet; trying again`);
      }
    }
  };

  const databaseAnswers = async (): Promise<boolean> => {
    try {
      await options.transaction((tx) => queryRows(tx, 'SELECT 1'));
      return true;
    } catch {
      return false;
    }
  };
  /**
   * After a transient failure: if the database answers, the failure was the transaction's own (a
   * conflict, a timeout) and the consumer goes on. If not, it pauses: it starts no transaction,
   * hands back what it holds and what arrives, each to come again after the pause, and asks the
   * database again with back-off; an outage thus costs a query now and then, not a failing
   * transaction per message. Once the database answers, it applies events again.
   */
  const checkDatabase = async () => {
    if (paused || (await databaseAnswers())) return;
    paused = true;
    stats.pauses += 1;
    log?.error({ consumer: durable }, 'the database does not answer: applying no events until it does');
    for (let delay = outageBackoff.initialMs; !stopping; delay = Math.min(delay * 2, outageBackoff.maxMs)) {
      returnDelayMs = delay;
      returnPending();
      await sleep(delay);
      if (stopping || (await databaseAnswers())) break;
    }
    if (stopping) return; // stop() hands back what still comes
    paused = false;
    log?.info({ consumer: durable }, 'the database answers again: applying events');
    dispatch();
  };

  const pruneProcessedEvents = async (): Promise<number> => {
    let deleted = 0;
    for (;;) {
      const batch = await options.transaction((tx) =>
        deleteBatch(
          tx,
          'processed_events',
          `"consumer" = $1 AND "processed_at" < now() - make_interval(secs => $2::double precision)`,
          [durable, retentionMs / 1000],
          pruneBatchSize,
        ),
      );
      deleted += batch;
      if (batch < pruneBatchSize || stopping) return deleted;
    }
  };
  // Every replica prunes its consumer's rows on its own schedule, spread by chance so that replicas
  // seldom prune at once (when they do, one's batches find fewer rows); a paused consumer skips a turn.
  let pruneTimer: NodeJS.Timeout | undefined;
  let pruning: Promise<void> | undefined;
  const schedulePrune = (delayMs: number) => {
    if (stopping || pruneIntervalMs <= 0) return;
    pruneTimer = setTimeout(() => {
      pruning = (paused ? Promise.resolve() : prunedAndLogged()).finally(() => {
        pruning = undefined;
        schedulePrune(pruneIntervalMs * (0.75 + Math.random() / 2));
      });
    }, delayMs);
    pruneTimer.unref();
  };
  const prunedAndLogged = () =>
    pruneProcessedEvents().then(
      (deleted) => void (deleted > 0 && log?.info({ consumer: durable, deleted, retentionMs }, 'pruned processed_events')),
      (error: unknown) => log?.warn({ err: error, consumer: durable }, 'cannot prune processed_events; trying again later'),
    );

  const lagJsm = jetstreamManager(nats, { timeout: 2_000, checkAPI: false });
  const readLag = async (): Promise<ConsumerLag[]> => {
    const manager = await lagJsm;
    return Promise.all(
      [...attachedStreams].map(async (stream) => {
        const info = await manager.consumers.info(stream, durable);
        return { stream, pending: info.num_pending, ackPending: info.num_ack_pending };
      }),
    );
  };
  const lag = cacheForScrapes(readLag, options.lagCacheMs ?? 5_000, [], (error) => log?.debug({ err: error, consumer: durable }, 'cannot read the consumer lag'));

  const waits: Promise<void>[] = [];
  try {
    for (const [stream, entry] of byStream) {
      if (await streamExists(nats, stream)) await attach(stream, entry);
      else waits.push(attachWhenCreated(stream, entry));
    }
  } catch (error) {
    stopping = true;
    signalStopping();
    await Promise.all(waits);
    await closeSubscriptions();
    throw error;
  }
  const unwatch = metrics?.watchConsumer(durable, { lag, isPaused: () => paused });
  schedulePrune(Math.random() * pruneIntervalMs);

  let stopped: Promise<void> | undefined;
  return {
    stats: () => ({ ...stats }),
    isPaused: () => paused,
    lag,
    pruneProcessedEvents,
    stop() {
      stopped ??= (async () => {
        stopping = true;
        signalStopping();
        clearTimeout(pruneTimer);
        clearTimeout(groupTimer);
        await Promise.all(waits);
        await closeSubscriptions();
        signalSpace();
        await Promise.all(pumps);
        returnDelayMs = 0;
        if (paused) returnPending();
        else dispatch(); // messages that arrived in the last I/O turn
        while (idle.size > 0) await Promise.all(idle);
        await checking;
        await pruning;
        unwatch?.();
      })();
      return stopped;
    },
  };
}

/** A TransactionRunner over a node-postgres pool, for services and tests that do not use Prisma. */
export function createPgTransactionRunner(pool: pg.Pool): TransactionRunner<pg.PoolClient> {
  return (work) => runPgTransaction(pool, work);
}
