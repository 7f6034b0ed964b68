import { monotonicFactory } from 'ulid';
import { z } from 'zod';
import { contractFor, isEventSubject, type EventData, type EventInput, type EventSubject } from './contracts/index.js';
import { randomFraction } from './random-bytes.js';
import { createTraceparent, isTraceparent } from './trace-context.js';

/**
 * What travels on the wire for every event. `id` is a ULID: unique, and sortable by creation time,
 * so logs and dead letters list in order; it is also the JetStream msgID and the consumers'
 * idempotency key.
 */
export type EventEnvelope<S extends EventSubject = EventSubject> = S extends EventSubject
  ? {
      id: string;
      type: S;
      source: string;
      occurredAt: string;
      aggregateId: string;
      traceparent: string;
      tracestate?: string;
      data: EventData<S>;
    }
  : never;

export const envelopeSchema = z.object({
  id: z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'a ULID'),
  type: z.string().min(1).max(200),
  source: z.string().min(1).max(50),
  occurredAt: z.iso.datetime({ offset: true }),
  aggregateId: z.string().min(1).max(100),
  traceparent: z.string().refine(isTraceparent, 'a W3C traceparent'),
  tracestate: z.string().max(512).optional(),
  data: z.unknown(),
});

// Monotonic within a process: two events created in the same millisecond still sort in creation order.
const nextUlid = monotonicFactory(randomFraction);

export function createEventId(): string {
  return nextUlid();
}

export class EventContractError extends Error {
  override name = 'EventContractError';
}

function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
}

export type CreateEnvelopeOptions = {
  occurredAt?: Date;
  traceparent?: string;
  tracestate?: string;
};

/** Builds a validated envelope; throws EventContractError when the payload breaks its contract. */
export function createEnvelope<S extends EventSubject>(source: string, subject: S, data: EventInput<S>, options: CreateEnvelopeOptions = {}): EventEnvelope<S> {
  const contract = contractFor(subject);
  const parsed = contract.schema.safeParse(data);
  if (!parsed.success) throw new EventContractError(`${subject}: ${describeIssues(parsed.error)}`);
  const traceparent = options.traceparent && isTraceparent(options.traceparent) ? options.traceparent : createTraceparent();
  return {
    id: createEventId(),
    type: subject,
    source,
    occurredAt: (options.occurredAt ?? new Date()).toISOString(),
    aggregateId: contract.aggregateIdOf(parsed.data),
    traceparent,
    ...(options.tracestate ? { tracestate: options.tracestate } : {}),
    data: parsed.data,
  } as EventEnvelope<S>;
}

export type ParsedEnvelope = { ok: true; envelope: EventEnvelope } | { ok: false; reason: string };

/**
 * Checks a received message against the envelope schema and its subject's contract. The subject the
 * message arrived on must match the envelope's type, so a payload cannot claim another contract.
 */
export function parseEnvelope(subject: string, body: Uint8Array | string): ParsedEnvelope {
  let json: unknown;
  try {
    json = JSON.parse(typeof body === 'string' ? body : Buffer.from(body).toString('utf8'));
  } catch (error) {
    return { ok: false, reason: `not JSON: ${(error as Error).message}` };
  }
  const envelope = envelopeSchema.safeParse(json);
  if (!envelope.success) return { ok: false, reason: `envelope: ${describeIssues(envelope.error)}` };
  if (envelope.data.type !== subject) return { ok: false, reason: `envelope type ${envelope.data.type} arrived on subject ${subject}` };
  if (!isEventSubject(subject)) return { ok: false, reason: `no contract for subject ${subject}` };
  const data = contractFor(subject).schema.safeParse(envelope.data.data);
  if (!data.success) return { ok: false, reason: `${subject}: ${describeIssues(data.error)}` };
  return { ok: true, envelope: { ...envelope.data, type: subject, data: data.data } as EventEnvelope };
}
