import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { userErasureParticipants } from '@jobplatform/events';
import { portToListenOnLater } from '@jobplatform/testing';
import { startPlatformForTest, waitFor, type Account, type PlatformUnderTest } from './start-applications.js';

// users, jobs, applications and the saga's other participants on one nats-server: deleteMyAccount
// runs the account-erasure saga through them and back to users. An erased applicant's applications
// go with everything on them; an erased employer's history entries keep their status and lose the
// person.

let platform: PlatformUnderTest;
let blobDirectory: string;

const pdf = Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

/** The attachment bytes the local blob store holds for an application. */
async function storedFilesOf(applicationId: string): Promise<string[]> {
  const entries = await readdir(path.join(blobDirectory, 'attachments', applicationId), { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((entry) => entry.isFile()).map((entry) => entry.name);
}

/** Attaches a small PDF to an application through the contract's CreateAttachmentUpload and its upload URL. */
async function attachPdf(applicant: Account, applicationId: string): Promise<void> {
  const { createAttachmentUpload } = await platform.ok(
    'mutation($input: CreateAttachmentUploadInput!) { createAttachmentUpload(input: $input) { uploadUrl } }',
    { input: { applicationId, fileName: 'cv.pdf', fileType: 'PDF', fileSize: pdf.length } },
    applicant,
  );
  const response = await fetch(createAttachmentUpload.uploadUrl, { method: 'PUT', headers: { 'content-type': 'application/pdf' }, body: pdf });
  expect(response.status).toBeLessThan(300);
}

const APPLICATION = /* GraphQL */ `
  query ($id: ID!) {
    application(id: $id) {
      id
      status
      statusHistory {
        status
        notes
        changedBy {
          id
        }
      }
    }
  }
`;

beforeAll(async () => {
  blobDirectory = await mkdtemp(path.join(tmpdir(), 'erasure-test-attachments-'));
  const port = await portToListenOnLater();
  // Every participant, or the saga waits for the missing ones; uploads through the gateway's origin.
  platform = await startPlatformForTest({
    services: [...userErasureParticipants],
    gateway: { GATEWAY_PORT: port },
    env: { applications: { PUBLIC_ORIGIN: `http://127.0.0.1:${port}`, APPLICATIONS_BLOB_DIR: blobDirectory } },
  });
}, 120_000);
afterAll(async () => {
  await platform?.close();
  await rm(blobDirectory, { recursive: true, force: true });
});

const sagaOf = async (userId: string) =>
  waitFor(
    'users to record the saga as completed',
    async () => (await platform.users.db.query('SELECT status, participants FROM user_erasures WHERE user_id = $1', [userId])).rows[0],
    (row) => row?.status === 'completed',
  );

const replyOf = async (userId: string) =>
  (await platform.users.db.query("SELECT summary FROM user_erasure_completions WHERE user_id = $1 AND service = 'applications'", [userId])).rows[0]?.summary;

async function deleteAccount(account: Account) {
  expect((await platform.ok('mutation($p: String!) { deleteMyAccount(password: $p) }', { p: account.password }, account)).deleteMyAccount).toBe(true);
}

it('erases an applicant: their applications go with their history and attachments, and users hears back', async () => {
  const { employer, companyId } = await platform.employerWithCompany();
  const [first, second] = [await platform.postJob(employer, companyId), await platform.postJob(employer, companyId)];
  const seeker = await platform.applicant();
  const other = await platform.applicant();
  const erased = [await platform.apply(seeker, first, { coverLetter: 'Mine' }), await platform.apply(seeker, second)];
  const kept = await platform.apply(other, first);
  await platform.ok('mutation($id: ID!) { updateApplicationStatus(id: $id, status: REVIEWING, notes: "Looks good") { id } }', { id: erased[0] }, employer);
  await attachPdf(seeker, erased[0]!);
  expect(await storedFilesOf(erased[0]!)).toHaveLength(1);

  await deleteAccount(seeker);
  expect(await sagaOf(seeker.id)).toEqual({ status: 'completed', participants: [...userErasureParticipants] });
  expect(await replyOf(seeker.id)).toEqual({ deletedApplications: 2, deletedAttachments: 1, anonymisedHistoryEntries: 0 });

  const db = platform.applications.db;
  expect((await db.query('SELECT count(*)::int AS n FROM applications WHERE applicant_id = $1', [seeker.id])).rows[0]!.n).toBe(0);
  for (const table of ['application_status_history', 'application_attachments', 'interviews']) {
    expect((await db.query(`SELECT count(*)::int AS n FROM ${table} WHERE application_id = ANY($1::bigint[])`, [erased])).rows[0]!.n).toBe(0);
  }
  expect((await db.query('SELECT email, first_name, last_name FROM applicant_contacts WHERE user_id = $1', [seeker.id])).rows).toEqual([
    { email: '', first_name: null, last_name: null },
  ]);
  // The bytes go once the erasure has committed.
  await waitFor(
    'the attachment bytes to be deleted',
    () => storedFilesOf(erased[0]!),
    (files) => files.length === 0,
  );
  // Another applicant's application to the same job is untouched.
  expect((await platform.ok(APPLICATION, { id: kept }, other)).application).toMatchObject({ id: kept, status: 'PENDING' });
  expect((await platform.ok(APPLICATION, { id: erased[0] }, employer)).application).toBeNull();
  // The counts lost the erased applications with them.
  const counts = await platform.applicationCounts({ jobs: [first!, second!], applicants: [seeker.id, other.id] });
  expect(counts.kept).toEqual(counts.counted);
  expect(counts.kept).toEqual({ jobs: [{ owner: first, status: 'pending', total: 1 }], applicants: [{ owner: other.id, status: 'pending', total: 1 }] });
  expect((await db.query('SELECT count(*)::int AS n FROM applicant_application_counts WHERE applicant_id = $1', [seeker.id])).rows[0]!.n).toBe(0);
});

it("erases an employer: their history entries keep the status and lose the person, and their jobs' applications are rejected", async () => {
  const { employer, companyId } = await platform.employerWithCompany();
  const job = await platform.postJob(employer, companyId);
  const seeker = await platform.applicant();
  const application = await platform.apply(seeker, job);
  await platform.ok('mutation($id: ID!) { updateApplicationStatus(id: $id, status: SHORTLISTED, notes: "Call her") { id } }', { id: application }, employer);

  await deleteAccount(employer);
  await sagaOf(employer.id);
  expect(await replyOf(employer.id)).toEqual({ deletedApplications: 0, deletedAttachments: 0, anonymisedHistoryEntries: 1 });

  // jobs closed the erased employer's job, so the platform rejected the application.
  const seen = await waitFor(
    'the application to be rejected',
    async () => (await platform.ok(APPLICATION, { id: application }, seeker)).application,
    (found) => found?.status === 'REJECTED',
  );
  expect(seen.statusHistory).toEqual([
    { status: 'PENDING', notes: null, changedBy: { id: seeker.id } },
    { status: 'SHORTLISTED', notes: 'Call her', changedBy: null },
    { status: 'REJECTED', notes: expect.stringMatching(/job was closed/), changedBy: null },
  ]);
  const history = await platform.applications.db.query('SELECT status, actor_kind, changed_by FROM application_status_history WHERE application_id = $1 ORDER BY id', [
    application,
  ]);
  expect(history.rows).toEqual([
    { status: 'pending', actor_kind: 'applicant', changed_by: seeker.id },
    { status: 'shortlisted', actor_kind: 'employer', changed_by: null },
    { status: 'rejected', actor_kind: 'system', changed_by: null },
  ]);
});
