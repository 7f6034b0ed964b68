import { z } from 'zod';
import { erasureParticipants, type ErasureParticipant } from '@jobplatform/config';
import { defineEvent, type EventContract } from './define-event.js';
import { bigintId } from './users.js';

/**
 * The services that hold data about a user and take part in the account-erasure saga: those whose
 * registry entry says `erasure: 'participant'`. users starts the saga with users.user.deleted.v1
 * and waits for one completion per participant. A service joins when it is built, through its
 * registry entry: it gets its reply subject, and users waits for it in every saga started from
 * then on (a saga keeps the participants it started with). Only services that exist and consume
 * users.user.deleted.v1 may be participants, or every erasure waits forever.
 */
export const userErasureParticipants = erasureParticipants;
export type UserErasureParticipant = ErasureParticipant;
export type UserErasureCompletedSubject = `${UserErasureParticipant}.user_erasure.completed.v1`;

export function userErasureCompletedSubject<P extends UserErasureParticipant>(service: P): `${P}.user_erasure.completed.v1` {
  return `${service}.user_erasure.completed.v1`;
}

const userErasureCompleted = z.object({
  userId: bigintId,
  service: z.enum(userErasureParticipants),
  completedAt: z.iso.datetime({ offset: true }),
  /** What was done, for the saga's record, e.g. { deletedApplications: 3, anonymisedReviews: 1 }. */
  summary: z.record(z.string(), z.number().int().nonnegative()).default({}),
});

function completedContract(service: UserErasureParticipant): EventContract<typeof userErasureCompleted> {
  return defineEvent({
    producer: service,
    consumers: ['users'],
    aggregate: 'user',
    aggregateIdOf: (data) => data.userId,
    summary: `${service} deleted or anonymised everything it held about the user (reply in the account-erasure saga).`,
    schema: userErasureCompleted,
  });
}

export const userErasureEvents = Object.fromEntries(userErasureParticipants.map((service) => [userErasureCompletedSubject(service), completedContract(service)])) as Record<
  UserErasureCompletedSubject,
  EventContract<typeof userErasureCompleted>
>;
