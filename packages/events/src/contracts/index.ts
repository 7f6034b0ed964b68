import type { z } from 'zod';
import type { EventContract } from './define-event.js';
import { applicationsEvents } from './applications.js';
import { jobsEvents } from './jobs.js';
import { notificationsEvents } from './notifications.js';
import { searchEvents } from './search.js';
import { userErasureEvents } from './user-erasure.js';
import { usersEvents } from './users.js';

export { defineEvent, serviceNames, type EventContract, type ServiceName } from './define-event.js';
export { bigintId } from './users.js';
export { userErasureCompletedSubject, userErasureParticipants, type UserErasureCompletedSubject, type UserErasureParticipant } from './user-erasure.js';

/** Every subject on the platform and its contract: the one map publishers and consumers share. */
export const eventContracts = {
  ...usersEvents,
  ...jobsEvents,
  ...applicationsEvents,
  ...notificationsEvents,
  ...searchEvents,
  ...userErasureEvents,
};

export type EventContracts = typeof eventContracts;
export type EventSubject = keyof EventContracts;
/** The payload of a subject as a consumer receives it (after zod's defaults and transforms). */
export type EventData<S extends EventSubject> = z.output<EventContracts[S]['schema']>;
/** The payload of a subject as a producer writes it. */
export type EventInput<S extends EventSubject> = z.input<EventContracts[S]['schema']>;

export function isEventSubject(subject: string): subject is EventSubject {
  return Object.hasOwn(eventContracts, subject);
}

export function contractFor(subject: EventSubject): EventContract {
  return eventContracts[subject] as EventContract;
}
