// npm run seed on a platform that already holds data: the same seed adds nothing, another seed
// adds its own data set beside, and a run that stopped part-way is completed. Applications are
// seeded against running users, jobs and applications services, whose events fill applications'
// copies of jobs and accounts, as under npm start.
import fs from 'node:fs/promises';
import path from 'node:path';
import { createTestDatabase, startPlatformForTest, startPrivateNats, type PlatformUnderTest, type PrivateNats, type TestDatabase } from '@jobplatform/testing';
import { stepsLeft } from '../src/seed/seed-applications.js';
import { DEFAULT_SEED, SEED_SEEKER_PASSWORD, seedAccounts, seedPlatform, seekerAccounts, type SeedOptions } from '../src/seed/seed-platform.js';

let usersDb: TestDatabase;
let jobsDb: TestDatabase;
let nats: PrivateNats;

beforeAll(async () => {
  [usersDb, jobsDb, nats] = await Promise.all([createTestDatabase('users'), createTestDatabase('jobs'), startPrivateNats()]);
});

afterAll(async () => {
  await Promise.all([usersDb?.drop(), jobsDb?.drop(), nats?.dispose()]);
});

const seed = (options: Pick<SeedOptions, 'seed' | 'companies' | 'jobs'>) =>
  seedPlatform({ usersDatabaseUrl: usersDb.url, jobsDatabaseUrl: jobsDb.url, natsUrl: nats.url, concurrency: 4, logLevel: 'silent', ...options });

const count = async (db: TestDatabase, table: string) => Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]!.n);

it("names the default seed's accounts as before and every other seed's apart", () => {
  expect(seedAccounts(DEFAULT_SEED, 2)).toEqual({
    admin: { username: 'seed_admin', email: 'seed-admin@seed.example' },
    employers: [
      { username: 'employer1', email: 'employer1@seed.example' },
      { username: 'employer2', email: 'employer2@seed.example' },
    ],
  });
  expect(seedAccounts(7, 1).employers).toEqual([{ username: 'employer1_s7', email: 'employer1_s7@seed.example' }]);
});

it('adds nothing when the same seed runs again, and a second data set beside the first for another seed', async () => {
  const first = await seed({ seed: 7, companies: 3, jobs: 12 });
  expect(first.added).toEqual({ accounts: 4, categories: first.categories, companies: 3, jobs: 12 });

  const again = await seed({ seed: 7, companies: 3, jobs: 12 });
  expect(again.added).toEqual({ accounts: 0, categories: 0, companies: 0, jobs: 0 });
  expect(again.sampleJobId).toBe(first.sampleJobId);
  expect(await count(jobsDb, 'jobs')).toBe(12);

  const other = await seed({ seed: 8, companies: 2, jobs: 5 });
  // The category tree is shared: names are unique platform-wide.
  expect(other.added).toEqual({ accounts: 3, categories: 0, companies: 2, jobs: 5 });
  expect(other.employerEmails).toEqual(['employer1_s8@seed.example', 'employer2_s8@seed.example']);
  expect(await count(usersDb, 'users')).toBe(7);
  expect(await count(jobsDb, 'companies')).toBe(5);
  expect(await count(jobsDb, 'jobs')).toBe(17);
  const names = (await jobsDb.query<{ name: string }>('SELECT name FROM companies')).rows.map((row) => row.name.toLowerCase());
  expect(new Set(names).size).toBe(names.length);
}, 180_000);

it('completes a data set whose run stopped part-way', async () => {
  await seed({ seed: 9, companies: 2, jobs: 6 });
  const complete = await count(jobsDb, 'jobs');
  // As if the run had stopped before writing its last jobs.
  await jobsDb.query(`DELETE FROM jobs WHERE id IN (SELECT id FROM jobs ORDER BY id DESC LIMIT 2)`);
  const resumed = await seed({ seed: 9, companies: 2, jobs: 6 });
  expect(resumed.added).toEqual({ accounts: 0, categories: 0, companies: 0, jobs: 2 });
  expect(await count(jobsDb, 'jobs')).toBe(complete);
}, 180_000);

it("takes the steps of an application's path that are still to take, and none once it went elsewhere", () => {
  const path = ['REVIEWING', 'SHORTLISTED', 'INTERVIEWING'] as const;
  expect(stepsLeft([...path], 'pending')).toEqual(['REVIEWING', 'SHORTLISTED', 'INTERVIEWING']);
  expect(stepsLeft([...path], 'shortlisted')).toEqual(['INTERVIEWING']);
  expect(stepsLeft([...path], 'interviewing')).toEqual([]);
  // Rejected when its job closed: the path no longer applies.
  expect(stepsLeft([...path], 'rejected')).toEqual([]);
  expect(seekerAccounts(DEFAULT_SEED, 1)).toEqual([{ username: 'seeker1', email: 'seeker1@seed.example' }]);
  expect(seekerAccounts(7, 1)).toEqual([{ username: 'seeker1_s7', email: 'seeker1_s7@seed.example' }]);
});

describe('applications', () => {
  let platform: PlatformUnderTest;
  beforeAll(async () => {
    platform = await startPlatformForTest({ services: ['users', 'jobs', 'applications'] });
  }, 120_000);
  afterAll(async () => {
    await platform?.close();
  });

  const seedWithApplications = () =>
    seedPlatform({
      usersDatabaseUrl: platform.service('users').db.url,
      jobsDatabaseUrl: platform.service('jobs').db.url,
      natsUrl: platform.service('users').natsUrl,
      seed: 11,
      companies: 3,
      jobs: 15,
      concurrency: 4,
      logLevel: 'silent',
      applications: {
        applicationsDatabaseUrl: platform.service('applications').db.url,
        seekers: 14,
        replicaTimeoutMs: 60_000,
        // The running service's blob store: the seed's attachments must be where it reads them.
        settings: { APPLICATIONS_BLOB_DIR: blobDir() },
      },
    });
  const applicationsDb = () => platform.service('applications').db;
  const blobDir = () => (platform.service('applications').env.own as { APPLICATIONS_BLOB_DIR: string }).APPLICATIONS_BLOB_DIR;

  it('adds job seekers and their applications with histories, interviews and files through the applications rules, and nothing the second time', async () => {
    const first = await seedWithApplications();
    const seeded = first.applications!;
    expect(seeded.seekers).toBe(14);
    expect(seeded.added.seekers).toBe(14);
    expect(seeded.added.applications).toBeGreaterThan(10);
    expect(seeded.added.applications).toBe(seeded.applications);
    expect(await count(applicationsDb(), 'applications')).toBe(seeded.applications);

    // Moved along the pipeline, some all the way, some rejected or withdrawn; closed jobs got none.
    const statuses = (await applicationsDb().query<{ status: string }>('SELECT DISTINCT status FROM applications')).rows.map((row) => row.status);
    expect(statuses).toEqual(expect.arrayContaining(['pending', 'reviewing', 'shortlisted', 'rejected', 'withdrawn']));
    const onClosedJobs = await applicationsDb().query(`SELECT 1 FROM applications a JOIN job_replicas j ON j.id = a.job_id WHERE NOT j.is_active`);
    expect(onClosedJobs.rowCount).toBe(0);
    // One history entry per status an application has had, each change with its event.
    expect(await count(applicationsDb(), 'application_status_history')).toBe(seeded.applications + seeded.added.statusChanges);
    const events = await platform.service('applications').outbox();
    expect(events.filter((event) => event.type === 'applications.application.submitted.v1')).toHaveLength(seeded.applications);
    expect(events.filter((event) => event.type === 'applications.application.status_changed.v1')).toHaveLength(seeded.added.statusChanges);
    const { rows: withdrawn } = await applicationsDb().query<{ actor_kind: string; is_active: boolean }>(
      `SELECT h.actor_kind, a.is_active FROM application_status_history h JOIN applications a ON a.id = h.application_id WHERE h.status = 'withdrawn'`,
    );
    expect(withdrawn.length).toBeGreaterThan(0);
    expect(withdrawn.every((row) => row.actor_kind === 'applicant' && !row.is_active)).toBe(true);

    // Interviews scheduled by the employer side (which moved their applications to INTERVIEWING),
    // some moved or called off and booked again; those of applications rejected since, called off.
    expect(seeded.added.interviews).toBeGreaterThan(0);
    expect(await count(applicationsDb(), 'interviews')).toBe(seeded.added.interviews);
    const { rows: interviewed } = await applicationsDb().query<{ status: string; interview: string }>(
      `SELECT a.status, i.status AS interview FROM interviews i JOIN applications a ON a.id = i.application_id`,
    );
    expect(interviewed.every((row) => ['interviewing', 'rejected'].includes(row.status))).toBe(true);
    expect(interviewed.filter((row) => row.status === 'rejected').every((row) => row.interview === 'cancelled')).toBe(true);
    expect(events.filter((event) => event.type === 'applications.interview.scheduled.v1')).toHaveLength(seeded.added.interviews);

    // Small files, uploaded through the attachment rules into the service's blob store.
    expect(seeded.added.attachments).toBeGreaterThan(0);
    const { rows: files } = await applicationsDb().query<{ storage_key: string; upload_status: string; file_type: string; file_size: number }>(
      'SELECT storage_key, upload_status, file_type, file_size FROM application_attachments',
    );
    expect(files).toHaveLength(seeded.added.attachments);
    for (const file of files) {
      expect(file.upload_status).toBe('uploaded');
      expect(['application/pdf', 'text/plain']).toContain(file.file_type);
      expect((await fs.stat(path.join(blobDir(), file.storage_key))).size).toBe(file.file_size);
    }

    // A seeded seeker signs in and sees their applications through the gateway.
    const seeker = seeded.seekerEmails[0]!;
    const login = await platform.gql('mutation($email: String!, $password: String!) { login(email: $email, password: $password) { accessToken user { id } } }', {
      email: seeker,
      password: SEED_SEEKER_PASSWORD,
    });
    expect(login.errors).toBeUndefined();
    const { accessToken, user } = login.data!.login;
    const mine = await platform.ok('{ me { applications(first: 50) { totalCount } } }', {}, { accessToken });
    const { rows } = await applicationsDb().query<{ n: number }>('SELECT count(*)::int AS n FROM applications WHERE applicant_id = $1', [user.id]);
    expect(mine.me.applications.totalCount).toBe(rows[0]!.n);

    const again = await seedWithApplications();
    expect(again.applications!.added).toEqual({ seekers: 0, applications: 0, statusChanges: 0, interviews: 0, attachments: 0 });
    expect(again.applications!.applications).toBe(seeded.applications);
    expect(await count(applicationsDb(), 'application_status_history')).toBe(seeded.applications + seeded.added.statusChanges);
    expect(await count(applicationsDb(), 'interviews')).toBe(seeded.added.interviews);
    expect(await count(applicationsDb(), 'application_attachments')).toBe(seeded.added.attachments);
  }, 240_000);
});
