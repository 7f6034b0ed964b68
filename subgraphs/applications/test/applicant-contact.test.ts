import { startPlatformForTest, waitFor, type Account, type PlatformUnderTest } from './start-applications.js';

// Who sees an applicant's email and names: users keeps them for the owner and admins; reached through
// an application (Application.applicant, @provides from applications' copy of job seekers' contact
// details), the job's employer side sees them too, and nobody else.

let platform: PlatformUnderTest;
let employer: Account;
let seeker: Account;
let applicationId: string;
let jobId: string;

const APPLICANT = /* GraphQL */ `
  query ($id: ID!) {
    application(id: $id) {
      id
      applicant {
        id
        username
        email
        firstName
        lastName
      }
    }
  }
`;
const JOB_APPLICANTS = /* GraphQL */ `
  query ($jobId: ID!) {
    job(id: $jobId) {
      id
      applications(first: 20) {
        edges {
          node {
            id
            applicant {
              id
              username
              email
              firstName
              lastName
            }
          }
        }
      }
    }
  }
`;
const PROFILE = /* GraphQL */ `
  query ($id: ID!) {
    user(id: $id) {
      id
      username
      email
      firstName
      lastName
    }
  }
`;

beforeAll(async () => {
  platform = await startPlatformForTest();
  let companyId: string;
  ({ employer, companyId } = await platform.employerWithCompany());
  jobId = await platform.postJob(employer, companyId);
  seeker = await platform.applicant();
  await platform.ok('mutation($input: UpdateProfileInput!) { updateProfile(input: $input) { id } }', { input: { firstName: 'Ada', lastName: 'Lovelace' } }, seeker);
  await waitFor(
    'the names to reach the applicant contacts replica',
    async () => (await platform.applications.db.query('SELECT email, first_name, last_name FROM applicant_contacts WHERE user_id = $1', [seeker.id])).rows[0],
    (row) => row?.first_name === 'Ada',
  );
  applicationId = await platform.apply(seeker, jobId);
}, 120_000);
afterAll(async () => {
  await platform.close();
});

it("the job's employer sees the applicant's email and names through the application", async () => {
  const expected = { id: seeker.id, username: seeker.username, email: seeker.email, firstName: 'Ada', lastName: 'Lovelace' };
  expect((await platform.ok(APPLICANT, { id: applicationId }, employer)).application.applicant).toEqual(expected);
  const listed = await platform.ok(JOB_APPLICANTS, { jobId }, employer);
  expect(listed.job.applications.edges.map((edge: { node: { applicant: unknown } }) => edge.node.applicant)).toEqual([expected]);
  // The applicant and admins see them there too.
  expect((await platform.ok(APPLICANT, { id: applicationId }, seeker)).application.applicant).toEqual(expected);
  expect((await platform.ok(APPLICANT, { id: applicationId }, await platform.admin())).application.applicant).toEqual(expected);
});

it("the employer does not see the applicant's email anywhere else, and a stranger sees it nowhere", async () => {
  const asEmployer = await platform.ok(PROFILE, { id: seeker.id }, employer);
  expect(asEmployer.user).toMatchObject({ id: seeker.id, email: null });
  const stranger = await platform.employer();
  expect((await platform.ok(PROFILE, { id: seeker.id }, stranger)).user.email).toBeNull();
  expect((await platform.ok(APPLICANT, { id: applicationId }, stranger)).application).toBeNull();
  const otherSeeker = await platform.applicant();
  expect((await platform.ok(PROFILE, { id: seeker.id }, otherSeeker)).user.email).toBeNull();
});

it("the applicant's own email still comes from users in me", async () => {
  const { me } = await platform.ok('query { me { id email firstName lastName } }', {}, seeker);
  expect(me).toEqual({ id: seeker.id, email: seeker.email, firstName: 'Ada', lastName: 'Lovelace' });
  const employerMe = await platform.ok('query { me { id email } }', {}, employer);
  expect(employerMe.me).toEqual({ id: employer.id, email: employer.email });
});
