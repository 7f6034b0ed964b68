import { createOutbox } from '@jobplatform/events';
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

/** Records an event as part of the transaction that made the change. */
export type UserEventSink = {
  record(tx: Prisma.TransactionClient, event: UserEvent, options?: UserEventOptions): Promise<void>;
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

/**
 * The transactional outbox of the users service: each event is a row in event_outbox, committed
 * with the change it describes, and published to JetStream by the relay (see events.ts).
 */
export function createUserEventOutbox(): UserEventSink {
  const outbox = createOutbox({ source: 'users' });
  return {
    async record(tx, event, options = {}) {
      switch (event.type) {
        case 'registered':
          await outbox.record(tx, 'users.user.registered.v1', { ...userState(event.user), dateJoined: event.user.dateJoined.toISOString() }, options);
          return;
        case 'updated':
          await outbox.record(tx, 'users.user.updated.v1', userState(event.user), options);
          return;
        case 'mail_requested':
          await outbox.record(tx, 'users.user.mail_requested.v1', { userId: event.userId.toString(), kind: event.kind, requestId: event.requestId }, options);
          return;
        case 'deleted':
          await outbox.record(tx, 'users.user.deleted.v1', { userId: event.userId.toString(), requestedAt: event.requestedAt.toISOString() }, options);
          return;
        case 'erased':
          await outbox.record(
            tx,
            'users.user.erased.v1',
            { userId: event.userId.toString(), requestedAt: event.requestedAt.toISOString(), completedAt: event.completedAt.toISOString(), services: [...event.services] },
            options,
          );
          return;
      }
    },
  };
}
