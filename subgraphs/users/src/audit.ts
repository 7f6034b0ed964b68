import type { Prisma } from './generated/prisma/client.js';
import { addressBlockOf } from './login-throttle.js';

/** Security-relevant things that happen to accounts; stored append-only in audit_events. */
export type AuditAction =
  | 'user_registered'
  | 'registration_throttled'
  | 'login_succeeded'
  | 'login_failed'
  | 'login_throttled'
  | 'refresh_token_reused'
  | 'logout'
  | 'email_verification_requested'
  | 'email_verified'
  | 'password_changed'
  | 'password_reset_requested'
  | 'password_reset'
  | 'profile_updated'
  | 'account_deletion_requested'
  | 'account_erased'
  | 'admin_created';

export type RequestOrigin = { clientIp: string | undefined; userAgent: string | undefined };

type AuditWriter = Pick<Prisma.TransactionClient, 'auditEvent'>;

export async function recordAudit(
  db: AuditWriter,
  action: AuditAction,
  origin: RequestOrigin,
  details: { userId?: bigint | null; subject?: string | null; metadata?: Prisma.InputJsonValue } = {},
): Promise<void> {
  await db.auditEvent.create({
    data: {
      action,
      userId: details.userId ?? null,
      subject: details.subject ?? null,
      ipAddress: origin.clientIp ?? null,
      addressBlock: addressBlockOf(origin.clientIp),
      userAgent: origin.userAgent?.slice(0, 255) ?? null,
      ...(details.metadata !== undefined ? { metadata: details.metadata } : {}),
    },
  });
}
