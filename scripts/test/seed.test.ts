// npm run seed on a platform that already holds data: the same seed adds nothing, another seed
// adds its own data set beside, and a run that stopped part-way is completed.
import { createTestDatabase, startPrivateNats, type PrivateNats, type TestDatabase } from '@jobplatform/testing';
import { DEFAULT_SEED, seedAccounts, seedPlatform, type SeedOptions } from '../src/seed/seed-platform.js';

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

it('names the default seed\'s accounts as before and every other seed\'s apart', () => {
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
});

it('completes a data set whose run stopped part-way', async () => {
  await seed({ seed: 9, companies: 2, jobs: 6 });
  const complete = await count(jobsDb, 'jobs');
  // As if the run had stopped before writing its last jobs.
  await jobsDb.query(`DELETE FROM jobs WHERE id IN (SELECT id FROM jobs ORDER BY id DESC LIMIT 2)`);
  const resumed = await seed({ seed: 9, companies: 2, jobs: 6 });
  expect(resumed.added).toEqual({ accounts: 0, categories: 0, companies: 0, jobs: 2 });
  expect(await count(jobsDb, 'jobs')).toBe(complete);
});
