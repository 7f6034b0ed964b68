import type { NatsConnection } from '@nats-io/transport-node';
import type { Registry } from 'prom-client';
import type { Logger } from '@jobplatform/config';
import type { EventEnvelope, EventSubject } from '@jobplatform/events';
import type { OperationLimits } from '@jobplatform/service-runtime';
import type { QueryPreparer } from '../execute-operation.js';
import type { SubscriptionSource } from '../websocket.js';
import { startEventFanout } from './event-fanout.js';
import { liveFields } from './live-fields.js';
import { createLiveSubscriptions } from './live-subscriptions.js';

export { liveFields, type LiveField } from './live-fields.js';

export type LiveUpdatesOptions = {
  nats: NatsConnection;
  prepareQuery: QueryPreparer;
  limits: OperationLimits;
  maxSubscriptionsPerConnection: number;
  maxQueuedEvents: number;
  logger: Logger;
  registry?: Registry;
};

export type LiveUpdates = { subscribe: SubscriptionSource; close(): Promise<void> };

/** The subjects the gateway listens to, each with the users an event of it may reach (the union over its fields). */
function audiencesBySubject(): Map<EventSubject, (envelope: EventEnvelope) => readonly string[]> {
  const audiences = new Map<EventSubject, (envelope: EventEnvelope) => readonly string[]>();
  for (const field of Object.values(liveFields)) {
    const before = audiences.get(field.subject);
    audiences.set(field.subject, (envelope) => [...(before?.(envelope) ?? []), ...field.audienceOf(envelope.data)]);
  }
  return audiences;
}

/**
 * Subscriptions served from NATS: one core subscription per subject of liveFields for the whole
 * process, and the SubscriptionSource the socket server hands subscription operations to. Nothing
 * here depends on a socket, so a benchmark can drive it with any NatsConnection and query preparer.
 */
export async function startLiveUpdates(options: LiveUpdatesOptions): Promise<LiveUpdates> {
  const fanout = await startEventFanout({ nats: options.nats, audiences: audiencesBySubject(), logger: options.logger });
  const subscribe = createLiveSubscriptions({ ...options, fanout });
  return { subscribe, close: () => fanout.close() };
}
