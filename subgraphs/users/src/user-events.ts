import type { Logger } from '@jobplatform/config';
import { createOutbox } from '@jobplatform/events';
import type { Prisma, User as UserRow } from './generated/prisma/client.js';

/** What the users service tells the rest of the platform. Tokens travel only here, never in the API. */
export type UserEvent =
  | { type: 'registered'; user: UserRow }
  | { type: 'updated'; user: UserRow }
  | { type: 'verification_requested'; user: UserRow; token: string; expiresAt: Date }
  | { type: 'password_reset_requested'; user: UserRow; token: string; expiresAt: Date }
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

function oneTimeTokenMail(event: { user: UserRow; token: string; expiresAt: Date }) {
  return { userId: event.user.id.toString(), email: event.user.email, username: event.user.username, token: event.token, expiresAt: event.expiresAt.toISOString() };
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
        case 'verification_requested':
          await outbox.record(tx, 'users.user.verification_requested.v1', oneTimeTokenMail(event), options);
          return;
        case 'password_reset_requested':
          await outbox.record(tx, 'users.user.password_reset_requested.v1', oneTimeTokenMail(event), options);
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

/**
 * In development, the one-time tokens that an email would carry are logged by the users service
 * so that a developer can verify an account or reset a password by hand.
 */
export function createDevelopmentTokenLog(logger: Logger): UserEventSink {
  return {
    async record(_tx, event) {
      if (event.type === 'verification_requested' || event.type === 'password_reset_requested') {
        logger.info({ userId: event.user.id.toString(), email: event.user.email, oneTimeToken: event.token, expiresAt: event.expiresAt }, `development only: ${event.type} token`);
      }
    },
  };
}

export function combineSinks(...sinks: UserEventSink[]): UserEventSink {
  return {
    async record(tx, event, options) {
      for (const sink of sinks) await sink.record(tx, event, options);
    },
  };
}
