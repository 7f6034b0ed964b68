import { pipeline } from 'node:stream/promises';
import type express from 'express';
import { MAX_ATTACHMENT_BYTES, fileTypeFromMime } from './attachment-rules.js';
import type { AttachmentService } from './attachments.js';
import { attachmentDisposition } from './blob-store.js';

/**
 * The HTTP side of local storage's uploads and downloads, which the gateway's /uploads proxy
 * reaches: `PUT /uploads/<token>` takes an attachment's bytes, `GET /uploads/<token>` serves them.
 * The token is the whole credential (attachments.ts, upload-tokens.ts); no bearer token is needed,
 * as with a presigned S3 URL. Refusals are JSON in the platform's error shape,
 * `{ errors: [{ message, extensions: { code } }] }`, with the HTTP status a client acts on.
 */
export function mountUploadRoutes(app: express.Express, attachments: AttachmentService): void {
  app.put('/uploads/:token', async (req, res) => {
    const declared = req.headers['content-length'];
    let outcome;
    try {
      outcome = await attachments.acceptUpload(req.params.token, {
        // Returned from, not destroyed, at the limit: the request must stay open for the answer.
        body: req.iterator({ destroyOnReturn: false }),
        contentLength: declared === undefined ? undefined : Number(declared),
      });
    } catch (error) {
      // The client went away mid-upload: nothing was kept, the URL stays usable, and nobody is left to answer.
      if (req.destroyed && !req.complete) return;
      throw error;
    }
    if (!req.complete) discardRestOfBody(req);
    if (!outcome.ok) {
      sendError(res, outcome);
      return;
    }
    const { attachment } = outcome;
    res.status(200).json({
      attachment: {
        id: attachment.id.toString(),
        fileName: attachment.fileName,
        fileType: fileTypeFromMime(attachment.fileType),
        fileSize: attachment.fileSize,
        uploadStatus: 'UPLOADED',
      },
    });
  });

  app.get('/uploads/:token', async (req, res) => {
    const outcome = await attachments.openDownload(req.params.token);
    if (!outcome.ok) {
      sendError(res, outcome);
      return;
    }
    res.status(200).set({
      'content-type': outcome.mimeType,
      'content-length': String(outcome.size),
      'content-disposition': attachmentDisposition(outcome.fileName),
      // Personal documents: never cached on the way, never sniffed into something executable.
      'cache-control': 'private, no-store',
      'x-content-type-options': 'nosniff',
    });
    // The status is decided: a client that goes away, or a store that fails mid-way, can only cut
    // the response short, which the client sees against Content-Length.
    await pipeline(outcome.body, res).catch(() => res.destroy());
  });
}

function sendError(res: express.Response, refusal: { status: number; code: string; message: string }): void {
  res.status(refusal.status).json({ errors: [{ message: refusal.message, extensions: { code: refusal.code } }] });
}

/**
 * After an early answer (a refusal before the whole body was read), reads and drops what the client
 * is still sending, so that the connection stays usable and the answer is not lost to a reset. A
 * client that goes on past another 10 MB is cut off.
 */
function discardRestOfBody(req: express.Request): void {
  let discarded = 0;
  req.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > MAX_ATTACHMENT_BYTES) req.socket.destroy();
  });
  req.resume();
}
