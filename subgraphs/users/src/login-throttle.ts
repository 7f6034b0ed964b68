import { isIPv4, isIPv6 } from 'node:net';
import { AppError } from '@jobplatform/service-runtime';
import type { UsersDb } from './db.js';

export type LoginThrottlePolicy = {
  windowMs: number;
  /** Failed sign-ins for one email within the window before it is locked for the rest of it. */
  maxFailuresPerAccount: number;
  /** Failed sign-ins from one address (an IPv6 address: its /64) within the window, whatever the email. */
  maxFailuresPerAddress: number;
};

export const defaultLoginThrottlePolicy: LoginThrottlePolicy = {
  windowMs: 15 * 60 * 1000,
  maxFailuresPerAccount: 5,
  maxFailuresPerAddress: 20,
};

/**
 * What the per-address throttle counts for a client address: an IPv4 address itself (also when
 * written IPv4-mapped, ::ffff:192.0.2.1), and for IPv6 its /64, written as its first four groups
 * (2001:db8:0:1::/64), since one subscriber holds the whole block. Anything else: as given.
 */
export function addressBlockOf(address: string | undefined): string | null {
  if (!address) return null;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped && isIPv4(mapped)) return mapped;
  if (!isIPv6(address)) return address;
  const [head, tail = ''] = address.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = address.includes('::') && tail ? tail.split(':') : [];
  const groups = address.includes('::') ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

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
          where: { action: 'login_failed', addressBlock: addressBlockOf(clientIp), createdAt: { gt: windowStart } },
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

/** Registrations from one address (an IPv6 address: its /64) per window, whatever the emails. */
export type RegistrationLimit = { windowMs: number; maxPerAddress: number };

/**
 * Refuses a registration when the client's address has made `maxPerAddress` accounts within the
 * window (counted from the user_registered rows of the audit trail). No address (the seed, a CLI)
 * is not limited; a limit of 0 turns the check off.
 */
export async function assertRegistrationAllowed(db: Pick<UsersDb, 'auditEvent'>, limit: RegistrationLimit, clientIp: string | undefined, now: Date): Promise<void> {
  const block = addressBlockOf(clientIp);
  if (!block || limit.maxPerAddress === 0) return;
  const recent = await db.auditEvent.findMany({
    where: { action: 'user_registered', addressBlock: block, createdAt: { gt: new Date(now.getTime() - limit.windowMs) } },
    orderBy: { createdAt: 'asc' },
    select: { createdAt: true },
    take: limit.maxPerAddress,
  });
  if (recent.length < limit.maxPerAddress) return;
  const seconds = Math.max(1, Math.ceil((recent[0]!.createdAt.getTime() + limit.windowMs - now.getTime()) / 1000));
  throw new AppError('TOO_MANY_REQUESTS', `Too many accounts were registered from this address lately. Try again in ${seconds} seconds.`, { retryAfterSeconds: seconds });
}
