import type { NatsConnection } from '@nats-io/transport-node';
import { JetStreamApiCodes, JetStreamApiError, jetstreamManager, type JetStreamManager, type MsgRequest } from '@nats-io/jetstream';
import type { ServiceName } from './contracts/index.js';
import { listDeadLetters } from './dead-letter.js';
import { deadLetterStream, streamExists, streamNameOf } from './streams.js';

/**
 * Subjects that are no longer published and whose old messages must not stay on the bus, with
 * their producer and why. Their contracts are gone, so no consumer could read them anyway.
 */
export const retiredSubjects = {
  'users.user.verification_requested.v1': {
    producer: 'users',
    reason: 'carried the one-time verification token and the email in clear; users sends the mail itself and publishes users.user.mail_requested.v1',
  },
  'users.user.password_reset_requested.v1': {
    producer: 'users',
    reason: 'carried the one-time reset token and the email in clear; users sends the mail itself and publishes users.user.mail_requested.v1',
  },
} as const satisfies Record<string, { producer: ServiceName; reason: string }>;

export type RetiredSubject = keyof typeof retiredSubjects;

export type RetiredSubjectsPurge = {
  /** Messages removed from each producer's stream, by subject. */
  removed: Record<string, number>;
  /** Dead letters of retired subjects removed from DEADLETTER. */
  deadLetters: number;
};

const isMissingMessage = (error: unknown) => error instanceof JetStreamApiError && error.code === JetStreamApiCodes.NoMessageFound;

/** Erases (overwrites on disk, not only unlinks) every message of `subject` in `stream`; returns how many. */
async function eraseSubject(jsm: JetStreamManager, stream: string, subject: string): Promise<number> {
  let erased = 0;
  for (let seq = 1; ;) {
    let stored;
    try {
      // next_by_subj: the first message at or after seq on the subject (see listDeadLetters).
      stored = await jsm.streams.getMessage(stream, { seq, next_by_subj: subject } as unknown as MsgRequest);
    } catch (error) {
      if (isMissingMessage(error)) break;
      throw error;
    }
    if (!stored) break;
    await jsm.streams.deleteMessage(stream, stored.seq, true);
    erased += 1;
    seq = stored.seq + 1;
  }
  // Anything published meanwhile (a replica of the old version still running) goes too.
  const { purged } = await jsm.streams.purge(stream, { filter: subject });
  return erased + purged;
}

/**
 * The streams' data migration: removes every message of a retired subject from its producer's
 * stream (each erased, then a purge with the subject as filter) and every dead letter copied from
 * one. Safe to run again; finds nothing the second time. Needs the admin identity: services may
 * neither purge streams nor read dead letters. `npm run migrate` and `npm start` run it.
 */
export async function purgeRetiredSubjects(nats: NatsConnection, subjects: Readonly<Record<string, { producer: string }>> = retiredSubjects): Promise<RetiredSubjectsPurge> {
  const jsm = await jetstreamManager(nats);
  const removed: Record<string, number> = {};
  for (const [subject, { producer }] of Object.entries(subjects)) {
    const stream = streamNameOf(producer);
    removed[subject] = (await streamExists(nats, stream)) ? await eraseSubject(jsm, stream, subject) : 0;
  }
  let deadLetters = 0;
  if (await streamExists(nats, deadLetterStream)) {
    // A dead letter's own subject names the consumer; the original subject is in a header.
    const letters = await listDeadLetters(nats, { limit: Number.MAX_SAFE_INTEGER });
    for (const letter of letters.filter((candidate) => Object.hasOwn(subjects, candidate.originalSubject))) {
      try {
        await jsm.streams.deleteMessage(deadLetterStream, letter.sequence, true);
        deadLetters += 1;
      } catch (error) {
        if (!isMissingMessage(error)) throw error;
      }
    }
  }
  return { removed, deadLetters };
}
