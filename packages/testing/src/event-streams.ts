import { headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { createEnvelope, parseEnvelope, streamNameOf, type CreateEnvelopeOptions, type EventEnvelope, type EventInput, type EventSubject } from '@jobplatform/events';
import type { ServiceName } from '@jobplatform/config';
import type { TestDatabase } from './test-database.js';
import { waitFor } from './wait-for.js';

/**
 * Every message a producer's stream holds, in stream order, optionally of one subject: what
 * consumers get. A message that breaks its contract fails the test.
 */
export async function readStream<S extends EventSubject>(nats: NatsConnection, stream: string, subject?: S): Promise<EventEnvelope<S>[]> {
  const jsm = await jetstreamManager(nats);
  const { state } = await jsm.streams.info(stream);
  const envelopes: EventEnvelope<S>[] = [];
  for (let seq = state.first_seq; state.messages > 0 && seq <= state.last_seq; seq += 1) {
    // A message deleted from the middle of the stream leaves a gap.
    const message = await jsm.streams.getMessage(stream, { seq }).catch(() => undefined);
    if (!message || (subject && message.subject !== subject)) continue;
    const parsed = parseEnvelope(message.subject, message.data);
    if (!parsed.ok) throw new Error(`${stream} holds a message that breaks its contract: ${parsed.reason}`);
    envelopes.push(parsed.envelope as EventEnvelope<S>);
  }
  return envelopes;
}

/** A message as a stream stores it, undecoded: what anyone allowed to read the stream can see. */
export type StoredMessage = { seq: number; subject: string; data: string; headers: Record<string, string[]> };

/**
 * Every message a stream holds, raw, in stream order: for checks that must see what is on the bus
 * whatever its contract says (no secret anywhere, dead letters included).
 */
export async function readStreamMessages(nats: NatsConnection, stream: string): Promise<StoredMessage[]> {
  const jsm = await jetstreamManager(nats);
  const { state } = await jsm.streams.info(stream);
  const messages: StoredMessage[] = [];
  for (let seq = state.first_seq; state.messages > 0 && seq <= state.last_seq; seq += 1) {
    const message = await jsm.streams.getMessage(stream, { seq }).catch(() => undefined);
    if (!message) continue;
    const headers: Record<string, string[]> = {};
    for (const [key, values] of message.header ?? []) headers[key] = [...values];
    messages.push({ seq, subject: message.subject, data: Buffer.from(message.data).toString('utf8'), headers });
  }
  return messages;
}

/** Publishes an envelope to JetStream as a producer's relay would; msgID defaults to the event id. */
export async function publishEnvelope(nats: NatsConnection, envelope: EventEnvelope, msgID = envelope.id): Promise<void> {
  const headers = natsHeaders();
  headers.set('traceparent', envelope.traceparent);
  await jetstream(nats).publish(envelope.type, JSON.stringify(envelope), { msgID, headers });
}

/** Builds and publishes an event as `producer` would (tests of a consumer without that producer running). */
export async function publishEvent<S extends EventSubject>(
  nats: NatsConnection,
  producer: ServiceName,
  subject: S,
  data: EventInput<S>,
  options: CreateEnvelopeOptions = {},
): Promise<EventEnvelope<S>> {
  const envelope = createEnvelope(producer, subject, data, options);
  await publishEnvelope(nats, envelope);
  return envelope;
}

/** Events a service committed to its outbox, in outbox order, optionally of one subject. */
export async function readOutbox<S extends EventSubject>(db: TestDatabase, subject?: S): Promise<EventEnvelope<S>[]> {
  const { rows } = await db.query<{ id: string; subject: string; source: string; occurred_at: Date; aggregate_id: string; traceparent: string; data: unknown }>(
    `SELECT id, subject, source, occurred_at, aggregate_id, traceparent, data FROM event_outbox WHERE $1::text IS NULL OR subject = $1 ORDER BY position`,
    [subject ?? null],
  );
  return rows.map(
    (row) =>
      ({
        id: row.id,
        type: row.subject,
        source: row.source,
        occurredAt: row.occurred_at.toISOString(),
        aggregateId: row.aggregate_id,
        traceparent: row.traceparent,
        data: row.data,
      }) as EventEnvelope<S>,
  );
}

/**
 * What is still on its way through the event backbone: events the services committed and their
 * relays have not published yet, and messages that durable consumers have not applied yet
 * (JetStream's num_pending and num_ack_pending; a consumer acknowledges after its transaction
 * commits). Each service's admin connection sees the nats-server that service uses.
 */
async function eventsInFlight(services: readonly { db: TestDatabase; nats: NatsConnection }[]): Promise<{ unpublished: number; unapplied: number }> {
  let unpublished = 0;
  let unapplied = 0;
  for (const { db } of services) {
    unpublished += Number((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM event_outbox WHERE published_at IS NULL')).rows[0]!.n);
  }
  for (const nats of new Set(services.map((service) => service.nats))) {
    const jsm = await jetstreamManager(nats);
    for await (const stream of jsm.streams.list()) {
      for await (const consumer of jsm.consumers.list(stream.config.name)) {
        if (consumer.config.durable_name) unapplied += consumer.num_pending + consumer.num_ack_pending;
      }
    }
  }
  return { unpublished, unapplied };
}

/**
 * Resolves once every event the services committed is published and applied by every durable
 * consumer. A statement count is measured after it: a consumer still applying what the test's
 * setup published shares the service's database clients, and its statements would count as the
 * request's.
 */
export async function waitForEventsSettled(services: readonly { db: TestDatabase; nats: NatsConnection }[], timeoutMs = 30_000): Promise<void> {
  await waitFor(
    'the events the services committed to be published and applied',
    () => eventsInFlight(services),
    ({ unpublished, unapplied }) => unpublished === 0 && unapplied === 0,
    timeoutMs,
  );
}

export { streamNameOf };
