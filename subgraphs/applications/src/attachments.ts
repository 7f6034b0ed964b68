import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Viewer } from '@jobplatform/auth';
import type { Logger } from '@jobplatform/config';
import { AppError, invalidInput, requireId } from '@jobplatform/service-runtime';
import { isFinalStatus, statusFromColumn } from './application-status.js';
import { assertAccountMayAct, lockApplicationForAction } from './applications.js';
import {
  checkUploadedBytes,
  fileTypeFromMime,
  MAX_ATTACHMENT_BYTES,
  UPLOAD_URL_LIFETIME_MS,
  uploadExpiresAt,
  validateAttachmentUpload,
  type AttachmentFileType,
  type UploadRefusal,
} from './attachment-rules.js';
import { bytesAsBody, type BlobStore } from './blob-store.js';
import type { ApplicationAttachmentRow, ApplicationsDb } from './db.js';
import type { LeanReads } from './lean-reads.js';
import { perRequestListLoader } from './per-request-loaders.js';
import type { UploadTokens } from './upload-tokens.js';

/**
 * Attachments: announcing a file, receiving and checking its bytes, signed download links, deletion
 * and the clearing of uploads that never came.
 *
 * The row comes first (createAttachmentUpload, PENDING), the bytes after, straight from the client:
 * - Local disk: `uploadUrl` is `<PUBLIC_ORIGIN>/uploads/<token>`, a token signed by this service
 *   (upload-tokens.ts) that the gateway's /uploads proxy passes on to the upload route here. The
 *   route streams the bytes into a staging object (never more than 10 MB), checks them against the
 *   announcement (size, magic bytes), and then, in one transaction, turns the row from pending to
 *   uploaded (only a pending row whose URL had not expired when the PUT began: the single use) and
 *   moves the bytes under the attachment's key. Downloads are `GET <PUBLIC_ORIGIN>/uploads/<token>`
 *   with a download token of a few minutes.
 * - S3: `uploadUrl` is a presigned PUT (type and length signed) to `incoming/<key>` in the bucket,
 *   and downloads are presigned GETs. The store cannot call back, and the contract has no confirm
 *   step, so the service confirms lazily: whenever it reads a pending attachment (listing an
 *   application's attachments, and the periodic cleanup before it gives up on one) it looks for the
 *   incoming object, checks its bytes as the upload route would, writes the checked bytes under the
 *   attachment's key, turns the row to uploaded and removes the incoming object. The attachment is
 *   served from the bytes that were checked, so a second PUT with the same URL before it expires
 *   changes nothing; the cleanup removes what such a PUT leaves in incoming/.
 * A refused upload (too large, another size or type than announced) removes the announcement and
 * any bytes: the client announces the file again, as the refusal's message says.
 */

export const MAX_ATTACHMENTS_PER_APPLICATION = 10;
/** A download link works this long; resolving `url` again gives a fresh one. */
export const DOWNLOAD_URL_LIFETIME_MS = 5 * 60 * 1000;
/**
 * An upload that began before its URL expired may still be arriving: the cleanup leaves a pending
 * attachment this long after its expiry, and leftover bytes this long after they could last have
 * been written.
 */
export const UPLOAD_GRACE_MS = 15 * 60 * 1000;

/** Key prefixes of bytes that are not (yet) an attachment's: local uploads being checked, S3 uploads not yet confirmed. */
const STAGING_PREFIX = 'staging';
const INCOMING_PREFIX = 'incoming';
const incomingKeyOf = (storageKey: string) => storageKey.replace(/^attachments\//, `${INCOMING_PREFIX}/`);

export type AttachmentServiceDeps = {
  db: ApplicationsDb;
  reads: LeanReads;
  store: BlobStore;
  tokens: UploadTokens;
  /** Where clients reach the gateway, for local storage's upload and download URLs. */
  publicOrigin: string;
  now: () => Date;
  logger: Logger;
};

export type CreatedUpload = { uploadUrl: string; expiresAt: Date; attachment: ApplicationAttachmentRow };

/** How the upload route answers: the attachment, or a refusal a client can act on (HTTP status, code, message). */
export type UploadOutcome = { ok: true; attachment: ApplicationAttachmentRow } | { ok: false; status: 400 | 403 | 404 | 409 | 410 | 413 | 415; code: string; message: string };

export type DownloadOutcome =
  { ok: true; body: Readable; size: number; mimeType: string; fileName: string } | { ok: false; status: 403 | 404 | 410; code: string; message: string };

const attachmentNotFound = () => new AppError('NOT_FOUND', 'There is no attachment with that id.');

const refusalStatus: Record<UploadRefusal['reason'], 400 | 413 | 415> = {
  TOO_LARGE: 413,
  SIZE_MISMATCH: 400,
  UNRECOGNISED_CONTENT: 415,
  TYPE_MISMATCH: 415,
};

const tooLarge: UploadRefusal = {
  ok: false,
  reason: 'TOO_LARGE',
  message: `The file is larger than 10 MB (${MAX_ATTACHMENT_BYTES.toLocaleString('en-US')} bytes).`,
};

const announceAgain = 'announce the file again with createAttachmentUpload';

function announcedOf(row: ApplicationAttachmentRow): { fileType: AttachmentFileType; fileSize: number } {
  const fileType = fileTypeFromMime(row.fileType);
  if (!fileType) throw new Error(`attachment ${row.id} has a type the rules do not allow: ${row.fileType}`);
  return { fileType, fileSize: row.fileSize };
}

export function createAttachmentService(deps: AttachmentServiceDeps) {
  const { db, reads, store, tokens, publicOrigin, now, logger } = deps;

  /** Deletes the bytes under each key, logging rather than failing: the row is gone already, and the cleanup retries leftovers. */
  async function deleteBytes(keys: string[]) {
    for (const key of keys) {
      await store.delete(key).catch((error: unknown) => logger.error({ err: error, key }, 'deleting attachment bytes failed'));
    }
  }

  const keysOf = (row: Pick<ApplicationAttachmentRow, 'storageKey'>) => (store.links ? [row.storageKey, incomingKeyOf(row.storageKey)] : [row.storageKey]);

  /** Removes a pending announcement and its bytes (a refused upload); an uploaded row is kept. */
  async function forgetAnnouncement(row: ApplicationAttachmentRow) {
    const { count } = await db.applicationAttachment.deleteMany({ where: { id: row.id, uploadStatus: 'pending' } });
    if (count === 1) await deleteBytes(keysOf(row));
  }

  async function uploadUrlFor(row: ApplicationAttachmentRow): Promise<string> {
    if (store.links) {
      const expiresInSeconds = Math.max(1, Math.floor((row.uploadExpiresAt.getTime() - now().getTime()) / 1000));
      return store.links.putUrl(incomingKeyOf(row.storageKey), { contentType: row.fileType, contentLength: row.fileSize, expiresInSeconds });
    }
    return `${publicOrigin}/uploads/${tokens.sign({ purpose: 'upload', attachmentId: row.id, expiresAt: row.uploadExpiresAt })}`;
  }

  /**
   * S3 only: confirms a pending attachment whose bytes are in incoming/ (see the module comment).
   * Returns the row as it now is, or null when the bytes were refused and the announcement removed.
   */
  async function confirmFromIncoming(row: ApplicationAttachmentRow): Promise<ApplicationAttachmentRow | null> {
    if (row.uploadStatus !== 'pending' || !store.links) return row;
    const incoming = incomingKeyOf(row.storageKey);
    const bytes = await store.read(incoming, MAX_ATTACHMENT_BYTES);
    if (bytes === null) return row;
    const verdict = bytes === 'TOO_LARGE' ? tooLarge : await checkUploadedBytes(announcedOf(row), bytes);
    if (!verdict.ok) {
      logger.info({ attachmentId: row.id.toString(), reason: verdict.reason }, 'upload refused: announcement removed');
      await forgetAnnouncement(row);
      await deleteBytes([incoming]);
      return null;
    }
    const checked = bytes as Buffer;
    await store.put(row.storageKey, bytesAsBody(checked), { maxBytes: MAX_ATTACHMENT_BYTES, contentType: row.fileType });
    const uploadedAt = now();
    const { count } = await db.applicationAttachment.updateMany({ where: { id: row.id, uploadStatus: 'pending' }, data: { uploadStatus: 'uploaded', uploadedAt } });
    await deleteBytes([incoming]);
    if (count === 1) return { ...row, uploadStatus: 'uploaded', uploadedAt };
    // Another request confirmed it first, or the applicant deleted it meanwhile.
    const current = await db.applicationAttachment.findUnique({ where: { id: row.id } });
    if (!current) await deleteBytes([row.storageKey]);
    return current;
  }

  /** Applications' attachments, oldest first, pending S3 uploads confirmed on the way. */
  const loaderFor = perRequestListLoader(
    async (applicationIds) => {
      const rows = await reads.attachmentsOf(applicationIds);
      return store.links ? Promise.all(rows.map(confirmFromIncoming)) : rows;
    },
    (row: ApplicationAttachmentRow) => row.applicationId,
  );

  /** Rejects an upload: the announcement and any bytes go, and the client is told what to do. */
  async function refuseUpload(row: ApplicationAttachmentRow, refusal: UploadRefusal, stagingKey?: string): Promise<UploadOutcome> {
    if (stagingKey) await deleteBytes([stagingKey]);
    await forgetAnnouncement(row);
    return { ok: false, status: refusalStatus[refusal.reason], code: refusal.reason, message: `${refusal.message} The announcement was removed: ${announceAgain}.` };
  }

  return {
    /**
     * Announces a file for the viewer's own application, while it is not final and has fewer than
     * MAX_ATTACHMENTS_PER_APPLICATION attachments (pending ones included), and returns where to
     * upload its bytes: one PUT within UPLOAD_URL_LIFETIME_MS.
     */
    async createUpload(viewer: Viewer, input: unknown): Promise<CreatedUpload> {
      const validated = validateAttachmentUpload(input);
      if (!validated.ok) throw invalidInput(validated.fields);
      const { values } = validated;
      const row = await db.$transaction(async (tx) => {
        await assertAccountMayAct(tx, viewer);
        const { application } = await lockApplicationForAction(tx, viewer, values.applicationId.toString(), 'manage_attachments');
        const status = statusFromColumn(application.status);
        if (isFinalStatus(status)) throw new AppError('CONFLICT', `The application is ${status}, which is final: no more files can be attached to it.`);
        const attached = await tx.applicationAttachment.count({ where: { applicationId: application.id } });
        if (attached >= MAX_ATTACHMENTS_PER_APPLICATION) {
          throw new AppError('CONFLICT', `An application has at most ${MAX_ATTACHMENTS_PER_APPLICATION} attachments; delete one (deleteAttachment) to attach another.`);
        }
        const at = now();
        return tx.applicationAttachment.create({
          data: {
            applicationId: application.id,
            fileName: values.fileName,
            fileType: values.mimeType,
            fileSize: values.fileSize,
            storageKey: `attachments/${application.id}/${randomUUID()}`,
            uploadStatus: 'pending',
            uploadExpiresAt: uploadExpiresAt(at),
            createdAt: at,
          },
        });
      });
      return { uploadUrl: await uploadUrlFor(row), expiresAt: row.uploadExpiresAt, attachment: row };
    },

    /** Deletes an attachment of the viewer's own application and then its bytes; returns its id. */
    async delete(viewer: Viewer, id: string): Promise<string> {
      const attachmentId = requireId(id, 'id');
      const row = await db.$transaction(async (tx) => {
        await assertAccountMayAct(tx, viewer);
        const found = await tx.applicationAttachment.findUnique({ where: { id: attachmentId } });
        if (!found) throw attachmentNotFound();
        await lockApplicationForAction(tx, viewer, found.applicationId.toString(), 'manage_attachments').catch((error: unknown) => {
          throw error instanceof AppError && error.code === 'NOT_FOUND' ? attachmentNotFound() : error;
        });
        const { count } = await tx.applicationAttachment.deleteMany({ where: { id: attachmentId } });
        if (count === 0) throw attachmentNotFound();
        return found;
      });
      await deleteBytes(keysOf(row));
      return row.id.toString();
    },

    /** The attachments of applications, batched per request (`requestKey`: the request's `loaders`). */
    loaderFor,

    /**
     * Gives loaderFor(requestKey) an application's attachments that another statement read (a
     * page's), pending S3 uploads confirmed on the way as when the loader reads them itself.
     */
    primeFor(requestKey: object, applicationId: bigint, rows: ApplicationAttachmentRow[]): void {
      const settled = store.links ? Promise.all(rows.map(confirmFromIncoming)).then((confirmed) => confirmed.filter((row) => row !== null)) : rows;
      // Not every primed list is read (a field the client skips): a failed confirmation is then nobody's error.
      if (settled instanceof Promise) settled.catch(() => undefined);
      loaderFor(requestKey).prime(applicationId, settled);
    },

    /**
     * A short-lived link to the bytes, or null before they arrived. The caller has checked that the
     * viewer may download the application's attachments.
     */
    async downloadUrl(row: ApplicationAttachmentRow): Promise<string | null> {
      if (row.uploadStatus !== 'uploaded') return null;
      if (store.links) {
        return store.links.getUrl(row.storageKey, { contentType: row.fileType, fileName: row.fileName, expiresInSeconds: DOWNLOAD_URL_LIFETIME_MS / 1000 });
      }
      const expiresAt = new Date(now().getTime() + DOWNLOAD_URL_LIFETIME_MS);
      return `${publicOrigin}/uploads/${tokens.sign({ purpose: 'download', attachmentId: row.id, expiresAt })}`;
    },

    /**
     * Receives the bytes of a local upload (PUT /uploads/<token>), see the module comment. `body` is
     * read at most to the 10 MB limit and then left alone, so that the route can still answer.
     */
    async acceptUpload(token: string, request: { body: AsyncIterable<Uint8Array>; contentLength: number | undefined }): Promise<UploadOutcome> {
      const startedAt = now();
      const check = tokens.verify(token, 'upload', startedAt);
      if (!check.ok) {
        return check.reason === 'EXPIRED'
          ? { ok: false, status: 410, code: 'UPLOAD_URL_EXPIRED', message: `This upload URL has expired; ${announceAgain}.` }
          : { ok: false, status: 403, code: 'UPLOAD_URL_INVALID', message: 'This is not a valid upload URL; use the uploadUrl that createAttachmentUpload returned, as it is.' };
      }
      const row = await db.applicationAttachment.findUnique({ where: { id: check.token.attachmentId } });
      if (!row) return { ok: false, status: 404, code: 'ATTACHMENT_NOT_FOUND', message: `The attachment was deleted or its upload refused; ${announceAgain}.` };
      if (row.uploadStatus === 'uploaded')
        return {
          ok: false,
          status: 409,
          code: 'UPLOAD_URL_USED',
          message: 'This upload URL has been used: the file is uploaded. To replace it, delete the attachment and announce the new file.',
        };
      if (row.uploadExpiresAt.getTime() <= startedAt.getTime())
        return { ok: false, status: 410, code: 'UPLOAD_URL_EXPIRED', message: `This upload URL has expired; ${announceAgain}.` };

      const announced = announcedOf(row);
      if (request.contentLength !== undefined && request.contentLength > MAX_ATTACHMENT_BYTES) return refuseUpload(row, tooLarge);
      const stagingKey = `${STAGING_PREFIX}/${randomUUID()}`;
      const put = await store.put(stagingKey, request.body, { maxBytes: MAX_ATTACHMENT_BYTES, contentType: row.fileType });
      if (!put.ok) return refuseUpload(row, tooLarge);
      const bytes = await store.read(stagingKey, MAX_ATTACHMENT_BYTES);
      if (bytes === null || bytes === 'TOO_LARGE') throw new Error(`staged upload ${stagingKey} is gone or grew`);
      const verdict = await checkUploadedBytes(announced, bytes);
      if (!verdict.ok) return refuseUpload(row, verdict, stagingKey);

      const uploadedAt = now();
      const won = await db.$transaction(async (tx) => {
        const { count } = await tx.applicationAttachment.updateMany({
          where: { id: row.id, uploadStatus: 'pending', uploadExpiresAt: { gt: startedAt } },
          data: { uploadStatus: 'uploaded', uploadedAt },
        });
        // In the transaction: should the move fail, the row stays pending and the URL usable.
        if (count === 1) await store.move(stagingKey, row.storageKey);
        return count === 1;
      });
      if (won) return { ok: true, attachment: { ...row, uploadStatus: 'uploaded', uploadedAt } };
      await deleteBytes([stagingKey]);
      const current = await db.applicationAttachment.findUnique({ where: { id: row.id }, select: { uploadStatus: true } });
      if (current?.uploadStatus === 'uploaded') return { ok: false, status: 409, code: 'UPLOAD_URL_USED', message: 'This upload URL has been used: the file is uploaded.' };
      return { ok: false, status: 404, code: 'ATTACHMENT_NOT_FOUND', message: `The attachment was deleted or its upload refused; ${announceAgain}.` };
    },

    /** The bytes behind a local download link (GET /uploads/<token>). */
    async openDownload(token: string): Promise<DownloadOutcome> {
      const check = tokens.verify(token, 'download', now());
      if (!check.ok) {
        return check.reason === 'EXPIRED'
          ? { ok: false, status: 410, code: 'DOWNLOAD_URL_EXPIRED', message: "This download link has expired; ask for the attachment's url again." }
          : { ok: false, status: 403, code: 'DOWNLOAD_URL_INVALID', message: 'This is not a valid download link.' };
      }
      const notFound = { ok: false, status: 404, code: 'ATTACHMENT_NOT_FOUND', message: 'The attachment was deleted.' } as const;
      const row = await db.applicationAttachment.findUnique({ where: { id: check.token.attachmentId } });
      if (!row || row.uploadStatus !== 'uploaded') return notFound;
      const object = await store.get(row.storageKey);
      if (!object) return notFound;
      return { ok: true, body: object.body, size: object.size, mimeType: row.fileType, fileName: row.fileName };
    },

    /** Deletes the bytes of attachments whose rows are gone for good (account erasure), by their storage keys. */
    async deleteStoredFiles(storageKeys: string[]): Promise<void> {
      await deleteBytes(storageKeys.flatMap((storageKey) => keysOf({ storageKey })));
    },

    /**
     * The periodic cleanup: pending attachments whose URL expired more than UPLOAD_GRACE_MS ago go
     * (on S3 after a last look for bytes that arrived in time), and so do staged or incoming bytes
     * old enough that no upload can still be writing them. Returns how many announcements and
     * leftover objects were removed.
     */
    async removeExpiredUploads(): Promise<{ announcements: number; leftovers: number }> {
      const at = now().getTime();
      const expired = await db.applicationAttachment.findMany({
        where: { uploadStatus: 'pending', uploadExpiresAt: { lt: new Date(at - UPLOAD_GRACE_MS) } },
        orderBy: { uploadExpiresAt: 'asc' },
        take: 500,
      });
      let announcements = 0;
      for (const row of expired) {
        const current = await confirmFromIncoming(row);
        if (current?.uploadStatus !== 'pending') continue;
        const { count } = await db.applicationAttachment.deleteMany({ where: { id: row.id, uploadStatus: 'pending' } });
        if (count === 1) {
          announcements += 1;
          await deleteBytes(keysOf(row));
        }
      }
      const before = new Date(at - UPLOAD_URL_LIFETIME_MS - UPLOAD_GRACE_MS);
      let leftovers = 0;
      for (const prefix of [STAGING_PREFIX, INCOMING_PREFIX]) {
        const keys = await store.listOlderThan(prefix, before);
        await deleteBytes(keys);
        leftovers += keys.length;
      }
      return { announcements, leftovers };
    },
  };
}

export type AttachmentService = ReturnType<typeof createAttachmentService>;
