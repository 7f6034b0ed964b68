import { attachmentSettings, openBlobStore } from './attachment-settings.js';

describe('attachment settings', () => {
  it('default to local disk under the repository and the gateway as public origin', () => {
    const settings = attachmentSettings.parse({ NODE_ENV: 'development' });
    expect(settings).toMatchObject({ PUBLIC_ORIGIN: 'http://127.0.0.1:4000', APPLICATIONS_BLOB_DIR: '.data/attachments', APPLICATIONS_S3_FORCE_PATH_STYLE: true });
    expect(openBlobStore(settings).kind).toBe('local');
    expect(attachmentSettings.parse({ NODE_ENV: 'development', PUBLIC_ORIGIN: 'https://jobs.example.com/' }).PUBLIC_ORIGIN).toBe('https://jobs.example.com');
    // An unset NODE_ENV is production, which needs the signing secret for local storage.
    expect(attachmentSettings.safeParse({}).error!.issues.map((issue) => issue.path.join('.'))).toEqual(['APPLICATIONS_UPLOAD_SIGNING_SECRET']);
  });

  it('choose an S3-compatible store when a bucket is named', () => {
    const settings = attachmentSettings.parse({
      NODE_ENV: 'development',
      APPLICATIONS_S3_BUCKET: 'attachments',
      APPLICATIONS_S3_ENDPOINT: 'http://127.0.0.1:9000',
      APPLICATIONS_S3_FORCE_PATH_STYLE: 'false',
    });
    expect(settings.APPLICATIONS_S3_FORCE_PATH_STYLE).toBe(false);
    expect(openBlobStore(settings).kind).toBe('s3');
  });

  it('refuse half a key pair, production without a signing secret for local storage, a short secret and a bad origin', () => {
    const refined = attachmentSettings.safeParse({ NODE_ENV: 'production', APPLICATIONS_S3_ACCESS_KEY_ID: 'key' });
    expect(refined.error!.issues.map((issue) => issue.path.join('.')).sort()).toEqual(['APPLICATIONS_S3_SECRET_ACCESS_KEY', 'APPLICATIONS_UPLOAD_SIGNING_SECRET']);
    expect(attachmentSettings.safeParse({ NODE_ENV: 'development', APPLICATIONS_UPLOAD_SIGNING_SECRET: 'short' }).success).toBe(false);
    expect(attachmentSettings.safeParse({ NODE_ENV: 'development', PUBLIC_ORIGIN: 'not a url' }).success).toBe(false);
    // With S3 the store signs the URLs: no secret needed.
    expect(attachmentSettings.safeParse({ NODE_ENV: 'production', APPLICATIONS_S3_BUCKET: 'attachments' }).success).toBe(true);
  });
});
