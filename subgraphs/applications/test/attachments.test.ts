import { mkdtemp, readdir, rm } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';
import { portToListenOnLater } from '@jobplatform/testing';
import { MAX_ATTACHMENT_BYTES } from '../src/attachment-rules.js';
import { UPLOAD_GRACE_MS } from '../src/attachments.js';
import { APPLICATIONS_OPERATIONS } from './operations.js';
import { errorCodeOf, startPlatformForTest, type Account, type PlatformUnderTest } from './start-applications.js';

/** Three services, their databases and the accounts and jobs of the tests: slow on a busy machine. */
const PLATFORM_START_MS = 180_000;

// Attachments through the gateway, with users, jobs and applications on one nats-server: the
// contract's CreateAttachmentUpload, the bytes PUT to the returned URL on the public origin (the
// gateway's /uploads proxy), the signed download link of Application.attachments, the checks of
// the bytes, single use and expiry of upload URLs, who gets a link, and deletion with the bytes.
// Then the same flow with an S3-compatible store (a real s3rver), where the URLs are presigned.

const pdf = Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]);
/** A Windows executable (MZ header) that the client calls a PDF. */
const exe = Buffer.concat([Buffer.from([0x4d, 0x5a, 0x90, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0xff, 0xff, 0x00, 0x00]), Buffer.alloc(240)]);

const ATTACHMENTS = /* GraphQL */ `
  query ($id: ID!) {
    application(id: $id) {
      id
      attachments {
        id
        fileName
        fileType
        mimeType
        fileSize
        uploadStatus
        url
      }
    }
  }
`;

/** Every file under a directory, relative to it; none when it does not exist. */
async function filesUnder(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((entry) => entry.isFile()).map((entry) => path.relative(directory, path.join(entry.parentPath, entry.name)));
}

/** A request body sent in chunks without a Content-Length (Transfer-Encoding: chunked). */
function chunkedBody(total: number, chunk = 256 * 1024): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= total) return controller.close();
      const size = Math.min(chunk, total - sent);
      sent += size;
      controller.enqueue(new Uint8Array(size).fill(0x41));
    },
  });
}

const put = (url: string, body: Buffer | ReadableStream<Uint8Array>, contentType: string) =>
  fetch(url, { method: 'PUT', headers: { 'content-type': contentType }, body, duplex: 'half' } as RequestInit);

/** The status and text of a response of node:http, once it has ended. */
function answerOf(response: http.IncomingMessage): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    let body = '';
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => (body += chunk));
    response.on('end', () => resolve({ status: response.statusCode!, body }));
    response.on('error', reject);
  });
}

type Refusal = { status: number; code: string | undefined; message: string | undefined };
async function refusalOf(response: Response): Promise<Refusal> {
  const body = (await response.json()) as { errors?: { message: string; extensions?: { code?: string } }[] };
  return { status: response.status, code: body.errors?.[0]?.extensions?.code, message: body.errors?.[0]?.message };
}

function describeUploads(storage: 'local' | 's3') {
  let platform: PlatformUnderTest;
  let origin: string;
  let blobDirectory: string;
  let s3: S3rver | undefined;
  let employer: Account;
  let seeker: Account;
  let otherSeeker: Account;
  let otherEmployer: Account;
  let admin: Account;
  let companyId: string;
  let jobId: string;
  let applicationId: string;

  const op = (operationName: string, variables: Record<string, unknown>, account: Account) =>
    platform.gql(APPLICATIONS_OPERATIONS, variables, { operationName, token: account.accessToken });
  const announce = async (file: { fileName?: string; fileType: string; fileSize: number }, account = seeker, forApplication = applicationId) => {
    const response = await op('CreateAttachmentUpload', { input: { applicationId: forApplication, fileName: 'cv.pdf', ...file } }, account);
    expect(response.errors).toBeUndefined();
    return response.data!.createAttachmentUpload as { uploadUrl: string; expiresAt: string; attachment: { id: string; fileName: string; fileType: string; fileSize: number } };
  };
  const attachmentsAs = async (account: Account, id = applicationId) => {
    const response = await platform.gql(ATTACHMENTS, { id }, { token: account.accessToken });
    expect(response.errors).toBeUndefined();
    return (response.data!.application as { attachments: { id: string; fileName: string; fileType: string; uploadStatus: string; url: string | null }[] } | null)?.attachments;
  };
  const rowsOf = async (id = applicationId) =>
    (await platform.applications.db.query('SELECT id::text, upload_status, storage_key FROM application_attachments WHERE application_id = $1 ORDER BY id', [id])).rows as {
      id: string;
      upload_status: string;
      storage_key: string;
    }[];
  /** The bytes the store holds for an application, and its staging and incoming areas. */
  const storedObjects = async (id = applicationId) => {
    if (storage === 'local') {
      const all = await filesUnder(blobDirectory);
      return all.filter((file) => file.startsWith(`attachments/${id}/`) || file.startsWith('staging/') || file.startsWith(`incoming/${id}/`));
    }
    return (await filesUnder(path.join(blobDirectory, 's3rver', 'attachments'))).filter((file) => file.includes(`/${id}/`) && file.endsWith('._S3rver_object'));
  };

  beforeAll(async () => {
    blobDirectory = await mkdtemp(path.join(tmpdir(), `attachments-test-${storage}-`));
    const port = await portToListenOnLater();
    origin = `http://127.0.0.1:${port}`;
    let storeSettings: NodeJS.ProcessEnv = { APPLICATIONS_BLOB_DIR: blobDirectory };
    if (storage === 's3') {
      s3 = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: path.join(blobDirectory, 's3rver'), configureBuckets: [{ name: 'attachments', configs: [] }] });
      const address = await s3.run();
      storeSettings = {
        APPLICATIONS_S3_BUCKET: 'attachments',
        APPLICATIONS_S3_ENDPOINT: `http://127.0.0.1:${address.port}`,
        APPLICATIONS_S3_ACCESS_KEY_ID: 'S3RVER',
        APPLICATIONS_S3_SECRET_ACCESS_KEY: 'S3RVER',
      };
    }
    platform = await startPlatformForTest({ gateway: { GATEWAY_PORT: port }, env: { applications: { PUBLIC_ORIGIN: origin, ...storeSettings } } });
    ({ employer, companyId } = await platform.employerWithCompany('Initech'));
    jobId = await platform.postJob(employer, companyId, { title: 'Analyst' });
    [seeker, otherSeeker, admin] = await Promise.all([platform.applicant(), platform.applicant(), platform.admin()]);
    ({ employer: otherEmployer } = await platform.employerWithCompany('Globex'));
    applicationId = await platform.apply(seeker, jobId);
  }, PLATFORM_START_MS);
  afterAll(async () => {
    await platform?.close();
    await s3?.close();
    await rm(blobDirectory, { recursive: true, force: true });
  });

  it('announces a file, takes its bytes at the upload URL, and serves them back through a signed link to both sides', async () => {
    const before = Date.now();
    const upload = await announce({ fileName: 'folder/My CV.pdf', fileType: 'PDF', fileSize: pdf.length });
    expect(upload.attachment).toEqual({ id: expect.any(String), fileName: 'My CV.pdf', fileType: 'PDF', fileSize: pdf.length });
    const expiresIn = Date.parse(upload.expiresAt) - before;
    expect(expiresIn).toBeGreaterThan(14 * 60_000);
    expect(expiresIn).toBeLessThanOrEqual(15 * 60_000 + 5_000);
    if (storage === 'local') expect(upload.uploadUrl).toMatch(new RegExp(`^${origin}/uploads/u\\.${upload.attachment.id}\\.\\d+\\.[A-Za-z0-9_-]+$`));
    else expect(upload.uploadUrl).toContain(`/attachments/incoming/${applicationId}/`);
    expect(await attachmentsAs(seeker)).toEqual([{ ...upload.attachment, mimeType: 'application/pdf', uploadStatus: 'PENDING', url: null }]);

    const response = await put(upload.uploadUrl, pdf, 'application/pdf');
    expect(response.status).toBe(200);
    if (storage === 'local') {
      expect(await response.json()).toEqual({ attachment: { id: upload.attachment.id, fileName: 'My CV.pdf', fileType: 'PDF', fileSize: pdf.length, uploadStatus: 'UPLOADED' } });
    }

    // The contract's Application query, as the applicant and as the employer.
    for (const account of [seeker, employer]) {
      const { application } = (await op('Application', { id: applicationId }, account)).data!;
      expect(application.attachments).toEqual([
        { id: upload.attachment.id, fileName: 'My CV.pdf', fileType: 'PDF', fileSize: pdf.length, url: expect.any(String), createdAt: expect.any(String) },
      ]);
      const url = application.attachments[0].url as string;
      if (storage === 'local') expect(url.startsWith(`${origin}/uploads/d.${upload.attachment.id}.`)).toBe(true);
      const download = await fetch(url);
      expect(download.status).toBe(200);
      expect(download.headers.get('content-type')).toBe('application/pdf');
      expect(download.headers.get('content-disposition')).toContain('filename="My CV.pdf"');
      expect(Buffer.from(await download.arrayBuffer())).toEqual(pdf);
    }
    expect((await rowsOf()).map((row) => row.upload_status)).toEqual(['uploaded']);
    expect(await storedObjects()).toHaveLength(1);
  });

  it('shows the link to the applicant and the employer side only: an admin sees the file but no link, anyone else not even the application', async () => {
    const [attachment] = (await attachmentsAs(admin))!;
    expect(attachment).toMatchObject({ fileName: 'My CV.pdf', uploadStatus: 'UPLOADED', url: null });
    expect(await attachmentsAs(otherSeeker)).toBeUndefined();
    expect(await attachmentsAs(otherEmployer)).toBeUndefined();
  });

  it('refuses a second upload to a used URL', async () => {
    const upload = await announce({ fileType: 'PDF', fileSize: pdf.length });
    expect((await put(upload.uploadUrl, pdf, 'application/pdf')).status).toBe(200);
    if (storage === 'local') {
      expect(await refusalOf(await put(upload.uploadUrl, pdf, 'application/pdf'))).toMatchObject({ status: 409, code: 'UPLOAD_URL_USED' });
    } else {
      // A presigned URL takes PUTs until it expires; the attachment keeps the bytes that were checked.
      await attachmentsAs(seeker);
      expect((await put(upload.uploadUrl, png, 'application/pdf')).status).toBe(200);
      const [, second] = (await attachmentsAs(seeker))!;
      expect(Buffer.from(await (await fetch(second!.url!)).arrayBuffer())).toEqual(pdf);
    }
    await op('DeleteAttachment', { id: upload.attachment.id }, seeker);
  });

  it('refuses an executable named .pdf by its magic bytes, and leaves nothing behind', async () => {
    const objectsBefore = await storedObjects();
    const upload = await announce({ fileName: 'cv.pdf', fileType: 'PDF', fileSize: exe.length });
    const response = await put(upload.uploadUrl, exe, 'application/pdf');
    if (storage === 'local') {
      const refusal = await refusalOf(response);
      expect(refusal).toMatchObject({ status: 415, code: 'UNRECOGNISED_CONTENT' });
      expect(refusal.message).toContain('announce the file again');
    }
    expect((await attachmentsAs(seeker))!.map((a) => a.id)).not.toContain(upload.attachment.id);
    expect((await rowsOf()).map((row) => row.id)).not.toContain(upload.attachment.id);
    expect(await storedObjects()).toEqual(objectsBefore);
  });

  it('refuses content of another allowed type than announced (a PNG announced as a PDF)', async () => {
    const upload = await announce({ fileType: 'PDF', fileSize: png.length });
    const response = await put(upload.uploadUrl, png, 'application/pdf');
    if (storage === 'local') expect(await refusalOf(response)).toMatchObject({ status: 415, code: 'TYPE_MISMATCH' });
    expect((await attachmentsAs(seeker))!.map((a) => a.id)).not.toContain(upload.attachment.id);
    expect((await rowsOf()).map((row) => row.id)).not.toContain(upload.attachment.id);
  });

  if (storage === 'local') {
    it('refuses more than 10 MB: by Content-Length at once, and a chunked body at the limit; nothing is kept', async () => {
      const objectsBefore = await storedObjects();
      const declared = await announce({ fileName: 'big.txt', fileType: 'TXT', fileSize: MAX_ATTACHMENT_BYTES });
      expect(await refusalOf(await put(declared.uploadUrl, Buffer.alloc(MAX_ATTACHMENT_BYTES + 1, 0x41), 'text/plain'))).toMatchObject({ status: 413, code: 'TOO_LARGE' });
      const chunked = await announce({ fileName: 'big.txt', fileType: 'TXT', fileSize: MAX_ATTACHMENT_BYTES });
      expect(await refusalOf(await put(chunked.uploadUrl, chunkedBody(MAX_ATTACHMENT_BYTES + 512 * 1024), 'text/plain'))).toMatchObject({ status: 413, code: 'TOO_LARGE' });
      const ids = (await rowsOf()).map((row) => row.id);
      expect(ids).not.toContain(declared.attachment.id);
      expect(ids).not.toContain(chunked.attachment.id);
      expect(await storedObjects()).toEqual(objectsBefore);
    });

    it('keeps the connection of a refused upload usable: the rest of the body, sent after the answer, is dropped and the next upload on that connection is taken', async () => {
      const refused = await announce({ fileName: 'big.txt', fileType: 'TXT', fileSize: MAX_ATTACHMENT_BYTES });
      const next = await announce({ fileName: 'after.pdf', fileType: 'PDF', fileSize: pdf.length });
      // One connection, kept alive, for both uploads.
      const connection = new http.Agent({ keepAlive: true, maxSockets: 1 });
      let firstSocket: net.Socket | null = null;
      try {
        // Announces 10 MB and a byte, sends the first megabyte and only the rest once the answer is
        // in: the service refuses by the Content-Length at once, and the gateway must still take
        // the rest of the body off the connection, though the service no longer wants it.
        const first = await new Promise<{ status: number; body: string }>((resolve, reject) => {
          const headers = { 'content-type': 'text/plain', 'content-length': String(MAX_ATTACHMENT_BYTES + 1) };
          const request = http.request(refused.uploadUrl, { method: 'PUT', agent: connection, headers }, (response) => {
            firstSocket = request.socket;
            answerOf(response).then((answered) => {
              request.end(Buffer.alloc(MAX_ATTACHMENT_BYTES + 1 - 1024 * 1024, 0x41));
              resolve(answered);
            }, reject);
          });
          request.on('error', reject);
          request.write(Buffer.alloc(1024 * 1024, 0x41));
        });
        expect(first.status).toBe(413);
        expect(JSON.parse(first.body).errors[0].extensions.code).toBe('TOO_LARGE');

        const second = await new Promise<{ status: number; body: string; sameConnection: boolean }>((resolve, reject) => {
          const headers = { 'content-type': 'application/pdf', 'content-length': String(pdf.length) };
          const request = http.request(next.uploadUrl, { method: 'PUT', agent: connection, headers }, (response) => {
            answerOf(response).then((answered) => resolve({ ...answered, sameConnection: request.socket === firstSocket }), reject);
          });
          request.on('error', reject);
          request.end(pdf);
        });
        expect(second).toMatchObject({ status: 200, sameConnection: true });
        expect(JSON.parse(second.body).attachment).toMatchObject({ id: next.attachment.id, uploadStatus: 'UPLOADED' });
      } finally {
        connection.destroy();
      }
      const ids = (await rowsOf()).map((row) => row.id);
      expect(ids).not.toContain(refused.attachment.id);
      await op('DeleteAttachment', { id: next.attachment.id }, seeker);
    });

    it('refuses a body far over the limit at the gateway, before it reaches the service', async () => {
      const upload = await announce({ fileName: 'huge.txt', fileType: 'TXT', fileSize: 100 });
      // Announces 50 MB, sends 1 KB and waits: the answer comes from the Content-Length alone.
      const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const request = http.request(upload.uploadUrl, { method: 'PUT', headers: { 'content-type': 'text/plain', 'content-length': String(50 * 1024 * 1024) } }, (response) => {
          answerOf(response).then((answered) => {
            request.destroy();
            resolve(answered);
          }, reject);
        });
        request.on('error', reject);
        request.write(Buffer.alloc(1024, 0x41));
      });
      expect(answer.status).toBe(413);
      expect(JSON.parse(answer.body).errors[0].extensions.code).toBe('TOO_LARGE');
      expect((await rowsOf()).find((row) => row.id === upload.attachment.id)?.upload_status).toBe('pending');
      await op('DeleteAttachment', { id: upload.attachment.id }, seeker);
    });

    it('refuses bytes of another size than announced', async () => {
      const upload = await announce({ fileName: 'notes.txt', fileType: 'TXT', fileSize: 100 });
      const refusal = await refusalOf(await put(upload.uploadUrl, Buffer.alloc(50, 0x41), 'text/plain'));
      expect(refusal).toMatchObject({ status: 400, code: 'SIZE_MISMATCH' });
      expect(refusal.message).toContain('50 bytes but 100 were announced');
    });

    it('refuses an expired upload URL, and a forged or altered one', async () => {
      const upload = await announce({ fileType: 'PDF', fileSize: pdf.length });
      await platform.applications.db.query(`UPDATE application_attachments SET upload_expires_at = now() - interval '1 second' WHERE id = $1`, [upload.attachment.id]);
      expect(await refusalOf(await put(upload.uploadUrl, pdf, 'application/pdf'))).toMatchObject({ status: 410, code: 'UPLOAD_URL_EXPIRED' });
      const tampered = upload.uploadUrl.replace(/\.(\d+)\.([A-Za-z0-9_-]+)$/, (_m, expiry: string, mac: string) => `.${Number(expiry) + 1000}.${mac}`);
      expect(await refusalOf(await put(tampered, pdf, 'application/pdf'))).toMatchObject({ status: 403, code: 'UPLOAD_URL_INVALID' });
      expect(await refusalOf(await put(`${origin}/uploads/not-a-token`, pdf, 'application/pdf'))).toMatchObject({ status: 403, code: 'UPLOAD_URL_INVALID' });
      // A download link takes no upload, and an upload URL downloads nothing.
      const [uploaded] = (await attachmentsAs(seeker))!;
      expect((await put(uploaded!.url!, pdf, 'application/pdf')).status).toBe(403);
      expect((await fetch(upload.uploadUrl)).status).toBe(403);
      await op('DeleteAttachment', { id: upload.attachment.id }, seeker);
    });

    it('clears announcements whose upload never came, once their URL expired', async () => {
      const upload = await announce({ fileType: 'PDF', fileSize: pdf.length });
      const { attachments } = platform.applications.service.domain;
      await attachments.removeExpiredUploads();
      expect((await rowsOf()).map((row) => row.id)).toContain(upload.attachment.id);
      await platform.applications.db.query(`UPDATE application_attachments SET upload_expires_at = now() - make_interval(secs => $2) WHERE id = $1`, [
        upload.attachment.id,
        UPLOAD_GRACE_MS / 1000 + 1,
      ]);
      const removed = await attachments.removeExpiredUploads();
      expect(removed.announcements).toBe(1);
      expect((await rowsOf()).map((row) => row.id)).not.toContain(upload.attachment.id);
    });
  }

  it('deletes an attachment and its bytes, for the applicant only', async () => {
    const upload = await announce({ fileName: 'to-delete.pdf', fileType: 'PDF', fileSize: pdf.length });
    expect((await put(upload.uploadUrl, pdf, 'application/pdf')).status).toBe(200);
    const link = (await attachmentsAs(seeker))!.find((a) => a.id === upload.attachment.id)!.url!;
    const objectsBefore = await storedObjects();

    expect(errorCodeOf(await op('DeleteAttachment', { id: upload.attachment.id }, employer))).toBe('FORBIDDEN');
    expect(errorCodeOf(await op('DeleteAttachment', { id: upload.attachment.id }, otherSeeker))).toBe('NOT_FOUND');
    expect(errorCodeOf(await op('DeleteAttachment', { id: '999999999' }, seeker))).toBe('NOT_FOUND');

    expect((await op('DeleteAttachment', { id: upload.attachment.id }, seeker)).data).toEqual({ deleteAttachment: upload.attachment.id });
    expect((await attachmentsAs(seeker))!.map((a) => a.id)).not.toContain(upload.attachment.id);
    const objectsAfter = await storedObjects();
    expect(objectsAfter).toHaveLength(objectsBefore.length - 1);
    expect((await fetch(link)).status).toBe(404);
    expect(errorCodeOf(await op('DeleteAttachment', { id: upload.attachment.id }, seeker))).toBe('NOT_FOUND');
  });

  it('announces for the applicant only, on an application that is not final, with valid input', async () => {
    const input = { applicationId, fileName: 'cv.pdf', fileType: 'PDF', fileSize: 10 };
    expect(errorCodeOf(await op('CreateAttachmentUpload', { input }, employer))).toBe('FORBIDDEN');
    expect(errorCodeOf(await op('CreateAttachmentUpload', { input }, otherSeeker))).toBe('NOT_FOUND');
    const invalid = await op('CreateAttachmentUpload', { input: { ...input, fileName: '   ', fileSize: MAX_ATTACHMENT_BYTES + 1 } }, seeker);
    expect(errorCodeOf(invalid)).toBe('BAD_USER_INPUT');
    expect(invalid.errors![0]!.extensions!.fields).toEqual([
      { field: 'input.fileName', message: 'must not be empty' },
      { field: 'input.fileSize', message: 'must be at most 10 MB (10,485,760 bytes)' },
    ]);
  });

  it('keeps at most 10 attachments per application, and none on a final one', async () => {
    const otherJob = await platform.postJob(employer, companyId, { title: `Clerk ${storage}` });
    const other = await platform.apply(seeker, otherJob);
    for (let i = 0; i < 10; i += 1) await announce({ fileName: `file${i}.txt`, fileType: 'TXT', fileSize: 10 }, seeker, other);
    const eleventh = await op('CreateAttachmentUpload', { input: { applicationId: other, fileName: 'one-more.txt', fileType: 'TXT', fileSize: 10 } }, seeker);
    expect(errorCodeOf(eleventh)).toBe('CONFLICT');
    expect(eleventh.errors![0]!.message).toContain('at most 10 attachments');

    await op('WithdrawApplication', { id: other }, seeker);
    const attachments = (await attachmentsAs(seeker, other))!;
    await op('DeleteAttachment', { id: attachments[0]!.id }, seeker);
    const final = await op('CreateAttachmentUpload', { input: { applicationId: other, fileName: 'late.txt', fileType: 'TXT', fileSize: 10 } }, seeker);
    expect(errorCodeOf(final)).toBe('CONFLICT');
    expect(final.errors![0]!.message).toContain('WITHDRAWN, which is final');
  });
}

describe('attachments on local disk', () => describeUploads('local'));
describe('attachments in an S3-compatible store (s3rver)', () => describeUploads('s3'));
