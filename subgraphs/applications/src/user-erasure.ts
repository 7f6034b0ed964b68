import { upsertReplicaRow, userErasureCompletedSubject, userReplicaMapping, userReplicaTable, type EventEnvelope } from '@jobplatform/events';
import type { Logger } from '@jobplatform/config';
import { applicationsOutbox } from './application-events.js';
import { lockAccount } from './applications.js';
import type { ApplicationsDb, Tx } from './db.js';
import { applicantContactTable, erasedApplicantContact } from './replicas.js';

/** What the erasure did, reported to users in applications.user_erasure.completed.v1. */
export type UserErasureSummary = {
  /** The user's own applications, deleted with their history, interviews and attachments. */
  deletedApplications: number;
  deletedAttachments: number;
  /** History entries the user wrote on others' applications (as the employer side), now without a person. */
  anonymisedHistoryEntries: number;
};

/** The part of the erasure done in the consumer's transaction: the summary and the blob keys to delete once it commits. */
export type ErasedUser = { summary: UserErasureSummary; storageKeys: string[] };

/**
 * The applications part of the account-erasure saga, run by the applications-user-erasure consumer
 * for users.user.deleted.v1 inside the transaction that also records the event as processed:
 * 1. takes the user's account lock exclusively (mutations made as the user hold it shared), and
 *    marks the user erased in the users replica and the applicant contacts replica, so nothing more
 *    is done as them and their contact details are gone even if those consumers are behind;
 * 2. deletes the applications the user made, with their status history, interviews and attachment
 *    rows (the foreign keys cascade); the attachments' blob keys are returned so that their bytes
 *    are deleted once this commits; the user's rows of applicant_application_counts go with them;
 * 3. on other applications, history entries the user wrote as the employer side keep their status
 *    and lose the person (changed_by null; actor_kind still says on whose side it was);
 * 4. writes the saga's reply, applications.user_erasure.completed.v1, to the outbox.
 * Applications to jobs the user posted stay: they are the applicants' data, and jobs closes those
 * jobs (which rejects them here). Running it again for the same user finds nothing left and reports
 * zeros; a redelivery of the same event is skipped by processed_events.
 */
export async function eraseUserFromApplications(tx: Tx, event: EventEnvelope<'users.user.deleted.v1'>, options: { traceparent: string; now: Date }): Promise<ErasedUser> {
  const userId = BigInt(event.data.userId);
  const version = Date.parse(event.occurredAt);
  await lockAccount(tx, userId, 'exclusive');
  const replicaChange = userReplicaMapping['users.user.deleted.v1']!(event);
  if (replicaChange) await upsertReplicaRow(tx, userReplicaTable, { ...replicaChange, version: replicaChange.version ?? version });
  await upsertReplicaRow(tx, applicantContactTable, { ...erasedApplicantContact(event), version });

  // In id order, like every other multi-row lock here, so that concurrent writers never deadlock.
  await tx.$executeRaw`SELECT id FROM applications WHERE applicant_id = ${userId} ORDER BY id FOR UPDATE`;
  const attachments = await tx.applicationAttachment.findMany({ where: { application: { applicantId: userId } }, select: { storageKey: true } });
  const { count: deletedApplications } = await tx.application.deleteMany({ where: { applicantId: userId } });
  // The deletion took the user's counts to 0 (the triggers); their rows go too, so nothing here is keyed by them.
  await tx.applicantApplicationCount.deleteMany({ where: { applicantId: userId } });
  const { count: anonymisedHistoryEntries } = await tx.applicationStatusHistory.updateMany({ where: { changedBy: userId }, data: { changedBy: null } });

  const summary: UserErasureSummary = { deletedApplications, deletedAttachments: attachments.length, anonymisedHistoryEntries };
  await applicationsOutbox.record(
    tx,
    userErasureCompletedSubject('applications'),
    { userId: event.data.userId, service: 'applications', completedAt: options.now.toISOString(), summary },
    { traceparent: options.traceparent },
  );
  return { summary, storageKeys: attachments.map((row) => row.storageKey) };
}

/** How the bytes of erased attachments are deleted: the attachments part of the domain, when it is there. */
export type StoredFileDeleter = (storageKeys: string[]) => Promise<unknown>;

const COMMIT_POLL_MS = 200;

/**
 * Deletes the bytes of erased attachments once the erasure has committed: a consumer's handler
 * runs inside the transaction, so the bytes go only after their rows are seen gone from outside
 * it. If the transaction rolls back the rows stay, nothing is deleted, and the redelivered event
 * does it all again. Bytes whose deletion fails are left to the attachments cleanup.
 */
export function deleteStoredFilesAfterCommit(
  db: ApplicationsDb,
  storageKeys: string[],
  deleteStoredFiles: StoredFileDeleter | undefined,
  options: { logger: Logger; timeoutMs: number },
): void {
  if (storageKeys.length === 0 || !deleteStoredFiles) return;
  const deadline = Date.now() + options.timeoutMs;
  const attempt = async (): Promise<void> => {
    const remaining = await db.applicationAttachment.count({ where: { storageKey: { in: storageKeys } } });
    if (remaining === 0) {
      await deleteStoredFiles(storageKeys);
      return;
    }
    if (Date.now() > deadline) {
      options.logger.warn({ attachments: remaining }, 'user erasure: attachment rows still present, bytes left for the redelivered event');
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, COMMIT_POLL_MS).unref());
    return attempt();
  };
  void attempt().catch((error: unknown) => options.logger.error({ err: error }, 'user erasure: deleting attachment bytes failed'));
}
