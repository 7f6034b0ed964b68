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

/**
 * Creates the stream, or brings an existing one to this configuration. Safe when several
 * replicas start at once: whoever loses the race to create it updates instead.
 */
async function ensureStream(jsm: JetStreamManager, config: StreamConfig): Promise<void> {
  const isMissing = (error: unknown) => error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound;
  const { name, retention: _r, storage: _s, ...mutable } = config;
  try {
    const info = await jsm.streams.info(name);
    const current = info.config;
    const same =
      current.max_age === config.max_age &&
      current.max_bytes === config.max_bytes &&
      current.duplicate_window === config.duplicate_window &&
      current.num_replicas === config.num_replicas &&
      current.discard === config.discard &&
      JSON.stringify([...current.subjects].sort()) === JSON.stringify([...config.subjects].sort());
    if (!same) await jsm.streams.update(name, mutable);
  } catch (error) {
    if (!isMissing(error)) throw error;
    try {
      await jsm.streams.add(config);
    } catch (addError) {
      // Created meanwhile by another replica.
      await jsm.streams.info(name).catch(() => {
        throw addError;
      });
      await jsm.streams.update(name, mutable);
    }
  }
}

/**
 * Creates or updates the streams of the given producing services (the service's own at start, and
 * those it consumes from, so that start order does not matter) and the dead-letter stream.
 */
export async function ensureStreams(
  nats: NatsConnection,
  services: readonly (ServiceName | string)[],
  limits: Partial<StreamLimits> = {},
): Promise<void> {
  const jsm = await jetstreamManager(nats);
  for (const service of new Set(services)) {
    await ensureStream(jsm, streamConfig(streamNameOf(service), [`${service}.>`], { ...defaultStreamLimits, ...limits }));
  }
  await ensureStream(jsm, streamConfig(deadLetterStream, [`${deadLetterSubjectPrefix}.>`], { ...defaultDeadLetterLimits, replicas: limits.replicas ?? 1 }));
}
