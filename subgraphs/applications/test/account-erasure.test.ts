import { userErasureParticipants } from '@jobplatform/events';
import { startPlatformForTest, waitFor, type Account, type PlatformUnderTest } from './start-applications.js';

// users, jobs, applications and the saga's other participants on one nats-server: deleteMyAccount
// runs the account-erasure saga through them and back to users. An erased applicant's applications
// go with everything on them; an erased employer's history entries keep their status and lose the
// person.

let platform: PlatformUnderTest;

const APPLICATION = /* GraphQL */ `
  query($id: ID!) { application(id: $id) { id status statusHistory { status notes changedBy { id } } } }`;

beforeAll(async () => {
  // Every participant, or the saga waits for the missing ones.
  platform = await startPlatformForTest({ services: [...userErasureParticipants] });
}, 120_000);
afterAll(async () => {
  await platform.close();
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
  await platform.applications.db.query(
    "INSERT INTO application_attachments (application_id, file_name, file_type, file_size, storage_key, upload_expires_at) VALUES ($1, 'cv.pdf', 'application/pdf', 10, 'erasure-test/cv', now())",
    [erased[0]],
  );

  await deleteAccount(seeker);
  expect(await sagaOf(seeker.id)).toEqual({ status: 'completed', participants: [...userErasureParticipants] });
  expect(await replyOf(seeker.id)).toEqual({ deletedApplications: 2, deletedAttachments: 1, anonymisedHistoryEntries: 0 });

  const db = platform.applications.db;
  expect((await db.query('SELECT count(*)::int AS n FROM applications WHERE applicant_id = $1', [seeker.id])).rows[0]!.n).toBe(0);
  for (const table of ['application_status_history', 'application_attachments', 'interviews']) {
    expect((await db.query(`SELECT count(*)::int AS n FROM ${table} WHERE application_id = ANY($1::bigint[])`, [erased])).rows[0]!.n).toBe(0);
  }
  expect((await db.query('SELECT email, first_name, last_name FROM applicant_contacts WHERE user_id = $1', [seeker.id])).rows).toEqual([{ email: '', first_name: null, last_name: null }]);
  // Another applicant's application to the same job is untouched.
  expect((await platform.ok(APPLICATION, { id: kept }, other)).application).toMatchObject({ id: kept, status: 'PENDING' });
  expect((await platform.ok(APPLICATION, { id: erased[0] }, employer)).application).toBeNull();
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
  const history = await platform.applications.db.query('SELECT status, actor_kind, changed_by FROM application_status_history WHERE application_id = $1 ORDER BY id', [application]);
  expect(history.rows).toEqual([
    { status: 'pending', actor_kind: 'applicant', changed_by: seeker.id },
    { status: 'shortlisted', actor_kind: 'employer', changed_by: null },
    { status: 'rejected', actor_kind: 'system', changed_by: null },
  ]);
});
