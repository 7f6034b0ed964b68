import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Logger } from '@jobplatform/config';
import { envSchemas } from '@jobplatform/config';
import { createLocalBlobStore, createS3BlobStore, resolveBlobDirectory, type BlobStore } from './blob-store.js';

/**
 * The attachment settings of the applications service: where the bytes live and how upload and
 * download URLs are made. An S3-compatible store is used when APPLICATIONS_S3_BUCKET is set; local
 * disk otherwise.
 */
export const attachmentSettings = z
  .object({
    NODE_ENV: envSchemas.nodeEnv,
    /**
     * The origin clients reach the platform at (the gateway's): upload and download URLs of local
     * storage are made on it, and the gateway passes /uploads/* on to this service.
     */
    PUBLIC_ORIGIN: envSchemas.url.default('http://127.0.0.1:4000').transform((url) => url.replace(/\/+$/, '')),
    /** Local storage's directory; a relative path is under the repository root. */
    APPLICATIONS_BLOB_DIR: z.string().min(1).default('.data/attachments'),
    /** HMAC key of local storage's upload and download URLs, at least 32 characters; every replica needs the same. */
    APPLICATIONS_UPLOAD_SIGNING_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    APPLICATIONS_S3_BUCKET: z.string().min(3).optional(),
    /** An S3-compatible server (MinIO, Ceph, R2, s3rver, ...); AWS when left out. */
    APPLICATIONS_S3_ENDPOINT: envSchemas.url.optional(),
    APPLICATIONS_S3_REGION: z.string().min(1).default('us-east-1'),
    /** Both, or neither for AWS's default credential chain (environment, profile, instance role). */
    APPLICATIONS_S3_ACCESS_KEY_ID: z.string().min(1).optional(),
    APPLICATIONS_S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
    /** Bucket in the URL's path rather than its host name, as most S3-compatible servers want. */
    APPLICATIONS_S3_FORCE_PATH_STYLE: envSchemas.booleanString.default(true),
    /** How often expired uploads and the bytes of unfinished ones are cleared away. */
    APPLICATIONS_UPLOAD_CLEANUP_INTERVAL_MS: z.coerce
      .number()
      .int()
      .min(100)
      .default(5 * 60 * 1000),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === 'production' && !env.APPLICATIONS_S3_BUCKET && !env.APPLICATIONS_UPLOAD_SIGNING_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['APPLICATIONS_UPLOAD_SIGNING_SECRET'], message: 'is required in production with local storage' });
    }
    if (Boolean(env.APPLICATIONS_S3_ACCESS_KEY_ID) !== Boolean(env.APPLICATIONS_S3_SECRET_ACCESS_KEY)) {
      ctx.addIssue({
        code: 'custom',
        path: ['APPLICATIONS_S3_SECRET_ACCESS_KEY'],
        message: 'set both APPLICATIONS_S3_ACCESS_KEY_ID and APPLICATIONS_S3_SECRET_ACCESS_KEY, or neither',
      });
    }
  });

export type AttachmentSettings = z.infer<typeof attachmentSettings>;

/** The blob store the settings name. */
export function openBlobStore(settings: AttachmentSettings): BlobStore {
  const { APPLICATIONS_S3_BUCKET: bucket, APPLICATIONS_S3_ACCESS_KEY_ID: accessKeyId, APPLICATIONS_S3_SECRET_ACCESS_KEY: secretAccessKey } = settings;
  if (!bucket) return createLocalBlobStore({ directory: resolveBlobDirectory(settings.APPLICATIONS_BLOB_DIR) });
  return createS3BlobStore({
    bucket,
    region: settings.APPLICATIONS_S3_REGION,
    forcePathStyle: settings.APPLICATIONS_S3_FORCE_PATH_STYLE,
    ...(settings.APPLICATIONS_S3_ENDPOINT ? { endpoint: settings.APPLICATIONS_S3_ENDPOINT } : {}),
    ...(accessKeyId && secretAccessKey ? { credentials: { accessKeyId, secretAccessKey } } : {}),
  });
}

/** The upload signing secret; a throw-away one outside production, whose URLs die with the process. */
export function uploadSigningSecret(settings: AttachmentSettings, logger: Logger): string {
  if (settings.APPLICATIONS_UPLOAD_SIGNING_SECRET) return settings.APPLICATIONS_UPLOAD_SIGNING_SECRET;
  if (!settings.APPLICATIONS_S3_BUCKET) {
    logger.warn('APPLICATIONS_UPLOAD_SIGNING_SECRET is not set: using a throw-away key (upload and download URLs die with this process)');
  }
  return randomBytes(32).toString('base64url');
}
