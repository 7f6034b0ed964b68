import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';

/**
 * Where attachment bytes live: local disk by default, or any S3-compatible store. The database
 * holds only the key. Keys are made by the service (letters, digits, `.`, `_`, `-` in `/`-separated
 * segments that never start with a dot), never by a client, so a key cannot leave the store's
 * directory or bucket prefix.
 */
export type BlobStore = {
  readonly kind: 'local' | 's3';
  /**
   * Writes the bytes under `key`, replacing what was there only once all of them arrived (readers
   * never see half an object). Stops reading once the body passes `maxBytes` and stores nothing:
   * the caller's iterable is only returned from, so an HTTP request stays open for its answer.
   */
  put(key: string, body: AsyncIterable<Uint8Array>, options: { maxBytes: number; contentType: string }): Promise<PutResult>;
  /** The object as a stream with its size, or null when there is none. */
  get(key: string): Promise<{ body: Readable; size: number } | null>;
  /** The whole object in memory, or null when there is none; TOO_LARGE past `maxBytes`, without reading the rest. */
  read(key: string, maxBytes: number): Promise<Buffer | null | 'TOO_LARGE'>;
  /** Size of the object, or null when there is none. */
  stat(key: string): Promise<{ size: number } | null>;
  /** Moves an object to another key (replacing what is there). */
  move(from: string, to: string): Promise<void>;
  /** Removes the object; nothing happens when there is none. */
  delete(key: string): Promise<void>;
  /** Keys under a prefix last written before `before`: leftovers of uploads that never finished. */
  listOlderThan(prefix: string, before: Date): Promise<string[]>;
  /**
   * Presigned URLs straight to the store, when it can make them (S3). Local disk cannot: there the
   * service's own /uploads route, behind signed tokens, stands in for them.
   */
  readonly links: PresignedLinks | null;
};

export type PresignedLinks = {
  /** A URL that takes one PUT of exactly `contentLength` bytes with `contentType`, until `expiresInSeconds` pass. */
  putUrl(key: string, options: { contentType: string; contentLength: number; expiresInSeconds: number }): Promise<string>;
  /** A URL that downloads the object as a file named `fileName`, until `expiresInSeconds` pass. */
  getUrl(key: string, options: { contentType: string; fileName: string; expiresInSeconds: number }): Promise<string>;
};

export type PutResult = { ok: true; size: number } | { ok: false; reason: 'TOO_LARGE' };

const keyPattern = /^[A-Za-z0-9_-][A-Za-z0-9._-]*(\/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$/;

function checkKey(key: string): string {
  if (!keyPattern.test(key) || key.length > 500) throw new Error(`not a blob key the service makes: ${JSON.stringify(key)}`);
  return key;
}

/** `Content-Disposition: attachment` with the name in plain ASCII and in full as RFC 5987 UTF-8. */
export function attachmentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;
}

/** The repository root, from this module's place (src/ or dist/ of subgraphs/applications). */
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** APPLICATIONS_BLOB_DIR as a directory: a relative one is under the repository root, whatever the working directory. */
export function resolveBlobDirectory(setting: string): string {
  return path.resolve(repoRoot, setting);
}

const isMissing = (error: unknown) => (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';

/** Every file below `directory`, or none when it does not exist. */
async function listFiles(directory: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(directory, { withFileTypes: true, recursive: true });
  } catch (error) {
    if (isMissing(error)) return [];
    throw error;
  }
  return entries.filter((entry) => entry.isFile()).map((entry) => path.join(entry.parentPath, entry.name));
}

/**
 * Bytes on local disk under `directory`, one file per key. A put writes a hidden temporary file
 * beside the target and renames it into place, so a reader sees the old object or the whole new
 * one; listOlderThan removes the temporary files that a crash left behind.
 */
export function createLocalBlobStore(options: { directory: string }): BlobStore {
  const root = path.resolve(options.directory);
  const pathOf = (key: string) => path.join(root, ...checkKey(key).split('/'));

  async function removeFile(file: string) {
    await unlink(file).catch((error: unknown) => {
      if (!isMissing(error)) throw error;
    });
  }

  return {
    kind: 'local',
    async put(key, body, { maxBytes }) {
      const target = pathOf(key);
      await mkdir(path.dirname(target), { recursive: true });
      const temporary = path.join(path.dirname(target), `.${path.basename(target)}.${randomUUID()}.part`);
      const file = await open(temporary, 'wx', 0o600);
      let size = 0;
      let tooLarge = false;
      try {
        for await (const chunk of body) {
          size += chunk.byteLength;
          if (size > maxBytes) {
            tooLarge = true;
            break;
          }
          await file.write(chunk);
        }
        await file.sync();
      } catch (error) {
        await file.close();
        await removeFile(temporary);
        throw error;
      }
      await file.close();
      if (tooLarge) {
        await removeFile(temporary);
        return { ok: false, reason: 'TOO_LARGE' };
      }
      await rename(temporary, target);
      return { ok: true, size };
    },
    async get(key) {
      const file = pathOf(key);
      try {
        const { size } = await stat(file);
        return { body: createReadStream(file), size };
      } catch (error) {
        if (isMissing(error)) return null;
        throw error;
      }
    },
    async read(key, maxBytes) {
      const file = pathOf(key);
      try {
        const { size } = await stat(file);
        if (size > maxBytes) return 'TOO_LARGE';
        return await readFile(file);
      } catch (error) {
        if (isMissing(error)) return null;
        throw error;
      }
    },
    async stat(key) {
      try {
        const { size } = await stat(pathOf(key));
        return { size };
      } catch (error) {
        if (isMissing(error)) return null;
        throw error;
      }
    },
    async move(from, to) {
      const target = pathOf(to);
      await mkdir(path.dirname(target), { recursive: true });
      await rename(pathOf(from), target);
    },
    async delete(key) {
      await removeFile(pathOf(key));
    },
    async listOlderThan(prefix, before) {
      const directory = pathOf(prefix);
      const found: string[] = [];
      for (const file of await listFiles(directory)) {
        const info = await stat(file).catch(() => undefined);
        if (!info || info.mtime >= before) continue;
        // A crashed put's temporary file has no key: it goes here and now.
        if (path.basename(file).startsWith('.')) await rm(file, { force: true });
        else found.push(path.relative(root, file).split(path.sep).join('/'));
      }
      return found;
    },
    links: null,
  };
}

export type S3BlobStoreOptions = {
  bucket: string;
  region: string;
  /** An S3-compatible server's URL; AWS's own endpoints when left out. */
  endpoint?: string;
  /** Bucket in the path (`https://host/bucket/key`), as most S3-compatible servers want. */
  forcePathStyle: boolean;
  /** AWS's default credential chain (environment, profile, instance role) when left out. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
};

function isNotFound(error: unknown): boolean {
  if (!(error instanceof S3ServiceException)) return false;
  return error.name === 'NoSuchKey' || error.name === 'NotFound' || error.$metadata.httpStatusCode === 404;
}

/**
 * Bytes in an S3-compatible bucket. PutObject needs the length before the first byte, so put()
 * gathers the body in memory first, at most `maxBytes` (10 MB for attachments); clients upload
 * large files with the presigned PUT URL instead, straight to the store.
 */
export function createS3BlobStore(options: S3BlobStoreOptions): BlobStore {
  const client = new S3Client({
    region: options.region,
    forcePathStyle: options.forcePathStyle,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    // Checksums in headers by default (SDK 3.729 on) are not understood by every S3-compatible
    // server, and a presigned URL cannot carry one for bytes it has not seen.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const Bucket = options.bucket;

  async function head(key: string) {
    try {
      const found = await client.send(new HeadObjectCommand({ Bucket, Key: checkKey(key) }));
      return { size: found.ContentLength ?? 0 };
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  return {
    kind: 's3',
    async put(key, body, { maxBytes, contentType }) {
      const chunks: Uint8Array[] = [];
      let size = 0;
      for await (const chunk of body) {
        size += chunk.byteLength;
        if (size > maxBytes) return { ok: false, reason: 'TOO_LARGE' };
        chunks.push(chunk);
      }
      const bytes = Buffer.concat(chunks);
      await client.send(new PutObjectCommand({ Bucket, Key: checkKey(key), Body: bytes, ContentLength: bytes.length, ContentType: contentType }));
      return { ok: true, size };
    },
    async get(key) {
      try {
        const found = await client.send(new GetObjectCommand({ Bucket, Key: checkKey(key) }));
        return { body: found.Body as Readable, size: found.ContentLength ?? 0 };
      } catch (error) {
        if (isNotFound(error)) return null;
        throw error;
      }
    },
    async read(key, maxBytes) {
      const found = await head(key);
      if (!found) return null;
      if (found.size > maxBytes) return 'TOO_LARGE';
      try {
        // The range keeps to the limit even if the object was replaced since the HEAD.
        const object = await client.send(new GetObjectCommand({ Bucket, Key: checkKey(key), Range: `bytes=0-${maxBytes}` }));
        const bytes = Buffer.from(await object.Body!.transformToByteArray());
        return bytes.length > maxBytes ? 'TOO_LARGE' : bytes;
      } catch (error) {
        if (isNotFound(error)) return null;
        throw error;
      }
    },
    stat: head,
    async move(from, to) {
      await client.send(new CopyObjectCommand({ Bucket, Key: checkKey(to), CopySource: `${Bucket}/${checkKey(from)}` }));
      await client.send(new DeleteObjectCommand({ Bucket, Key: from }));
    },
    async delete(key) {
      await client.send(new DeleteObjectCommand({ Bucket, Key: checkKey(key) }));
    },
    async listOlderThan(prefix, before) {
      const found: string[] = [];
      let ContinuationToken: string | undefined;
      do {
        const page = await client.send(new ListObjectsV2Command({ Bucket, Prefix: `${checkKey(prefix)}/`, ...(ContinuationToken ? { ContinuationToken } : {}) }));
        for (const object of page.Contents ?? []) {
          if (object.Key && object.LastModified && object.LastModified < before) found.push(object.Key);
        }
        ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (ContinuationToken);
      return found;
    },
    links: {
      putUrl: (key, { contentType, contentLength, expiresInSeconds }) =>
        getSignedUrl(client, new PutObjectCommand({ Bucket, Key: checkKey(key), ContentType: contentType, ContentLength: contentLength }), {
          expiresIn: expiresInSeconds,
          // Signed, so the store refuses a PUT of another type or length.
          signableHeaders: new Set(['content-type', 'content-length']),
        }),
      getUrl: (key, { contentType, fileName, expiresInSeconds }) =>
        getSignedUrl(client, new GetObjectCommand({ Bucket, Key: checkKey(key), ResponseContentType: contentType, ResponseContentDisposition: attachmentDisposition(fileName) }), {
          expiresIn: expiresInSeconds,
        }),
    },
  };
}

/** Drains an iterable of chunks: the body of a test upload or a seed file. */
export function bytesAsBody(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  return Readable.from([bytes]);
}
