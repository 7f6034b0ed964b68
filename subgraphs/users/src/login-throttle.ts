import { isIPv4, isIPv6 } from 'node:net';
import { AppError } from '@jobplatform/service-runtime';
import type { UsersDb } from './db.js';
import type { Prisma } from './generated/prisma/client.js';

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

type AuditReader = Pick<UsersDb, 'auditEvent'>;

/**
 * When `limit` audit rows match `where` after `since`, the oldest of them: the window frees a slot
 * once that one ages out. Undefined while the limit is not reached (or is 0).
 */
async function limitReachedAt(db: AuditReader, where: Prisma.AuditEventWhereInput, since: Date, limit: number): Promise<Date | undefined> {
  if (limit <= 0) return undefined;
  const rows = await db.auditEvent.findMany({ where: { ...where, createdAt: { gt: since } }, orderBy: { createdAt: 'asc' }, select: { createdAt: true }, take: limit });
  return rows.length >= limit ? rows[0]!.createdAt : undefined;
}

/** TOO_MANY_REQUESTS, with the seconds until the oldest counted row leaves the window. */
function tooManyRequests(oldest: Date, windowMs: number, now: Date, message: (seconds: number) => string): AppError {
  const seconds = Math.max(1, Math.ceil((oldest.getTime() + windowMs - now.getTime()) / 1000));
  return new AppError('TOO_MANY_REQUESTS', message(seconds), { retryAfterSeconds: seconds });
}

/**
 * Refuses a sign-in attempt when the account or the client address has failed too often lately.
 * Failures are the login_failed rows of the audit trail, so every replica sees the same counts.
 * A success for the account, or a password reset, starts its count afresh.
 */
export async function assertLoginAllowed(db: AuditReader, policy: LoginThrottlePolicy, email: string, clientIp: string | undefined, now: Date): Promise<void> {
  const windowStart = new Date(now.getTime() - policy.windowMs);
  const lastSuccess = await db.auditEvent.findFirst({
    where: { action: { in: ['login_succeeded', 'password_reset'] }, subject: email, createdAt: { gte: windowStart } },
    orderBy: { createdAt: 'desc' },
    select: { createdAt: true },
  });
  const [accountLocked, addressLocked] = await Promise.all([
    limitReachedAt(db, { action: 'login_failed', subject: email }, lastSuccess?.createdAt ?? windowStart, policy.maxFailuresPerAccount),
    clientIp ? limitReachedAt(db, { action: 'login_failed', addressBlock: addressBlockOf(clientIp) }, windowStart, policy.maxFailuresPerAddress) : undefined,
  ]);
  if (accountLocked) {
    throw tooManyRequests(accountLocked, policy.windowMs, now, (seconds) => `Too many failed sign-ins for this account. Try again in ${seconds} seconds or reset the password.`);
  }
  if (addressLocked) throw tooManyRequests(addressLocked, policy.windowMs, now, (seconds) => `Too many failed sign-ins from this address. Try again in ${seconds} seconds.`);
}

/** Registrations from one address (an IPv6 address: its /64) per window, whatever the emails. */
export type RegistrationLimit = { windowMs: number; maxPerAddress: number };

/**
 * Refuses a registration when the client's address has made `maxPerAddress` accounts within the
 * window (counted from the user_registered rows of the audit trail). No address (the seed, a CLI)
 * is not limited; a limit of 0 turns the check off.
 */
export async function assertRegistrationAllowed(db: AuditReader, limit: RegistrationLimit, clientIp: string | undefined, now: Date): Promise<void> {
  const block = addressBlockOf(clientIp);
  if (!block) return;
  const full = await limitReachedAt(db, { action: 'user_registered', addressBlock: block }, new Date(now.getTime() - limit.windowMs), limit.maxPerAddress);
  if (full) throw tooManyRequests(full, limit.windowMs, now, (seconds) => `Too many accounts were registered from this address lately. Try again in ${seconds} seconds.`);
}
