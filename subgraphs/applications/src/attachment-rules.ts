import { fileTypeFromBuffer } from 'file-type';
import { z } from 'zod';
import type { FieldProblem } from '@jobplatform/service-runtime';
import { characterCount, parseId } from './application-input.js';

/**
 * Rules for attachments: which files an application may carry, how large, what their names may
 * contain, and how the uploaded bytes are checked against what was announced. The bytes decide the
 * type (magic bytes), never the name or the client's word alone.
 */

export const attachmentFileTypes = ['PDF', 'DOC', 'DOCX', 'TXT', 'PNG', 'JPEG'] as const;
export type AttachmentFileType = (typeof attachmentFileTypes)[number];

/** Stored in application_attachments.file_type and sent as the Content-Type of uploads and downloads. */
export const attachmentMimeTypes: Record<AttachmentFileType, string> = {
  PDF: 'application/pdf',
  DOC: 'application/msword',
  DOCX: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  TXT: 'text/plain',
  PNG: 'image/png',
  JPEG: 'image/jpeg',
};

/** File name extensions of each type; the first is added to a name that has none of them. */
const extensionsOf: Record<AttachmentFileType, readonly string[]> = {
  PDF: ['pdf'],
  DOC: ['doc'],
  DOCX: ['docx'],
  TXT: ['txt'],
  PNG: ['png'],
  JPEG: ['jpg', 'jpeg'],
};

export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;
export const MAX_FILE_NAME_CHARACTERS = 255;
/** An upload URL takes one PUT for this long. */
export const UPLOAD_URL_LIFETIME_MS = 15 * 60 * 1000;

export function uploadExpiresAt(now: Date): Date {
  return new Date(now.getTime() + UPLOAD_URL_LIFETIME_MS);
}

/** The type of a stored MIME type, or undefined for one that is not allowed. */
export function fileTypeFromMime(mime: string): AttachmentFileType | undefined {
  const normalised = mime.split(';')[0]!.trim().toLowerCase();
  return attachmentFileTypes.find((type) => attachmentMimeTypes[type] === normalised);
}

/**
 * A file name safe to store and to offer back in a download: the last path segment only; no control
 * or invisible formatting characters (a right-to-left override can make "cv\u202Efdp.exe" read as
 * "cvexe.pdf"); no characters that Windows refuses in names; no leading dots (hidden files, "..")
 * or trailing dots and spaces; at most 255 characters; and an extension of the declared type, added
 * when missing so that a file is never saved under a name that opens it as something else.
 */
export function sanitizeFileName(raw: string, fileType: AttachmentFileType): string {
  const lastSegment = raw.normalize('NFC').split(/[/\\]/).pop() ?? '';
  const trimDotsAndSpaces = (text: string) => text.replace(/^[\s.]+/u, '').replace(/[\s.]+$/u, '');
  const name = trimDotsAndSpaces(
    lastSegment
      .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, '')
      .replace(/[<>:"|?*]/g, '_')
      .replace(/\s+/gu, ' '),
  );
  const extensions = extensionsOf[fileType];
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
  const hasOwnExtension = extensions.includes(extension);
  const suffix = `.${hasOwnExtension ? extension : extensions[0]!}`;
  const room = MAX_FILE_NAME_CHARACTERS - characterCount(suffix);
  const base = trimDotsAndSpaces([...(hasOwnExtension ? name.slice(0, dot) : name)].slice(0, room).join(''));
  return `${base || 'attachment'}${suffix}`;
}

export type AttachmentUploadValues = {
  applicationId: bigint;
  fileName: string;
  fileType: AttachmentFileType;
  mimeType: string;
  fileSize: number;
};

const uploadInputSchema = z.object({
  applicationId: z
    .string({ error: 'must be an application id' })
    .refine((id) => parseId(id) !== undefined, 'is not a valid application id')
    .transform((id) => parseId(id)!),
  fileName: z
    .string({ error: 'must be a file name' })
    .refine((name) => name.trim() !== '', { error: 'must not be empty', abort: true })
    // Generous for the name as sent; the stored name is cut to 255 characters.
    .refine((name) => characterCount(name) <= 1_000, 'must be at most 1,000 characters'),
  fileType: z.enum(attachmentFileTypes, { error: `must be one of ${attachmentFileTypes.join(', ')}` }),
  fileSize: z
    .number({ error: 'must be a whole number of bytes' })
    .int('must be a whole number of bytes')
    .min(1, 'must be at least 1 byte')
    .max(MAX_ATTACHMENT_BYTES, `must be at most 10 MB (${MAX_ATTACHMENT_BYTES.toLocaleString('en-US')} bytes)`),
});

/** Validates `CreateAttachmentUploadInput`, returning the sanitised name and the MIME type to store. */
export function validateAttachmentUpload(input: unknown): { ok: true; values: AttachmentUploadValues } | { ok: false; fields: FieldProblem[] } {
  const parsed = uploadInputSchema.safeParse(input);
  if (!parsed.success) {
    return { ok: false, fields: parsed.error.issues.map((issue) => ({ field: ['input', ...issue.path.map(String)].join('.'), message: issue.message })) };
  }
  const { applicationId, fileName, fileType, fileSize } = parsed.data;
  return { ok: true, values: { applicationId, fileName: sanitizeFileName(fileName, fileType), fileType, mimeType: attachmentMimeTypes[fileType], fileSize } };
}

/**
 * Plain text has no magic bytes. It counts as text when it is valid UTF-8 (a BOM is allowed) with
 * no NUL byte: binary formats almost always contain NULs or invalid UTF-8 sequences, and text in
 * UTF-16 (full of NULs) is refused with the rest, since TXT means UTF-8 here.
 */
export function isPlainText(bytes: Uint8Array): boolean {
  if (bytes.length === 0 || bytes.includes(0)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** "WordDocument" as a Compound File directory entry names it (UTF-16LE). */
const wordDocumentStreamName = new Uint8Array(Buffer.from('WordDocument', 'utf16le'));

/**
 * A Compound File (OLE2) is a Word 97-2003 document when its directory names a WordDocument stream;
 * Excel and PowerPoint files and Outlook messages share the container but not that stream.
 */
function isWordBinaryDocument(bytes: Uint8Array): boolean {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).indexOf(wordDocumentStreamName) >= 0;
}

/** The allowed type the content really is, by its magic bytes (file-type) or as UTF-8 text; undefined for anything else. */
export async function detectAttachmentType(bytes: Uint8Array): Promise<AttachmentFileType | undefined> {
  const detected = await fileTypeFromBuffer(bytes);
  if (!detected) return isPlainText(bytes) ? 'TXT' : undefined;
  switch (detected.ext) {
    case 'pdf':
      return 'PDF';
    case 'png':
    case 'apng':
      return 'PNG';
    case 'jpg':
      return 'JPEG';
    case 'docx':
      return 'DOCX';
    case 'cfb':
      return isWordBinaryDocument(bytes) ? 'DOC' : undefined;
    default:
      return undefined;
  }
}

export type UploadRefusal = {
  ok: false;
  /** TOO_LARGE: HTTP 413; UNRECOGNISED_CONTENT and TYPE_MISMATCH: 415; SIZE_MISMATCH: 400. */
  reason: 'TOO_LARGE' | 'SIZE_MISMATCH' | 'UNRECOGNISED_CONTENT' | 'TYPE_MISMATCH';
  message: string;
};

const allowedTypesText = `${attachmentFileTypes.slice(0, -1).join(', ')} or ${attachmentFileTypes[attachmentFileTypes.length - 1]}`;

/**
 * Checks uploaded bytes against the attachment as announced: at most 10 MB, exactly the announced
 * size, and content of the announced type.
 */
export async function checkUploadedBytes(
  announced: { fileType: AttachmentFileType; fileSize: number },
  bytes: Uint8Array,
): Promise<{ ok: true; fileType: AttachmentFileType } | UploadRefusal> {
  if (bytes.length > MAX_ATTACHMENT_BYTES) {
    return { ok: false, reason: 'TOO_LARGE', message: `The file is larger than 10 MB (${MAX_ATTACHMENT_BYTES.toLocaleString('en-US')} bytes).` };
  }
  if (bytes.length !== announced.fileSize) {
    return {
      ok: false,
      reason: 'SIZE_MISMATCH',
      message: `The upload has ${bytes.length.toLocaleString('en-US')} bytes but ${announced.fileSize.toLocaleString('en-US')} were announced; announce the file again with its exact size.`,
    };
  }
  const detected = await detectAttachmentType(bytes);
  if (!detected) {
    return { ok: false, reason: 'UNRECOGNISED_CONTENT', message: `The file's content is not a ${allowedTypesText} file (text must be UTF-8).` };
  }
  if (detected !== announced.fileType) {
    return {
      ok: false,
      reason: 'TYPE_MISMATCH',
      message: `The file was announced as ${announced.fileType} but its content is ${detected}; announce it again with fileType ${detected}.`,
    };
  }
  return { ok: true, fileType: detected };
}
