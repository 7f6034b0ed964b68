import { headers as natsHeaders, type MsgHdrs, type NatsConnection } from '@nats-io/transport-node';
import { JetStreamApiCodes, JetStreamApiError, jetstream, jetstreamManager, type JsMsg, type MsgRequest } from '@nats-io/jetstream';
import { deadLetterStream, deadLetterSubjectPrefix } from './streams.js';

/** Headers a dead letter carries besides the original message's own (traceparent, ...). */
export const deadLetterHeaders = {
  subject: 'Dead-Letter-Subject',
  stream: 'Dead-Letter-Stream',
  sequence: 'Dead-Letter-Sequence',
  consumer: 'Dead-Letter-Consumer',
  deliveries: 'Dead-Letter-Deliveries',
  reason: 'Dead-Letter-Reason',
  error: 'Dead-Letter-Error',
  failedAt: 'Dead-Letter-Failed-At',
} as const;

/**
 * `malformed`: failed its envelope or contract, so retrying cannot help. `exhausted`: the handler
 * kept failing. `future-dated`: its occurredAt lay further ahead of the consumer's clock than clocks
 * differ, so it was not applied.
 */
export type DeadLetterReason = 'malformed' | 'exhausted' | 'future-dated';

export type DeadLetter = {
  /** Sequence in the DEADLETTER stream: what replay and discard take. */
  sequence: number;
  deadLetterSubject: string;
  originalSubject: string;
  originalStream: string;
  originalSequence: number;
  consumer: string;
  deliveries: number;
  reason: DeadLetterReason;
  error: string;
  failedAt: string;
  eventId?: string;
  data: Uint8Array;
  headers: MsgHdrs | undefined;
};

/** deadletter.<service>.<purpose>, one subject per durable consumer, all in the DEADLETTER stream. */
export function deadLetterSubjectOf(service: string, purpose: string): string {
  return `${deadLetterSubjectPrefix}.${service}.${purpose}`;
}

/** Keeps header values single-line and bounded; NATS headers cannot carry line breaks. */
function headerValue(value: string, max = 1_000): string {
  return value.replace(/[\r\n]+/g, ' ').slice(0, max);
}

/**
 * Copies a message that a consumer gives up on into the DEADLETTER stream, unchanged, with why it
 * failed. The msgID makes repeated attempts for the same message (a crash before the ack) one.
 */
export async function publishDeadLetter(
  nats: NatsConnection,
  message: JsMsg,
  details: { service: string; purpose: string; consumer: string; reason: DeadLetterReason; error: string },
): Promise<void> {
  const headers = natsHeaders();
  for (const [key, values] of message.headers ?? []) {
    if (key.startsWith('Dead-Letter-') || key === 'Nats-Msg-Id') continue;
    for (const value of values) headers.append(key, value);
  }
  headers.set(deadLetterHeaders.subject, message.subject);
  headers.set(deadLetterHeaders.stream, message.info.stream);
  headers.set(deadLetterHeaders.sequence, String(message.info.streamSequence));
  headers.set(deadLetterHeaders.consumer, details.consumer);
  headers.set(deadLetterHeaders.deliveries, String(message.info.deliveryCount));
  headers.set(deadLetterHeaders.reason, details.reason);
  headers.set(deadLetterHeaders.error, headerValue(details.error));
  headers.set(deadLetterHeaders.failedAt, new Date().toISOString());
  const original = message.headers?.get('Nats-Msg-Id');
  if (original) headers.set('Original-Msg-Id', original);
  await jetstream(nats).publish(deadLetterSubjectOf(details.service, details.purpose), message.data, {
    msgID: `${details.consumer}:${message.info.stream}:${message.info.streamSequence}`,
    headers,
  });
}

function toDeadLetter(sequence: number, subject: string, data: Uint8Array, headers: MsgHdrs | undefined): DeadLetter {
  const get = (name: string) => headers?.get(name) ?? '';
  let eventId: string | undefined;
  try {
    const parsed = JSON.parse(Buffer.from(data).toString('utf8')) as { id?: unknown };
    if (typeof parsed.id === 'string') eventId = parsed.id;
  } catch {
    // malformed payloads are exactly what dead letters hold
  }
  return {
    sequence,
    deadLetterSubject: subject,
    originalSubject: get(deadLetterHeaders.subject),
    originalStream: get(deadLetterHeaders.stream),
    originalSequence: Number(get(deadLetterHeaders.sequence)),
    consumer: get(deadLetterHeaders.consumer),
    deliveries: Number(get(deadLetterHeaders.deliveries)),
    reason: get(deadLetterHeaders.reason) as DeadLetterReason,
    error: get(deadLetterHeaders.error),
    failedAt: get(deadLetterHeaders.failedAt),
    ...(eventId ? { eventId } : {}),
    data,
    headers,
  };
}

const isMissingMessage = (error: unknown) => error instanceof JetStreamApiError && error.code === JetStreamApiCodes.NoMessageFound;

/**
 * Dead letters in stream order. `subject` narrows with NATS wildcards: deadletter.jobs.> for one
 * service, deadletter.jobs.users-replica for one consumer.
 */
export async function listDeadLetters(nats: NatsConnection, options: { subject?: string; limit?: number } = {}): Promise<DeadLetter[]> {
  const jsm = await jetstreamManager(nats);
  const subject = options.subject ?? `${deadLetterSubjectPrefix}.>`;
  const limit = options.limit ?? 100;
  const info = await jsm.streams.info(deadLetterStream);
  const letters: DeadLetter[] = [];
  let seq = info.state.first_seq;
  while (letters.length < limit && seq <= info.state.last_seq && info.state.messages > 0) {
    try {
      // next_by_subj returns the first message at or after seq on a matching subject (the server
      // has supported it since 2.9; the client's type only lists seq and last_by_subj).
      const stored = await jsm.streams.getMessage(deadLetterStream, { seq, next_by_subj: subject } as unknown as MsgRequest);
      if (!stored) break;
      letters.push(toDeadLetter(stored.seq, stored.subject, stored.data, stored.header));
      seq = stored.seq + 1;
    } catch (error) {
      if (isMissingMessage(error)) break;
      throw error;
    }
  }
  return letters;
}

/**
 * Publishes dead letters again on their original subjects and removes them from DEADLETTER.
 * Every consumer of the subject receives the event again; those that applied it already skip it by
 * its id (processed_events), so only the consumer that failed applies it. The msgID differs from
 * the event id, or JetStream would drop the replay as a duplicate within its window.
 */
export async function replayDeadLetters(nats: NatsConnection, sequences: readonly number[]): Promise<{ replayed: number[]; missing: number[] }> {
  const jsm = await jetstreamManager(nats);
  const js = jetstream(nats);
  const replayed: number[] = [];
  const missing: number[] = [];
  for (const sequence of sequences) {
    let stored;
    try {
      stored = await jsm.streams.getMessage(deadLetterStream, { seq: sequence });
    } catch (error) {
      if (!isMissingMessage(error)) throw error;
    }
    if (!stored) {
      missing.push(sequence);
      continue;
    }
    const letter = toDeadLetter(stored.seq, stored.subject, stored.data, stored.header);
    const headers = natsHeaders();
    for (const [key, values] of stored.header ?? []) {
      if (key.startsWith('Dead-Letter-') || key === 'Nats-Msg-Id' || key === 'Original-Msg-Id' || key.startsWith('Nats-')) continue;
      for (const value of values) headers.append(key, value);
    }
    headers.set('Replayed-From', `${deadLetterStream}:${sequence}`);
    await js.publish(letter.originalSubject, stored.data, { msgID: `replay:${deadLetterStream}:${sequence}`, headers });
    await jsm.streams.deleteMessage(deadLetterStream, sequence, false);
    replayed.push(sequence);
  }
  return { replayed, missing };
}

/** Removes dead letters that should never be applied. */
export async function discardDeadLetters(nats: NatsConnection, sequences: readonly number[]): Promise<{ discarded: number[]; missing: number[] }> {
  const jsm = await jetstreamManager(nats);
  const discarded: number[] = [];
  const missing: number[] = [];
  for (const sequence of sequences) {
    try {
      await jsm.streams.deleteMessage(deadLetterStream, sequence, false);
      discarded.push(sequence);
    } catch (error) {
      if (!isMissingMessage(error)) throw error;
      missing.push(sequence);
    }
  }
  return { discarded, missing };
}
