import { readFileSync } from 'node:fs';
import { startPlatformForTest, waitFor, type PlatformUnderTest } from '@jobplatform/testing';
import { readOpenJobs } from '../src/job-source.js';
import { rebuildSearchIndex } from '../src/reindex.js';

// npm run search:reindex's rebuild against running users, jobs and search: the open jobs read through
// the gateway into a table beside the live one, then swapped in.

const jobsOperations = readFileSync(new URL('../../../schema/operations/jobs.graphql', import.meta.url), 'utf8');
let platform: PlatformUnderTest;

beforeAll(async () => {
  platform = await startPlatformForTest({ services: ['users', 'jobs', 'search'] });
});
afterAll(async () => {
  await platform?.close();
});

it('rebuilds the read model from jobs beside the live one, keeps newer changes, and leaves the layout as the migrations made it', async () => {
  const employer = await platform.replicated(await platform.employer(), 'jobs');
  const company = (await platform.gql(jobsOperations, { input: { name: 'Heron Works', industry: 'Birds' } }, { operationName: 'CreateCompany', token: employer.accessToken }))
    .data as any;
  const companyId = company.createCompany.id;
  const post = async (title: string) =>
    (
      (
        await platform.gql(
          jobsOperations,
          { input: { companyId, title, description: 'Wading.', skills: [{ name: 'Patience' }] } },
          { operationName: 'CreateJob', token: employer.accessToken },
        )
      ).data as any
    ).createJob.id as string;
  const [lost, changed, kept] = [await post('Heron lost'), await post('Heron changed'), await post('Heron kept')];
  const search = platform.service('search');
  const rows = async () =>
    (await search.db.query<{ entity_id: string; title: string }>("SELECT entity_id::text, title FROM search_indexes WHERE entity_type = 'job' ORDER BY entity_id")).rows;
  await waitFor('the three jobs in search', rows, (found) => found.length === 3);
  const layout = async () =>
    (await search.db.query("SELECT indexname, regexp_replace(indexdef, '^.* ON ', '') AS body FROM pg_indexes WHERE tablename = 'search_indexes' ORDER BY indexname")).rows;
  const before = await layout();

  // One document lost, one changed by an event newer than what the source will say.
  await search.db.query("DELETE FROM search_indexes WHERE entity_type = 'job' AND entity_id = $1", [lost]);
  await search.db.query("UPDATE search_indexes SET title = 'Heron changed later', source_version = 9000000000000000 WHERE entity_type = 'job' AND entity_id = $1", [changed]);

  const done = await rebuildSearchIndex(search.service.db, readOpenJobs(platform.gateway.url));
  expect(done).toEqual({ jobs: 3, companies: 1 });

  expect(await rows()).toEqual([
    { entity_id: lost, title: 'Heron lost' },
    { entity_id: changed, title: 'Heron changed later' },
    { entity_id: kept, title: 'Heron kept' },
  ]);
  expect(await layout()).toEqual(before);
  const found = await platform.ok('query { searchJobs(query: "heron") { totalCount edges { node { company { name } } } } }', {}, await platform.jobSeeker());
  expect(found.searchJobs.totalCount).toBe(3);
  expect(found.searchJobs.edges[0].node.company.name).toBe('Heron Works');
  // The event consumer writes to the new table.
  await post('Heron after the swap');
  await waitFor('a job posted after the swap in search', rows, (found) => found.length === 4);
});
