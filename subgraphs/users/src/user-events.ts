import type { Logger } from '@jobplatform/config';
import type { Prisma } from './generated/prisma/client.js';

/** What the users service tells the rest of the platform. Tokens travel only here, never in the API. */
export type UserEvent =
  | { type: 'registered'; userId: bigint; username: string; email: string; userType: string }
  | { type: 'updated'; userId: bigint; username: string; userType: string; isActive: boolean }
  | { type: 'verification_requested'; userId: bigint; username: string; email: string; token: string; expiresAt: Date }
  | { type: 'password_reset_requested'; userId: bigint; username: string; email: string; token: string; expiresAt: Date }
  | { type: 'deleted'; userId: bigint; requestedAt: Date };

/** Records an event as part of the transaction that made the change. */
export type UserEventSink = {
  record(tx: Prisma.TransactionClient, event: UserEvent): Promise<void>;
};

/**
 * In development, the one-time tokens that an email would carry are logged by the users service
 * so that a developer can verify an account or reset a password by hand.
 */
export function createDevelopmentTokenLog(logger: Logger): UserEventSink {
  return {
    async record(_tx, event) {
      if (event.type === 'verification_requested' || event.type === 'password_reset_requested') {
        logger.info({ userId: event.userId.toString(), email: event.email, oneTimeToken: event.token, expiresAt: event.expiresAt }, `development only: ${event.type} token`);
      }
    },
  };
}

export function combineSinks(...sinks: UserEventSink[]): UserEventSink {
  return {
    async record(tx, event) {
      for (const sink of sinks) await sink.record(tx, event);
    },
  };
}
