import { randomUUID } from 'node:crypto';
import { AppError } from '@jobplatform/service-runtime';
import type { Prisma } from './generated/prisma/client.js';
import type { UsersDb } from './db.js';
import type { RequestOrigin } from './audit.js';
import { recordAudit } from './audit.js';
import { createSecretToken, hashSecretToken, REFRESH_TOKEN_TTL_MS } from './secret-tokens.js';

type SessionWriter = Pick<Prisma.TransactionClient, 'userSession' | 'tokenRevocation'>;

/** Why a sign-in's tokens ended (token_revocations.reason). */
export type RevocationReason = 'logout' | 'reuse_detected' | 'password_changed' | 'password_reset' | 'account_deleted';

/** Starts a session (or continues a family on rotation) and returns the refresh token to hand out. */
export async function openSession(
  db: SessionWriter,
  userId: bigint,
  origin: RequestOrigin,
  now: Date,
  familyId: string = randomUUID(),
): Promise<{ refreshToken: string; familyId: string }> {
  const { token, hash } = createSecretToken();
  await db.userSession.create({
    data: {
      userId,
      refreshToken: hash,
      familyId,
      expiresAt: new Date(now.getTime() + REFRESH_TOKEN_TTL_MS),
      ipAddress: origin.clientIp ?? null,
      userAgent: origin.userAgent?.slice(0, 255) ?? null,
    },
  });
  return { refreshToken: token, familyId };
}

/**
 * Ends a sign-in: its refresh tokens stop working at once, and its access tokens at every verifier
 * within seconds (a token_revocations row, in the same transaction). Returns the sessions revoked.
 */
export async function revokeFamily(db: SessionWriter, familyId: string, reason: RevocationReason, now: Date): Promise<number> {
  const rows = await db.userSession.findMany({ where: { familyId, revokedAt: null }, select: { userId: true }, take: 1 });
  const { count } = await db.userSession.updateMany({ where: { familyId, revokedAt: null }, data: { revokedAt: now, revokedReason: reason } });
  if (rows[0]) await db.tokenRevocation.create({ data: { sessionId: familyId, userId: rows[0].userId, notBefore: now, reason, createdAt: now } });
  return count;
}

/**
 * Ends every sign-in of an account but `keepFamilyId` (the one changing its password), as
 * revokeFamily does for one. An account's deletion also ends every token it holds, whatever its
 * sign-in, issued before `now`.
 */
export async function revokeAllSessions(db: SessionWriter, userId: bigint, reason: RevocationReason, now: Date, keepFamilyId?: string): Promise<void> {
  const where = { userId, revokedAt: null, ...(keepFamilyId ? { NOT: { familyId: keepFamilyId } } : {}) };
  const families = await db.userSession.findMany({ where, select: { familyId: true }, distinct: ['familyId'] });
  await db.userSession.updateMany({ where, data: { revokedAt: now, revokedReason: reason } });
  const revocations = families.map(({ familyId }) => ({ sessionId: familyId as string | null, userId, notBefore: now, reason, createdAt: now }));
  if (reason === 'account_deleted') revocations.push({ sessionId: null, userId, notBefore: now, reason, createdAt: now });
  if (revocations.length > 0) await db.tokenRevocation.createMany({ data: revocations });
}

const invalidRefresh = () => new AppError('UNAUTHENTICATED', 'The refresh token is not valid; sign in again');

/**
 * Exchanges a refresh token for its successor. A token that was already exchanged is a sign of
 * theft (RFC 6819 5.2.2.3): the whole family is revoked, so the thief's copy dies too.
 */
export async function rotateRefreshToken(db: UsersDb, presented: string, origin: RequestOrigin, now: Date): Promise<{ userId: bigint; refreshToken: string; familyId: string }> {
  const session = await db.userSession.findUnique({
    where: { refreshToken: hashSecretToken(presented) },
    include: { user: { select: { isActive: true, deletionRequestedAt: true } } },
  });
  if (!session || session.revokedAt || session.expiresAt <= now || !session.user.isActive || session.user.deletionRequestedAt) throw invalidRefresh();

  const rotated = await db.$transaction(async (tx) => {
    const claimed = await tx.userSession.updateMany({ where: { id: session.id, rotatedAt: null, revokedAt: null }, data: { rotatedAt: now } });
    if (claimed.count === 0) return undefined;
    return openSession(tx, session.userId, origin, now, session.familyId);
  });
  if (!rotated) {
    await db.$transaction(async (tx) => {
      await revokeFamily(tx, session.familyId, 'reuse_detected', now);
      await recordAudit(tx, 'refresh_token_reused', origin, { userId: session.userId, metadata: { familyId: session.familyId } });
    });
    throw invalidRefresh();
  }
  return { userId: session.userId, ...rotated };
}
