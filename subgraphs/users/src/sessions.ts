import { randomUUID } from 'node:crypto';
import { AppError } from '@jobplatform/service-runtime';
import type { Prisma } from './generated/prisma/client.js';
import type { UsersDb } from './db.js';
import type { RequestOrigin } from './audit.js';
import { recordAudit } from './audit.js';
import { createSecretToken, hashSecretToken, REFRESH_TOKEN_TTL_MS } from './secret-tokens.js';

type SessionWriter = Pick<Prisma.TransactionClient, 'userSession'>;

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

export async function revokeFamily(db: SessionWriter, familyId: string, reason: string, now: Date): Promise<number> {
  const { count } = await db.userSession.updateMany({ where: { familyId, revokedAt: null }, data: { revokedAt: now, revokedReason: reason } });
  return count;
}

export async function revokeAllSessions(db: SessionWriter, userId: bigint, reason: string, now: Date, keepFamilyId?: string): Promise<void> {
  await db.userSession.updateMany({
    where: { userId, revokedAt: null, ...(keepFamilyId ? { NOT: { familyId: keepFamilyId } } : {}) },
    data: { revokedAt: now, revokedReason: reason },
  });
}

const invalidRefresh = () => new AppError('UNAUTHENTICATED', 'The refresh token is not valid; sign in again');

/**
 * Exchanges a refresh token for its successor. A token that was already exchanged is a sign of
 * theft (RFC 6819 5.2.2.3): the whole family is revoked, so the thief's copy dies too.
 */
export async function rotateRefreshToken(
  db: UsersDb,
  presented: string,
  origin: RequestOrigin,
  now: Date,
): Promise<{ userId: bigint; refreshToken: string; familyId: string }> {
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
