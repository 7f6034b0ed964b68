import { nanos, type NatsConnection } from '@nats-io/transport-node';
import { DiscardPolicy, JetStreamApiCodes, JetStreamApiError, jetstreamManager, RetentionPolicy, StorageType, type JetStreamManager, type StreamConfig } from '@nats-io/jetstream';
import { eventContracts, type EventSubject, type ServiceName } from './contracts/index.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Limits for one stream; defaults suit a single-node development or test server. */
export type StreamLimits = {
  maxAgeMs: number;
  maxBytes: number;
  /** How long JetStream remembers msgIDs to drop a re-published event (relay restart, crash). */
  duplicateWindowMs: number;
  replicas: number;
};

export const defaultStreamLimits: StreamLimits = { maxAgeMs: 7 * DAY_MS, maxBytes: 1024 ** 3, duplicateWindowMs: 10 * 60 * 1000, replicas: 1 };
export const defaultDeadLetterLimits: StreamLimits = { maxAgeMs: 30 * DAY_MS, maxBytes: 256 * 1024 ** 2, duplicateWindowMs: 10 * 60 * 1000, replicas: 1 };

/**
 * How long a consumer keeps its processed_events rows (44 days with the default limits). An event
 * reaches a consumer while its stream holds it (maxAge), and again when a dead letter of it is
 * replayed: the dead letter is kept deadLetters.maxAge, and the replay is a new message that its
 * stream holds maxAge once more. Every consumer of the subject receives a replay, and those that
 * applied the event must still recognise its id then; a row pruned sooner would let it apply twice.
 */
export function processedEventsRetentionMs(
  limits: Pick<StreamLimits, 'maxAgeMs'> = defaultStreamLimits,
  deadLetters: Pick<StreamLimits, 'maxAgeMs'> = defaultDeadLetterLimits,
): number {
  return 2 * limits.maxAgeMs + deadLetters.maxAgeMs;
}

/**
 * How long the relay keeps published outbox rows (8 days with the default limits): a day beyond its
 * stream's maxAge (and so far beyond the duplicate window), so that every event the stream still
 * holds is in the outbox too, and a lost stream can be filled again from it (published_at set back
 * to null); consumers skip what they applied by processed_events, which they keep longer still.
 */
export function publishedOutboxRetentionMs(limits: Pick<StreamLimits, 'maxAgeMs'> = defaultStreamLimits): number {
  return limits.maxAgeMs + DAY_MS;
}

/** One stream per producing service: users -> USERS holding users.>. */
export function streamNameOf(service: string): string {
  return service.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
}

export function streamOfSubject(subject: EventSubject): { stream: string; subjects: string } {
  const producer = eventContracts[subject].producer;
  return { stream: streamNameOf(producer), subjects: `${producer}.>` };
}

export const deadLetterStream = 'DEADLETTER';
export const deadLetterSubjectPrefix = 'deadletter';

function streamConfig(name: string, subjects: string[], limits: StreamLimits): StreamConfig {
  return {
    name,
    subjects,
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    max_age: nanos(limits.maxAgeMs),
    max_bytes: limits.maxBytes,
    duplicate_window: nanos(limits.duplicateWindowMs),
    num_replicas: limits.replicas,
  } as StreamConfig;
}

export const isStreamMissing = (error: unknown) => error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound;

/**
 * Creates the stream, or (with `update`) brings an existing one to this configuration. Safe when
 * several replicas start at once: whoever loses the race to create it compares and updates instead.
 */
async function ensureStream(jsm: JetStreamManager, config: StreamConfig, update: boolean): Promise<void> {
  const { name, retention: _r, storage: _s, ...mutable } = config;
  const bringUpToDate = async () => {
    const current = (await jsm.streams.info(name)).config;
    const same =
      current.max_age === config.max_age &&
      current.max_bytes === config.max_bytes &&
      current.duplicate_window === config.duplicate_window &&
      current.num_replicas === config.num_replicas &&
      current.discard === config.discard &&
      JSON.stringify([...current.subjects].sort()) === JSON.stringify([...config.subjects].sort());
    if (!same && update) await jsm.streams.update(name, mutable);
  };
  try {
    await bringUpToDate();
  } catch (error) {
    if (!isStreamMissing(error)) throw error;
    try {
      await jsm.streams.add(config);
    } catch (addError) {
      // Created meanwhile by another replica.
      await bringUpToDate().catch(() => {
        throw addError;
      });
    }
  }
}

/**
 * Creates or updates the streams of the given producing services, and creates the dead-letter stream
 * if it is missing (an existing one keeps its limits: they are the admin's to change). A service
 * ensures only its own stream: its NATS identity may not create the streams of others, and a
 * consumer waits for its producer's stream instead (startEventConsumer).
 */
export async function ensureStreams(nats: NatsConnection, services: readonly (ServiceName | string)[], limits: Partial<StreamLimits> = {}): Promise<void> {
  const jsm = await jetstreamManager(nats);
  for (const service of new Set(services)) {
    await ensureStream(jsm, streamConfig(streamNameOf(service), [`${service}.>`], { ...defaultStreamLimits, ...limits }), true);
  }
  await ensureStream(jsm, streamConfig(deadLetterStream, [`${deadLetterSubjectPrefix}.>`], { ...defaultDeadLetterLimits, replicas: limits.replicas ?? 1 }), false);
}

/** Whether the stream exists; other failures (no permission, no JetStream) are thrown. */
export async function streamExists(nats: NatsConnection, stream: string): Promise<boolean> {
  const jsm = await jetstreamManager(nats);
  try {
    await jsm.streams.info(stream);
    return true;
  } catch (error) {
    if (isStreamMissing(error)) return false;
    throw error;
  }
}
