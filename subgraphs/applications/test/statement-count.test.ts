import { operationsServed } from '@jobplatform/testing';
import { APPLICATIONS_OPERATIONS } from './operations.js';
import { startPlatformForTest, waitFor, type Account, type PlatformUnderTest } from './start-applications.js';

// JobApplications(first: N) and MyPostedJobs with their applications must cost the applications
// service the same number of SQL statements whatever N is: every list field and entity reference
// is batched per request.

let platform: PlatformUnderTest;
let employer: Account;
let jobId: string;
/** A seeker with an application to each of the six jobs. */
let busySeeker: Account;
let seekers: Account[];
let jobs: string[];
let companyName: string;

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
                username
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
  companyName = `Statement counts ${Date.now()}`;
  ({ employer, companyId } = await platform.employerWithCompany(companyName));
  jobs = [];
  for (let j = 0; j < 6; j += 1) jobs.push(await platform.postJob(employer, companyId, { title: `Job ${j}`, location: 'Lisbon' }));
  jobId = jobs[0]!;
  // Ten registrations at a time: the users service's test pool is small.
  seekers = [];
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
  busySeeker = seekers[0]!;
  // Attachments on the first job's two newest applications (one uploaded, so that its download
  // link is signed, one still pending) and interviews on two of the busy seeker's applications.
  const { attachments, interviews } = platform.applications.service.domain;
  const newest = async (column: 'job_id' | 'applicant_id', ownerId: string) =>
    (await platform.applications.db.query<{ id: string }>(`SELECT id::text FROM applications WHERE ${column} = $1 ORDER BY created_at DESC, id DESC LIMIT 2`, [ownerId])).rows.map(
      (row) => row.id,
    );
  const [latest, previous] = await newest('job_id', jobId);
  const uploaded = await attachments.createUpload(asViewer(seekers.at(-1)!), { applicationId: latest, fileName: 'cv.pdf', fileType: 'PDF', fileSize: 10 });
  await attachments.createUpload(asViewer(seekers.at(-2)!), { applicationId: previous, fileName: 'letter.txt', fileType: 'TXT', fileSize: 10 });
  await platform.applications.db.query("UPDATE application_attachments SET upload_status = 'uploaded', uploaded_at = now() WHERE id = $1", [uploaded.attachment.id]);
  const asEmployer = { userId: employer.id, role: 'employer' as const, tokenId: 't', sessionId: undefined };
  for (const applicationId of await newest('applicant_id', busySeeker.id)) {
    await interviews.schedule(asEmployer, { applicationId, scheduledAt: new Date(Date.now() + 86_400_000) });
  }
}, 180_000);
afterAll(async () => {
  await platform.close();
});

/** The response's data, how many statements the applications service sent for it, and how many calls the gateway made to users and jobs. */
async function measure(query: string, variables: Record<string, unknown>, options: { as?: Account; operationName?: string } = {}) {
  // The setup's events may still be on their way to a consumer of applications, whose statements would count.
  await platform.settled();
  platform.applications.statements.length = 0;
  platform.applications.leanStatements.length = 0;
  const [usersBefore, jobsBefore] = await Promise.all([operationsServed(platform.users), operationsServed(platform.jobs)]);
  const response = await platform.gql(query, variables, { token: (options.as ?? employer).accessToken, operationName: options.operationName });
  expect(response.errors).toBeUndefined();
  const statements = platform.applications.statements.length;
  const lean = platform.applications.leanStatements.length;
  const [usersAfter, jobsAfter] = await Promise.all([operationsServed(platform.users), operationsServed(platform.jobs)]);
  return { data: response.data as Record<string, any>, statements, lean, usersCalls: usersAfter - usersBefore, jobsCalls: jobsAfter - jobsBefore };
}

const statementsFor = async (...args: Parameters<typeof measure>) => (await measure(...args)).statements;

it('JobApplications(first: 50) costs as many statements as first: 2', async () => {
  const small = await statementsFor(JOB_APPLICATIONS, { jobId, first: 2 });
  const large = await statementsFor(JOB_APPLICATIONS, { jobId, first: 50 });
  expect(large).toBe(small);
  // The viewer's memberships with the job's replica row; the page with its rows, the count and the
  // applicants' contact details and usernames; the histories. Who made each change is the applicant
  // (they applied), whose username the page already read: no statement of its own.
  expect(large).toBe(3);
  // All of them over node-postgres, not Prisma's client.
  expect(platform.applications.leanStatements).toHaveLength(3);
});

it('applications of every posted job are batched too', async () => {
  const statements = await statementsFor(POSTED_JOBS, { first: 6 });
  // The viewer's memberships with the jobs' replica rows; the pages with their rows and counts.
  expect(statements).toBe(2);
});

it("the contract's JobApplications and MyApplications read the page, its count and what its fields need in one statement each", async () => {
  const jobApplications = await measure(APPLICATIONS_OPERATIONS, { jobId, first: 20 }, { operationName: 'JobApplications' });
  // The viewer's memberships with the job's replica row; the page with its rows, the count, the
  // applicants' contact details and usernames, and the attachments. The download link and the
  // contact details are still decided per application, from what these read. users is not called:
  // applications provides the usernames.
  expect(jobApplications.statements).toBe(2);
  expect(jobApplications.lean).toBe(2);
  // The count is read from the counts the triggers keep, not counted from the job's rows.
  expect(platform.applications.leanStatements.join('\n')).toMatch(/FROM job_application_counts/);
  expect(platform.applications.leanStatements.join('\n')).not.toMatch(/count\(\*\)/);
  expect({ users: jobApplications.usersCalls, jobs: jobApplications.jobsCalls }).toEqual({ users: 0, jobs: 1 });
  const page = jobApplications.data.job.applications;
  expect(page.totalCount).toBe(60);
  expect(page.edges).toHaveLength(20);
  expect(page.edges.every((edge: any) => edge.node.applicant.email.endsWith('@example.com'))).toBe(true);
  const usernames = new Map(seekers.map((seeker) => [seeker.id, seeker.username]));
  expect(page.edges.map((edge: any) => edge.node.applicant.username)).toEqual(page.edges.map((edge: any) => usernames.get(edge.node.applicant.id)));
  expect(page.edges[0].node.attachments).toEqual([{ id: expect.any(String), fileName: 'cv.pdf', fileType: 'PDF', fileSize: 10, url: expect.stringContaining('/uploads/') }]);
  expect(page.edges[1].node.attachments).toEqual([{ id: expect.any(String), fileName: 'letter.txt', fileType: 'TXT', fileSize: 10, url: null }]);
  // The page's attachments are the rows Application.attachments reads by itself, times included.
  const ATTACHMENTS_OF = 'query ($id: ID!) { application(id: $id) { attachments { id fileName fileType fileSize uploadStatus createdAt } } }';
  const withPage = await measure(
    'query ($jobId: ID!) { job(id: $jobId) { applications(first: 2) { edges { node { id attachments { id fileName fileType fileSize uploadStatus createdAt } } } } } }',
    { jobId },
  );
  for (const edge of withPage.data.job.applications.edges) {
    const alone = await measure(ATTACHMENTS_OF, { id: edge.node.id });
    expect(edge.node.attachments).toEqual(alone.data.application.attachments);
  }
  expect(withPage.data.job.applications.edges.map((edge: any) => edge.node.attachments.map((a: any) => a.uploadStatus))).toEqual([['UPLOADED'], ['PENDING']]);

  const myApplications = await measure(APPLICATIONS_OPERATIONS, { first: 20 }, { operationName: 'MyApplications', as: busySeeker });
  // The page with its rows, the count, the jobs' title, location and company name, and the
  // interviews. jobs is not called: applications provides what the list shows of each job. Nor is
  // users: applications answers `me` itself, from the token.
  expect(myApplications.statements).toBe(1);
  expect(myApplications.lean).toBe(1);
  expect({ users: myApplications.usersCalls, jobs: myApplications.jobsCalls }).toEqual({ users: 0, jobs: 0 });
  const mine = myApplications.data.me.applications;
  expect(mine.totalCount).toBe(6);
  expect(mine.edges.map((edge: any) => edge.node.interviews.length)).toEqual([1, 1, 0, 0, 0, 0]);
  expect(mine.edges.map((edge: any) => edge.node.job)).toEqual(
    [...jobs].reverse().map((id, j) => ({ id, title: `Job ${5 - j}`, location: 'Lisbon', company: { name: companyName } })),
  );
  // The page's interviews are the rows Application.interviews reads by itself, every field.
  const INTERVIEW_FIELDS = 'id interviewType scheduledAt durationMinutes location notes status cancellationReason createdAt updatedAt';
  const withInterviews = await measure(`{ me { applications(first: 2) { edges { node { id interviews { ${INTERVIEW_FIELDS} } } } } } }`, {}, { as: busySeeker });
  expect(withInterviews.statements).toBe(1);
  for (const edge of withInterviews.data.me.applications.edges) {
    expect(edge.node.interviews).toHaveLength(1);
    const alone = await measure(`query ($id: ID!) { application(id: $id) { interviews { ${INTERVIEW_FIELDS} } } }`, { id: edge.node.id }, { as: busySeeker });
    expect(edge.node.interviews).toEqual(alone.data.application.interviews);
  }
});

it("reads applications, their history, attachments and interviews, and the replicas' rows over node-postgres as Prisma's client reads them", async () => {
  const { applications, interviews, reads, db } = platform.applications.service.domain;
  const seeker = seekers.at(-1)!;
  const asSeeker = { userId: seeker.id, role: 'job_seeker' as const, tokenId: 't', sessionId: undefined };
  const asEmployer = { userId: employer.id, role: 'employer' as const, tokenId: 't', sessionId: undefined };
  const application = await applications.apply(asSeeker, { jobId: jobs[1]!, coverLetter: 'Every column', expectedSalary: 85000.5, availabilityDate: '2099-06-30' });
  await applications.updateStatus(asEmployer, application.id.toString(), 'SHORTLISTED', 'Strong');
  await interviews.schedule(asEmployer, { applicationId: application.id.toString(), scheduledAt: new Date(Date.now() + 86_400_000), location: 'Room 1', notes: 'Bring a laptop' });

  const [lean] = await reads.applicationsById([application.id]);
  expect(lean).toEqual(await db.application.findUnique({ where: { id: application.id } }));
  expect(lean!.expectedSalary!.toFixed(2)).toBe('85000.50');
  expect(lean!.availabilityDate).toEqual(new Date('2099-06-30T00:00:00.000Z'));
  expect(await reads.applicationsOfApplicant(application.applicantId, [BigInt(jobs[1]!), BigInt(jobs[2]!)])).toEqual(
    await db.application.findMany({ where: { applicantId: application.applicantId, jobId: { in: [BigInt(jobs[1]!), BigInt(jobs[2]!)] } } }),
  );
  const history = await reads.historyOf([application.id]);
  expect(history.map((entry) => entry.status)).toEqual(['pending', 'shortlisted', 'interviewing']);
  expect(history).toEqual(await db.applicationStatusHistory.findMany({ where: { applicationId: application.id }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] }));
  const { attachments } = platform.applications.service.domain;
  await attachments.createUpload(asSeeker, { applicationId: application.id.toString(), fileName: 'b.txt', fileType: 'TXT', fileSize: 10 });
  await attachments.createUpload(asSeeker, { applicationId: application.id.toString(), fileName: 'a.pdf', fileType: 'PDF', fileSize: 20 });
  const files = await reads.attachmentsOf([application.id]);
  expect(files.map((file) => file.fileName)).toEqual(['b.txt', 'a.pdf']);
  expect(files).toEqual(await db.applicationAttachment.findMany({ where: { applicationId: application.id }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] }));
  const held = await reads.interviewsOf([application.id]);
  expect(held).toHaveLength(1);
  expect(held).toEqual(await db.interview.findMany({ where: { applicationId: application.id } }));
  expect(await reads.jobsById([application.jobId])).toEqual([await db.jobReplica.findUnique({ where: { id: application.jobId } })]);
  expect(await reads.applicantContactsById([application.applicantId])).toEqual(
    await db.applicantContact.findMany({ where: { userId: application.applicantId }, select: { userId: true, email: true, firstName: true, lastName: true } }),
  );
  const memberships = await db.companyMemberReplica.findMany({ where: { userId: BigInt(employer.id), isMember: true } });
  expect(await reads.companiesOfMember(BigInt(employer.id))).toEqual(memberships.map((row) => row.companyId.toString()));
  expect(memberships).toHaveLength(1);
});
