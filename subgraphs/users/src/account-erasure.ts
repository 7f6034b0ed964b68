import type { Logger } from '@jobplatform/config';
import {
  userErasureCompletedSubject,
  userErasureParticipants,
  type EventEnvelope,
  type EventHandler,
  type EventHandlers,
  type UserErasureCompletedSubject,
} from '@jobplatform/events';
import { deleteMailOf } from '@jobplatform/mail';
import { AppError } from '@jobplatform/service-runtime';
import { Prisma } from './generated/prisma/client.js';
import type { UsersDb } from './db.js';
import { recordAudit } from './audit.js';
import type { ErasureMetrics } from './erasure-metrics.js';
import type { UserEventSink } from './user-events.js';

export type ErasureStatus = 'pending' | 'completed' | 'stuck';

export type ErasurePolicy = {
  /** A pending saga whose last users.user.deleted.v1 is older than this is published again. */
  timeoutMs: number;
  /** Publications before a saga is marked stuck. */
  maxAttempts: number;
};

export type AccountErasureDeps = {
  db: UsersDb;
  events: UserEventSink;
  logger: Logger;
  metrics?: Pick<ErasureMetrics, 'republished' | 'stuck' | 'completed'>;
  /** The services a new saga waits for. */
  participants?: readonly string[];
  now?: () => Date;
};

/** One saga as operators see it (the erasures command). */
export type ErasureReport = {
  userId: string;
  status: ErasureStatus;
  requestedAt: Date;
  attempts: number;
  lastAttemptAt: Date;
  lastError: string | null;
  completedAt: Date | null;
  participants: string[];
  waitingFor: string[];
  completions: { service: string; completedAt: Date; summary: Prisma.JsonValue }[];
};

type Tx = Prisma.TransactionClient;
type SagaRow = { user_id: bigint; status: ErasureStatus; requested_at: Date; participants: string[]; attempts: number };
type CompletionEvent = EventEnvelope<UserErasureCompletedSubject>;

/** Tombstones. '~' is valid in neither a username nor an email address, so nobody can register them. */
export const erasedUsername = (userId: bigint) => `erased~${userId}`;
export const erasedEmail = (userId: bigint) => `erased~${userId}@erased.invalid`;

/** Audit rows written by the saga itself come from no request. */
const noOrigin = { clientIp: undefined, userAgent: undefined };

/** Logins that name an email without a known account keep it only in `subject`. */
const auditActionsBySubject = ['login_failed', 'login_throttled'];

const lockSaga = async (tx: Tx, userId: bigint): Promise<SagaRow | undefined> =>
  (
    await tx.$queryRaw<SagaRow[]>`
      SELECT "user_id", "status", "requested_at", "participants", "attempts" FROM "user_erasures" WHERE "user_id" = ${userId} FOR UPDATE`
  )[0];

/**
 * The account-erasure saga (docs/events.md). deleteMyAccount starts it; each participant's
 * <service>.user_erasure.completed.v1 is recorded once; the last one erases the account and writes
 * users.user.erased.v1. Sagas without progress are published again, and marked stuck in the end.
 */
export function createAccountErasure(deps: AccountErasureDeps) {
  const { db, events, logger } = deps;
  const now = deps.now ?? (() => new Date());
  const participantsOfNewSagas = [...(deps.participants ?? userErasureParticipants)];

  /** Removes everything personal from the account and its satellites, in the caller's transaction. */
  async function erase(tx: Tx, saga: SagaRow, traceparent: string | undefined): Promise<void> {
    const userId = saga.user_id;
    const at = now();
    const user = await tx.user.findUniqueOrThrow({ where: { id: userId }, select: { email: true } });
    await tx.user.update({
      where: { id: userId },
      data: {
        username: erasedUsername(userId),
        email: erasedEmail(userId),
        password: '', // no hash: nothing verifies against it
        firstName: null,
        lastName: null,
        phoneNumberEncrypted: null,
        dateOfBirthEncrypted: null,
        profilePicture: null,
        bio: null,
        lastLogin: null,
        isVerified: false,
        isActive: false,
        isStaff: false,
        isSuperuser: false,
        erasedAt: at,
      },
    });
    await tx.userVerificationToken.deleteMany({ where: { userId } });
    await tx.userSession.deleteMany({ where: { userId } });
    // Its mail, sent or still queued: addresses and links.
    await deleteMailOf(tx, userId);
    // The audit trail keeps that something happened to this id, and when; nothing else.
    const anonymous = { subject: null, ipAddress: null, addressBlock: null, userAgent: null, metadata: Prisma.DbNull };
    await tx.auditEvent.updateMany({ where: { userId }, data: anonymous });
    await tx.auditEvent.updateMany({ where: { action: { in: auditActionsBySubject }, subject: user.email }, data: anonymous });
    await recordAudit(tx, 'account_erased', noOrigin, { userId });
    await tx.userErasure.update({ where: { userId }, data: { status: 'completed', completedAt: at, lastError: null } });
    await events.record(tx, { type: 'erased', userId, requestedAt: saga.requested_at, completedAt: at, services: saga.participants }, traceparent ? { traceparent } : {});
    deps.metrics?.completed.inc();
    logger.info({ userId: userId.toString(), services: saga.participants }, 'account erased: every participant completed');
  }

  /** The participants each saga still waits for, read in one statement. */
  async function missingParticipants(tx: Tx, sagas: SagaRow[]): Promise<Map<bigint, string[]>> {
    const done = await tx.userErasureCompletion.findMany({ where: { userId: { in: sagas.map((saga) => saga.user_id) } }, select: { userId: true, service: true } });
    return new Map(sagas.map((saga) => [saga.user_id, saga.participants.filter((service) => !done.some((row) => row.userId === saga.user_id && row.service === service))]));
  }

  /** Records one participant's reply; the last reply erases the account. Safe to apply twice. */
  async function applyCompletion(tx: Tx, event: CompletionEvent, traceparent?: string): Promise<void> {
    const userId = BigInt(event.data.userId);
    const service = event.type.slice(0, event.type.indexOf('.'));
    // The saga row lock orders replies handled at once by several replicas.
    const saga = await lockSaga(tx, userId);
    if (!saga) {
      logger.warn({ userId: event.data.userId, service, eventId: event.id }, 'erasure reply for a user with no erasure saga; ignored');
      return;
    }
    if (saga.status === 'completed') return; // a late or repeated reply: the account is gone already
    await tx.userErasureCompletion.createMany({
      data: [{ userId, service, completedAt: new Date(event.data.completedAt), eventId: event.id, summary: event.data.summary }],
      skipDuplicates: true,
    });
    if ((await missingParticipants(tx, [saga])).get(saga.user_id)!.length === 0) await erase(tx, saga, traceparent);
  }

  return {
    participants: participantsOfNewSagas,

    /**
     * Starts a saga in the caller's transaction, after the account was made unusable: the saga row
     * and users.user.deleted.v1 commit together with that change.
     */
    async start(tx: Tx, userId: bigint, requestedAt: Date): Promise<void> {
      await tx.userErasure.create({ data: { userId, requestedAt, participants: participantsOfNewSagas, lastAttemptAt: requestedAt } });
      await events.record(tx, { type: 'deleted', userId, requestedAt });
      if (participantsOfNewSagas.length === 0) {
        const saga = await lockSaga(tx, userId);
        await erase(tx, saga!, undefined);
      }
    },

    applyCompletion,

    /** Consumer handlers for the reply subject of every participant. */
    completionHandlers(): EventHandlers<Tx> {
      const handler: EventHandler<UserErasureCompletedSubject, Tx> = (event, tx, context) => applyCompletion(tx, event, context.traceparent);
      return Object.fromEntries(userErasureParticipants.map((service) => [userErasureCompletedSubject(service), handler])) as EventHandlers<Tx>;
    },

    /**
     * Publishes users.user.deleted.v1 again (new event id, same saga) for pending sagas whose last
     * publication went unanswered for the timeout; marks those that used up their attempts stuck.
     * Replicas running this at once take different rows (SKIP LOCKED).
     */
    async republishOverdue(policy: ErasurePolicy, limit = 100): Promise<{ republished: number; stuck: number }> {
      const at = now();
      const cutoff = new Date(at.getTime() - policy.timeoutMs);
      return db.$transaction(
        async (tx) => {
          const overdue = await tx.$queryRaw<SagaRow[]>`
            SELECT "user_id", "status", "requested_at", "participants", "attempts" FROM "user_erasures"
             WHERE "status" = 'pending' AND "last_attempt_at" < ${cutoff}
             ORDER BY "last_attempt_at" LIMIT ${limit} FOR UPDATE SKIP LOCKED`;
          const missing = await missingParticipants(tx, overdue);
          let republished = 0;
          let stuck = 0;
          for (const saga of overdue) {
            const waitingFor = missing.get(saga.user_id)!;
            const userId = saga.user_id;
            if (saga.attempts >= policy.maxAttempts) {
              const lastError = `no reply from ${waitingFor.join(', ')} after ${saga.attempts} publications of users.user.deleted.v1`;
              await tx.userErasure.update({ where: { userId }, data: { status: 'stuck', lastError } });
              stuck += 1;
              logger.error(
                { userId: userId.toString(), waitingFor, attempts: saga.attempts, requestedAt: saga.requested_at },
                `account erasure stuck: ${lastError}; see the participants' dead letters, then retry with npm run erasures -- retry ${userId}`,
              );
              continue;
            }
            await tx.userErasure.update({
              where: { userId },
              data: { attempts: { increment: 1 }, lastAttemptAt: at, lastError: `waiting for ${waitingFor.join(', ')}` },
            });
            await events.record(tx, { type: 'deleted', userId, requestedAt: saga.requested_at });
            republished += 1;
            logger.warn({ userId: userId.toString(), waitingFor, attempt: saga.attempts + 1 }, 'account erasure overdue: users.user.deleted.v1 published again');
          }
          deps.metrics?.republished.inc(republished);
          deps.metrics?.stuck.inc(stuck);
          return { republished, stuck };
        },
        { timeout: 30_000 },
      );
    },

    /** Starts a pending or stuck saga's attempts afresh and publishes users.user.deleted.v1 now. */
    async retry(userId: bigint): Promise<void> {
      await db.$transaction(async (tx) => {
        const saga = await lockSaga(tx, userId);
        if (!saga) throw new AppError('NOT_FOUND', `There is no account erasure for user ${userId}`);
        if (saga.status === 'completed') throw new AppError('CONFLICT', `The erasure of user ${userId} has completed already`);
        await tx.userErasure.update({ where: { userId }, data: { status: 'pending', attempts: 1, lastAttemptAt: now(), lastError: null } });
        await events.record(tx, { type: 'deleted', userId, requestedAt: saga.requested_at });
      });
      logger.info({ userId: userId.toString() }, 'account erasure retried by hand: users.user.deleted.v1 published again');
    },

    /** Sagas with the given statuses, oldest first, with the participants they still wait for. */
    async list(statuses: readonly ErasureStatus[], limit = 200): Promise<ErasureReport[]> {
      const rows = await db.userErasure.findMany({
        where: { status: { in: [...statuses] } },
        include: { completions: { orderBy: { receivedAt: 'asc' } } },
        orderBy: { requestedAt: 'asc' },
        take: limit,
      });
      return rows.map((row) => ({
        userId: row.userId.toString(),
        status: row.status as ErasureStatus,
        requestedAt: row.requestedAt,
        attempts: row.attempts,
        lastAttemptAt: row.lastAttemptAt,
        lastError: row.lastError,
        completedAt: row.completedAt,
        participants: row.participants,
        waitingFor: row.participants.filter((service) => !row.completions.some((c) => c.service === service)),
        completions: row.completions.map((c) => ({ service: c.service, completedAt: c.completedAt, summary: c.summary })),
      }));
    },
  };
}

export type AccountErasure = ReturnType<typeof createAccountErasure>;
