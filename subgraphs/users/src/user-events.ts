import { createOutbox, type OutboxEvent } from '@jobplatform/events';
import type { AccountMailKind } from './account-mails.js';
import type { Prisma, User as UserRow } from './generated/prisma/client.js';

/** What the users service tells the rest of the platform. No secret ever: one-time tokens leave users only inside its own mails. */
export type UserEvent =
  | { type: 'registered'; user: UserRow }
  | { type: 'updated'; user: UserRow }
  | { type: 'mail_requested'; userId: bigint; kind: AccountMailKind; requestId: string }
  | { type: 'deleted'; userId: bigint; requestedAt: Date }
  | { type: 'erased'; userId: bigint; requestedAt: Date; completedAt: Date; services: readonly string[] };

export type UserEventOptions = {
  /** W3C trace context of what caused the change (a handled event, a request). */
  traceparent?: string;
};

/** Records events as part of the transaction that made the change. */
export type UserEventSink = {
  record(tx: Prisma.TransactionClient, event: UserEvent, options?: UserEventOptions): Promise<void>;
  /** Several events in one statement, in the order given. */
  recordMany(tx: Prisma.TransactionClient, events: readonly UserEvent[], options?: UserEventOptions): Promise<void>;
};

type UserType = 'job_seeker' | 'employer' | 'admin';

/** The replicated state of an account, as users.user.registered.v1 and users.user.updated.v1 carry it. */
function userState(user: UserRow) {
  return {
    userId: user.id.toString(),
    username: user.username,
    email: user.email,
    firstName: user.firstName,
    lastName: user.lastName,
    // users_user_type_check guarantees one of these; the contract checks it again.
    userType: user.userType as UserType,
    isActive: user.isActive,
    isVerified: user.isVerified,
  };
}

/** The outbox event a users event is: its subject and the contract's data. */
function outboxEventOf(event: UserEvent, options: UserEventOptions): OutboxEvent {
  switch (event.type) {
    case 'registered':
      return { subject: 'users.user.registered.v1', data: { ...userState(event.user), dateJoined: event.user.dateJoined.toISOString() }, ...options };
    case 'updated':
      return { subject: 'users.user.updated.v1', data: userState(event.user), ...options };
    case 'mail_requested':
      return { subject: 'users.user.mail_requested.v1', data: { userId: event.userId.toString(), kind: event.kind, requestId: event.requestId }, ...options };
    case 'deleted':
      return { subject: 'users.user.deleted.v1', data: { userId: event.userId.toString(), requestedAt: event.requestedAt.toISOString() }, ...options };
    case 'erased':
      return {
        subject: 'users.user.erased.v1',
        data: { userId: event.userId.toString(), requestedAt: event.requestedAt.toISOString(), completedAt: event.completedAt.toISOString(), services: [...event.services] },
        ...options,
      };
  }
}

/**
 * The transactional outbox of the users service: each event is a row in event_outbox, committed
 * with the change it describes, and published to JetStream by the relay (see events.ts).
 */
export function createUserEventOutbox(): UserEventSink {
  const outbox = createOutbox({ source: 'users' });
  return {
    async record(tx, event, options = {}) {
      await outbox.recordMany(tx, [outboxEventOf(event, options)]);
    },
    async recordMany(tx, events, options = {}) {
      await outbox.recordMany(
        tx,
        events.map((event) => outboxEventOf(event, options)),
      );
    },
  };
}
