import { readFileSync } from 'node:fs';
import { startPlatformForTest, waitFor, type Account, type PlatformUnderTest } from '@jobplatform/testing';

// users, jobs, search and notifications behind the real gateway on one nats-server: a job posted at
// jobs reaches search, which matches it against saved searches and publishes the alert;
// notifications turns it into the owner's notification.

const read = (file: string) => readFileSync(new URL(`../../../schema/operations/${file}.graphql`, import.meta.url), 'utf8');
const operations = { search: read('search'), jobs: read('jobs'), notifications: read('notifications') };

let platform: PlatformUnderTest;
let employer: Account;
let companyId: string;

const ok = async (file: keyof typeof operations, operationName: string, variables: Record<string, unknown>, account: Account) => {
  const response = await platform.gql(operations[file], variables, { operationName, token: account.accessToken });
  expect({ operationName, errors: response.errors }).toEqual({ operationName, errors: undefined });
  return response.data as Record<string, any>;
};

type Notification = { title: string; message: string; notificationType: string; metadata: Record<string, unknown> };
const inbox = async (account: Account): Promise<Notification[]> =>
  (await ok('notifications', 'MyNotifications', { first: 20 }, account)).me.notifications.edges.map((edge: { node: Notification }) => edge.node);

beforeAll(async () => {
  platform = await startPlatformForTest({ services: ['users', 'jobs', 'search', 'notifications'] });
  employer = await platform.replicated(await platform.employer(), 'jobs');
  companyId = (await ok('jobs', 'CreateCompany', { input: { name: 'Narwhal Works', industry: 'Marine data', location: 'Tromsø' } }, employer)).createCompany.id;
}, 120_000);

afterAll(async () => {
  await platform?.close();
});

it('tells the owner of an INSTANT saved search about a new matching job, in the app, naming the search and the job; others hear nothing', async () => {
  const seeker = await platform.jobSeeker();
  const uninterested = await platform.jobSeeker();
  const saved = (await ok('search', 'SaveSearch', { input: { name: 'Tusk polishing', query: 'tusk polisher', alertFrequency: 'INSTANT' } }, seeker)).saveSearch;
  await ok('search', 'SaveSearch', { input: { name: 'Gardening', query: 'gardener', alertFrequency: 'INSTANT' } }, uninterested);

  const jobId = (await ok('jobs', 'CreateJob', { input: { companyId, title: 'Senior tusk polisher', description: 'Polish tusks with care.' } }, employer)).createJob.id;

  const [alert] = await waitFor(
    "the saved-search alert in the owner's inbox",
    () => inbox(seeker),
    (found) => found.length > 0,
    30_000,
  );
  expect(alert).toMatchObject({
    notificationType: 'IN_APP',
    title: '1 new job matches Tusk polishing',
    metadata: { savedSearchIds: [saved.id], jobIds: [jobId] },
  });
  // The title comes from notifications' copy of the jobs, which jobs' event reaches by a shorter
  // path than search's alert; should the alert ever come first, the job is named by its id.
  expect([`Just posted: Senior tusk polisher.`, `Just posted: job ${jobId}.`]).toContain(alert!.message);
  expect(await inbox(uninterested)).toEqual([]);
});
