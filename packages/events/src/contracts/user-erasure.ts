import { z } from 'zod';
import { defineEvent, type EventContract, type ServiceName } from './define-event.js';
import { bigintId } from './users.js';

/**
 * The services that hold data about a user and take part in the account-erasure saga. users starts
 * the saga with users.user.deleted.v1 and waits for one completion per participant. Each service
 * joins when it is built, by adding itself here: it gets its reply subject, and users waits for it
 * in every saga started from then on (a saga keeps the participants it started with). Only services
 * that exist and consume users.user.deleted.v1 may be listed, or every erasure waits forever.
 */
export const userErasureParticipants = ['jobs'] as const satisfies readonly ServiceName[];
export type UserErasureParticipant = (typeof userErasureParticipants)[number];
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

export const userErasureEvents = Object.fromEntries(
  userErasureParticipants.map((service) => [userErasureCompletedSubject(service), completedContract(service)]),
) as Record<UserErasureCompletedSubject, EventContract<typeof userErasureCompleted>>;
