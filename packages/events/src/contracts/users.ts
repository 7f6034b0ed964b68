import { z } from 'zod';
import { defineEvent } from './define-event.js';

/** Database ids are BIGINT; JSON carries them as decimal strings so no precision is lost. */
export const bigintId = z.string().regex(/^\d{1,19}$/, 'a decimal BIGINT id');
const isoTimestamp = z.iso.datetime({ offset: true });
const userType = z.enum(['job_seeker', 'employer', 'admin']);

/**
 * A name as users stores it (VARCHAR(150)), null when the account has none. Added to v1 after its
 * first events: an event written without it reads as null.
 */
const personName = z.string().max(150).nullable().default(null);

/**
 * The replicated state of an account. Email and names travel so that applications can show the
 * employer side of an application who applied (its applicant_contacts copy); users itself still
 * shows the email to the owner and admins only.
 */
const userState = z.object({
  userId: bigintId,
  username: z.string().min(1).max(150),
  email: z.email().max(254),
  firstName: personName,
  lastName: personName,
  userType,
  isActive: z.boolean(),
  isVerified: z.boolean(),
});

/**
 * That users queued a mail to an account, and nothing more: users renders and sends its own
 * verification and reset mails (their links hold one-time tokens, which never leave users except
 * inside the mail), so the event carries neither the address nor the link.
 */
const mailRequested = z.object({
  userId: bigintId,
  kind: z.enum(['email_verification', 'password_reset']),
  /** The queued mail's id in users' send queue (a ULID). */
  requestId: z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'a ULID'),
});

const byUserId = (data: { userId: string }) => data.userId;

export const usersEvents = {
  'users.user.registered.v1': defineEvent({
    producer: 'users',
    consumers: ['notifications', 'analytics', 'jobs', 'applications'],
    aggregate: 'user',
    aggregateIdOf: byUserId,
    summary: 'An account was created. Replicas of users start from this event.',
    schema: userState.extend({ dateJoined: isoTimestamp }),
  }),
  'users.user.updated.v1': defineEvent({
    producer: 'users',
    consumers: ['jobs', 'applications', 'notifications', 'analytics'],
    aggregate: 'user',
    aggregateIdOf: byUserId,
    summary: "An account's replicated fields changed (profile, type, verification, activation). Carries the full replicated state, not a diff.",
    schema: userState,
  }),
  'users.user.mail_requested.v1': defineEvent({
    producer: 'users',
    consumers: ['notifications'],
    aggregate: 'user',
    aggregateIdOf: byUserId,
    summary: "users queued an account mail (email verification, password reset), which it sends itself. No address, no link: only who, which kind and the queued mail's id.",
    schema: mailRequested,
  }),
  'users.user.deleted.v1': defineEvent({
    producer: 'users',
    consumers: ['jobs', 'applications', 'search', 'notifications', 'analytics'],
    aggregate: 'user',
    aggregateIdOf: byUserId,
    summary:
      'Start of the account-erasure saga: the account is unusable from now on. Every service in userErasureParticipants deletes or anonymises what it holds about the user, then emits <service>.user_erasure.completed.v1.',
    schema: z.object({ userId: bigintId, requestedAt: isoTimestamp }),
  }),
  'users.user.erased.v1': defineEvent({
    producer: 'users',
    consumers: ['analytics'],
    aggregate: 'user',
    aggregateIdOf: byUserId,
    summary: 'End of the account-erasure saga: every participant reported completion and users reduced the account to a tombstone (id, erased~<id> handle, no personal data).',
    schema: z.object({ userId: bigintId, requestedAt: isoTimestamp, completedAt: isoTimestamp, services: z.array(z.string()) }),
  }),
};
