import { AppError } from '@jobplatform/service-runtime';
import type { UsersDb } from './db.js';

export type LoginThrottlePolicy = {
  windowMs: number;
  /** Failed sign-ins for one email within the window before it is locked for the rest of it. */
  maxFailuresPerAccount: number;
  /** Failed sign-ins from one address within the window, whatever the email. */
  maxFailuresPerAddress: number;
};

export const defaultLoginThrottlePolicy: LoginThrottlePolicy = {
  windowMs: 15 * 60 * 1000,
  maxFailuresPerAccount: 5,
  maxFailuresPerAddress: 20,
};

/**
 * Refuses a sign-in attempt when the account or the client address has failed too often lately.
 * Failures are the login_failed rows of the audit trail, so every replica sees the same counts.
 * A success for the account, or a password reset, starts its count afresh.
 */
export async function assertLoginAllowed(db: Pick<UsersDb, 'auditEvent'>, policy: LoginThrottlePolicy, email: string, clientIp: string | undefined, now: Date): Promise<void> {
  const windowStart = new Date(now.getTime() - policy.windowMs);
  const lastSuccess = await db.auditEvent.findFirst({
    where: { action: { in: ['login_succeeded', 'password_reset'] }, subject: email, createdAt: { gte: windowStart } },
    orderBy: { createdAt: 'desc' },
    select: { createdAt: true },
  });
  const accountSince = lastSuccess?.createdAt ?? windowStart;
  const [accountFailures, addressFailures] = await Promise.all([
    db.auditEvent.findMany({
      where: { action: 'login_failed', subject: email, createdAt: { gt: accountSince } },
      orderBy: { createdAt: 'asc' },
      select: { createdAt: true },
      take: policy.maxFailuresPerAccount,
    }),
    clientIp
      ? db.auditEvent.findMany({
          where: { action: 'login_failed', ipAddress: clientIp, createdAt: { gt: windowStart } },
          orderBy: { createdAt: 'asc' },
          select: { createdAt: true },
          take: policy.maxFailuresPerAddress,
        })
      : Promise.resolve([]),
  ]);
  const retryAfter = (oldest: Date) => Math.max(1, Math.ceil((oldest.getTime() + policy.windowMs - now.getTime()) / 1000));
  if (accountFailures.length >= policy.maxFailuresPerAccount) {
    const seconds = retryAfter(accountFailures[0]!.createdAt);
    throw new AppError('TOO_MANY_REQUESTS', `Too many failed sign-ins for this account. Try again in ${seconds} seconds or reset the password.`, {
      retryAfterSeconds: seconds,
    });
  }
  if (addressFailures.length >= policy.maxFailuresPerAddress) {
    const seconds = retryAfter(addressFailures[0]!.createdAt);
    throw new AppError('TOO_MANY_REQUESTS', `Too many failed sign-ins from this address. Try again in ${seconds} seconds.`, {
      retryAfterSeconds: seconds,
    });
  }
}
