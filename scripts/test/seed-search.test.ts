// npm run seed against running users, jobs and search services: the seed ends once search has
// indexed the data set's jobs, so they are searchable through the gateway right away.
import { startPlatformForTest, type PlatformUnderTest } from '@jobplatform/testing';
import { seedPlatform } from '../src/seed/seed-platform.js';

let platform: PlatformUnderTest;

beforeAll(async () => {
  platform = await startPlatformForTest({ services: ['users', 'jobs', 'search'] });
}, 120_000);
afterAll(async () => {
  await platform?.close();
});

it("waits for search to index the data set's jobs, which are then found through the gateway", async () => {
  const summary = await seedPlatform({
    usersDatabaseUrl: platform.service('users').db.url,
    jobsDatabaseUrl: platform.service('jobs').db.url,
    natsUrl: platform.service('users').natsUrl,
    seed: 21,
    companies: 2,
    jobs: 10,
    concurrency: 4,
    logLevel: 'silent',
    search: { searchDatabaseUrl: platform.service('search').db.url, indexTimeoutMs: 60_000 },
  });
  // No waiting here: the seed returned only once search had them all.
  const { rows } = await platform.service('jobs').db.query<{ id: string; title: string }>('SELECT id::text, title FROM jobs WHERE id = $1', [summary.sampleJobId]);
  const sample = rows[0]!;
  const found = await platform.ok(
    'query($q: String) { searchJobs(query: $q, first: 100) { totalCount edges { node { id title } } } }',
    { q: sample.title },
    await platform.jobSeeker(),
  );
  expect(found.searchJobs.edges.map((edge: { node: { id: string } }) => edge.node.id)).toContain(sample.id);
  const indexed = await platform.service('search').db.query<{ n: number }>("SELECT count(*)::int AS n FROM search_indexes WHERE entity_type = 'job'");
  expect(indexed.rows[0]!.n).toBe(10);
}, 180_000);
