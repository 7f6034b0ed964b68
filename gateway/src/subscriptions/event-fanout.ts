import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import type { Logger } from '@jobplatform/config';
import { parseEnvelope, type EventEnvelope, type EventSubject } from '@jobplatform/events';

export type EventListener = (envelope: EventEnvelope) => void;

/** Hands each event of a subject to the listeners of the users it may reach. */
export type EventFanout = {
  /** Listens for `userId`'s events of `subject`; returns the function that stops listening. */
  listen(subject: EventSubject, userId: string, listener: EventListener): () => void;
  close(): Promise<void>;
};

export type EventFanoutOptions = {
  nats: NatsConnection;
  /** The subjects to listen to, each with the users an event of it may reach. */
  audiences: ReadonlyMap<EventSubject, (envelope: EventEnvelope) => readonly string[]>;
  logger: Logger;
  onEvent?: (subject: EventSubject, outcome: 'received' | 'duplicate' | 'invalid') => void;
};

/** How many recent event ids are remembered to drop a republished event. */
const REMEMBERED_EVENT_IDS = 4096;

/**
 * Remembers the last ids seen. A relay that publishes an event again after a crash is de-duplicated
 * by JetStream for its consumers, but a core subscriber sees every publish.
 */
function createRecentIds(capacity: number) {
  const ids = new Set<string>();
  return {
    /** False when the id was seen recently. */
    add(id: string): boolean {
      if (ids.has(id)) return false;
      ids.add(id);
      if (ids.size > capacity) ids.delete(ids.values().next().value!);
      return true;
    },
  };
}

/**
 * One core NATS subscription per subject, shared by every socket of this process. Core, not a
 * JetStream consumer: every gateway replica receives every event, and a replica that starts (or
 * restarts) sees only what is published from then on. Listeners are indexed by user, so an event
 * costs its audience, not the number of subscribers.
 */
export async function startEventFanout(options: EventFanoutOptions): Promise<EventFanout> {
  const { nats, logger } = options;
  const listeners = new Map<EventSubject, Map<string, Set<EventListener>>>();
  const recent = createRecentIds(REMEMBERED_EVENT_IDS);

  const dispatch = (subject: EventSubject, body: Uint8Array) => {
    const parsed = parseEnvelope(subject, body);
    if (!parsed.ok) {
      options.onEvent?.(subject, 'invalid');
      logger.warn({ subject, reason: parsed.reason }, 'dropped an event that breaks its contract');
      return;
    }
    if (!recent.add(parsed.envelope.id)) {
      options.onEvent?.(subject, 'duplicate');
      return;
    }
    options.onEvent?.(subject, 'received');
    const byUser = listeners.get(subject);
    if (!byUser) return;
    const audience = new Set(options.audiences.get(subject)!(parsed.envelope));
    for (const userId of audience) {
      for (const listener of byUser.get(userId) ?? []) {
        try {
          listener(parsed.envelope);
        } catch (error) {
          logger.error({ err: error, subject }, 'a subscription failed to take an event');
        }
      }
    }
  };

  const subscriptions: Subscription[] = [];
  for (const subject of options.audiences.keys()) {
    listeners.set(subject, new Map());
    subscriptions.push(
      nats.subscribe(subject, { callback: (error, message) => (error ? logger.error({ err: error, subject }, 'NATS subscription failed') : dispatch(subject, message.data)) }),
    );
  }
  // The server has registered the subscriptions once it answers a ping: from here on nothing is missed.
  await nats.flush();

  return {
    listen(subject, userId, listener) {
      const byUser = listeners.get(subject);
      if (!byUser) throw new Error(`startEventFanout: not listening to ${subject}`);
      const own = byUser.get(userId) ?? new Set<EventListener>();
      byUser.set(userId, own);
      own.add(listener);
      return () => {
        own.delete(listener);
        if (own.size === 0 && byUser.get(userId) === own) byUser.delete(userId);
      };
    },
    async close() {
      for (const subscription of subscriptions) subscription.unsubscribe();
    },
  };
}
