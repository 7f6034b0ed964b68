import { Counter, Gauge, type Registry } from 'prom-client';
import type { DeadLetterReason } from './dead-letter.js';
import type { FailureKind } from './transient-failures.js';

/** How far one durable consumer is behind one stream it reads, as JetStream counts it. */
export type ConsumerLag = {
  stream: string;
  /** Messages of the stream (matching the consumer's filter) not yet delivered to it. */
  pending: number;
  /** Messages delivered and not yet acknowledged: in a transaction, or waiting for a redelivery. */
  ackPending: number;
};

/** The outbox's events that JetStream has not acknowledged yet. */
export type OutboxBacklog = { unpublished: number; oldestAgeSeconds: number };

/** What a running consumer reports when /metrics is scraped. */
export type ConsumerWatch = { lag(): Promise<ConsumerLag[]>; isPaused(): boolean };

/**
 * The event backbone's metrics on a service's registry. Consumers and the relay report into it
 * (their `metrics` option; the service kit passes it to every one of them). Labels come from a
 * bounded set: durable consumer names, stream names, dead-letter reasons and failure kinds.
 */
export type EventMetrics = {
  recordHandled(consumer: string, events: number): void;
  recordFailure(consumer: string, kind: FailureKind, events?: number): void;
  recordDeadLetter(consumer: string, reason: DeadLetterReason): void;
  /** Reports the consumer's lag and pause on every scrape until the returned function is called. */
  watchConsumer(consumer: string, watch: ConsumerWatch): () => void;
  /** Reports the outbox's backlog on every scrape until the returned function is called. */
  watchOutbox(backlog: () => Promise<OutboxBacklog>): () => void;
};

const deadLetterReasons: readonly DeadLetterReason[] = ['malformed', 'exhausted', 'future-dated'];
const failureKinds: readonly FailureKind[] = ['transient', 'permanent'];

/**
 * A reading for scrapes: taken at most once per `ttlMs`, shared by scrapes (and gauges) that come
 * meanwhile, and when a reading fails the last good one stands, so a scrape is cheap and never
 * fails because NATS or the database is away (event_backbone_connected and event_consumer_paused
 * say that).
 */
export function cacheForScrapes<T>(read: () => Promise<T>, ttlMs: number, initial: T, onError?: (error: unknown) => void): () => Promise<T> {
  let value = initial;
  let readAt = -Infinity;
  let reading: Promise<T> | undefined;
  return () => {
    if (Date.now() - readAt < ttlMs) return Promise.resolve(value);
    reading ??= read()
      .then((fresh) => {
        value = fresh;
        readAt = Date.now();
        return fresh;
      })
      .catch((error: unknown) => {
        onError?.(error);
        return value;
      })
      .finally(() => {
        reading = undefined;
      });
    return reading;
  };
}

export function createEventMetrics(registry: Registry): EventMetrics {
  const consumers = new Map<string, ConsumerWatch>();
  let outbox: (() => Promise<OutboxBacklog>) | undefined;

  const handled = new Counter({
    name: 'event_consumer_handled_total',
    help: 'Events a durable consumer applied (its handler committed with the processed_events row); duplicates not counted',
    labelNames: ['consumer'] as const,
    registers: [registry],
  });
  const failures = new Counter({
    name: 'event_consumer_failures_total',
    help: 'Events whose transaction failed, by kind: transient (database away, timeout, serialisation conflict; retried without limit) or permanent (counted against maxDeliveries)',
    labelNames: ['consumer', 'kind'] as const,
    registers: [registry],
  });
  const deadLetters = new Counter({
    name: 'event_dead_letters_total',
    help: 'Events a consumer moved to the DEADLETTER stream, by reason (malformed, exhausted, future-dated)',
    labelNames: ['consumer', 'reason'] as const,
    registers: [registry],
  });

  /** Sets one gauge per consumer and stream from the consumers' (cached) lag readings. */
  const lagGauge = (name: string, help: string, pick: (lag: ConsumerLag) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['consumer', 'stream'] as const,
      registers: [registry],
      async collect() {
        const readings = await Promise.all([...consumers].map(async ([consumer, watch]) => ({ consumer, lags: await watch.lag() })));
        this.reset();
        for (const { consumer, lags } of readings) for (const lag of lags) this.set({ consumer, stream: lag.stream }, pick(lag));
      },
    });
  lagGauge('event_consumer_pending', "Messages of the stream not yet delivered to the durable consumer (JetStream's num_pending): how far it is behind", (lag) => lag.pending);
  lagGauge('event_consumer_ack_pending', "Messages delivered to the durable consumer and not yet acknowledged (JetStream's num_ack_pending)", (lag) => lag.ackPending);
  new Gauge({
    name: 'event_consumer_paused',
    help: '1 while the consumer applies no event because its database does not answer (it hands them back to come again); 0 otherwise',
    labelNames: ['consumer'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [consumer, watch] of consumers) this.set({ consumer }, watch.isPaused() ? 1 : 0);
    },
  });

  /** The backlog gauges, from the relay's (cached) reading: both come from one query. */
  const backlogGauge = (name: string, help: string, pick: (backlog: OutboxBacklog) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        const backlog = outbox ? await outbox() : undefined;
        this.set(backlog ? pick(backlog) : 0);
      },
    });
  backlogGauge(
    'event_outbox_unpublished',
    "Outbox rows not yet published to JetStream (the service's whole outbox: every replica reports the same)",
    (backlog) => backlog.unpublished,
  );
  backlogGauge(
    'event_outbox_oldest_unpublished_seconds',
    'Age of the oldest outbox row not yet published to JetStream; 0 when there is none',
    (backlog) => backlog.oldestAgeSeconds,
  );

  return {
    recordHandled: (consumer, events) => handled.inc({ consumer }, events),
    recordFailure: (consumer, kind, events = 1) => failures.inc({ consumer, kind }, events),
    recordDeadLetter: (consumer, reason) => deadLetters.inc({ consumer, reason }),
    watchConsumer(consumer, watch) {
      consumers.set(consumer, watch);
      // Every series from the start, at zero, so that rate() and increase() see the first event.
      handled.inc({ consumer }, 0);
      for (const kind of failureKinds) failures.inc({ consumer, kind }, 0);
      for (const reason of deadLetterReasons) deadLetters.inc({ consumer, reason }, 0);
      return () => {
        if (consumers.get(consumer) === watch) consumers.delete(consumer);
      };
    },
    watchOutbox(read) {
      outbox = read;
      return () => {
        if (outbox === read) outbox = undefined;
      };
    },
  };
}
