import { startPlatformForTest, waitFor, type Account, type PlatformUnderTest } from './start-applications.js';

// JobApplications(first: N) and MyPostedJobs with their applications must cost the applications
// service the same number of SQL statements whatever N is: every list field and entity reference
// is batched per request.

let platform: PlatformUnderTest;
let employer: Account;
let jobId: string;

const JOB_APPLICATIONS = /* GraphQL */ `
  query ($jobId: ID!, $first: Int) {
    job(id: $jobId) {
      id
      title
      applications(first: $first) {
        totalCount
        edges {
          node {
            id
            status
            expectedSalary
            createdAt
            applicant {
              id
              username
              email
              firstName
              lastName
            }
            statusHistory {
              status
              changedBy {
                id
              }
            }
          }
        }
        pageInfo {
          hasNextPage
          endCursor
        }
      }
    }
  }
`;

const POSTED_JOBS = /* GraphQL */ `
  query ($first: Int) {
    me {
      id
      postedJobs(first: $first) {
        totalCount
        edges {
          node {
            id
            title
            applications(first: 5) {
              totalCount
              edges {
                node {
                  id
                  status
                  applicant {
                    id
                    username
                  }
                }
              }
            }
          }
        }
      }
    }
  }
`;

beforeAll(async () => {
  platform = await startPlatformForTest();
  let companyId: string;
  ({ employer, companyId } = await platform.employerWithCompany());
  const jobs = [];
  for (let j = 0; j < 6; j += 1) jobs.push(await platform.postJob(employer, companyId, { title: `Job ${j}` }));
  jobId = jobs[0]!;
  // Ten registrations at a time: the users service's test pool is small.
  const seekers: Account[] = [];
  for (let batch = 0; batch < 6; batch += 1) seekers.push(...(await Promise.all(Array.from({ length: 10 }, () => platform.jobSeeker()))));
  await waitFor(
    'the registrations to reach the users replica',
    async () => Number((await platform.applications.db.query("SELECT count(*)::int AS n FROM user_replicas WHERE user_type = 'job_seeker'")).rows[0]!.n),
    (n) => n >= seekers.length,
  );
  // Through the service's own rules, without HTTP: 60 applications to the first job, 3 to each other.
  const { applications } = platform.applications.service.domain;
  const asViewer = (account: Account) => ({ userId: account.id, role: 'job_seeker' as const, tokenId: 't', sessionId: undefined });
  for (const seeker of seekers) await applications.apply(asViewer(seeker), { jobId });
  for (const job of jobs.slice(1)) for (const seeker of seekers.slice(0, 3)) await applications.apply(asViewer(seeker), { jobId: job });
}, 180_000);
afterAll(async () => {
  await platform.close();
});

async function statementsFor(query: string, variables: Record<string, unknown>): Promise<number> {
  platform.applications.statements.length = 0;
  const response = await platform.gql(query, variables, { token: employer.accessToken });
  expect(response.errors).toBeUndefined();
  return platform.applications.statements.length;
}

it('JobApplications(first: 50) costs as many statements as first: 2', async () => {
  const small = await statementsFor(JOB_APPLICATIONS, { jobId, first: 2 });
  const large = await statementsFor(JOB_APPLICATIONS, { jobId, first: 50 });
  expect(large).toBe(small);
  // The viewer's memberships, the job's replica row, the page, its rows, the count, the histories,
  // the applicants' contact details.
  expect(large).toBe(7);
});

it('applications of every posted job are batched too', async () => {
  const statements = await statementsFor(POSTED_JOBS, { first: 6 });
  // The viewer's memberships, the jobs' replica rows, the lateral page query, its rows, the counts.
  expect(statements).toBe(5);
});
