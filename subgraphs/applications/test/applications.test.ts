import { APPLICATIONS_OPERATIONS } from './operations.js';
import { errorCodeOf, startPlatformForTest, waitFor, type Account, type PlatformUnderTest } from './start-applications.js';

// Applying and the hiring pipeline through the gateway, with users, jobs and applications on one
// nats-server: the project's own operations (schema/operations/applications.graphql), who may see
// and do what, and every input rule with no partial write.

let platform: PlatformUnderTest;
let employer: Account;
let companyId: string;
let jobId: string;
let seeker: Account;
let applicationId: string;
let otherSeeker: Account;
let otherEmployer: Account;
let admin: Account;

const op = (operationName: string, variables: Record<string, unknown>, account?: Account) =>
  platform.gql(APPLICATIONS_OPERATIONS, variables, { operationName, ...(account ? { token: account.accessToken } : {}) });

async function okOp(operationName: string, variables: Record<string, unknown>, account: Account) {
  const response = await op(operationName, variables, account);
  expect(response.errors).toBeUndefined();
  return response.data!;
}

const APPLICATION = /* GraphQL */ `
  query ($id: ID!) {
    application(id: $id) {
      id
      status
      coverLetter
      expectedSalary
      availabilityDate
      isActive
      createdAt
      updatedAt
      job {
        id
        title
        employer {
          id
          username
        }
        company {
          name
        }
      }
      applicant {
        id
        username
      }
      statusHistory {
        status
        notes
        createdAt
        changedBy {
          id
          username
        }
      }
    }
  }
`;
const MY_APPLICATIONS = /* GraphQL */ `
  query ($status: ApplicationStatus, $first: Int, $after: String) {
    me {
      id
      applications(status: $status, first: $first, after: $after) {
        totalCount
        edges {
          cursor
          node {
            id
            status
            job {
              id
              title
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
const JOB_APPLICATIONS = /* GraphQL */ `
  query ($jobId: ID!, $status: ApplicationStatus, $first: Int, $after: String) {
    job(id: $jobId) {
      id
      applications(status: $status, first: $first, after: $after) {
        totalCount
        edges {
          node {
            id
            status
            expectedSalary
            applicant {
              id
              username
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

const countApplications = async () => Number((await platform.applications.db.query('SELECT count(*)::int AS n FROM applications')).rows[0]!.n);
const countOutbox = async () => Number((await platform.applications.db.query('SELECT count(*)::int AS n FROM event_outbox')).rows[0]!.n);

beforeAll(async () => {
  platform = await startPlatformForTest();
  ({ employer, companyId } = await platform.employerWithCompany('Hooli'));
  jobId = await platform.postJob(employer, companyId, { title: 'Backend engineer', applicationDeadline: '2099-12-31' });
  [seeker, otherSeeker, admin] = await Promise.all([platform.applicant(), platform.applicant(), platform.admin()]);
  ({ employer: otherEmployer } = await platform.employerWithCompany('Pied Piper'));
}, 120_000);
afterAll(async () => {
  await platform.close();
});

describe('ApplyToJob', () => {
  it('applies as a job seeker: PENDING, its first history entry, and applications.application.submitted.v1', async () => {
    const { applyToJob } = await okOp('ApplyToJob', { input: { jobId, coverLetter: '  I build backends.  ', expectedSalary: 85000.5, availabilityDate: '2099-01-15' } }, seeker);
    expect(applyToJob).toEqual({
      id: expect.any(String),
      status: 'PENDING',
      coverLetter: 'I build backends.',
      expectedSalary: 85000.5,
      availabilityDate: '2099-01-15',
      createdAt: expect.any(String),
      job: { id: jobId, title: 'Backend engineer', company: { name: 'Hooli' } },
      applicant: { id: seeker.id, username: seeker.username },
    });
    applicationId = applyToJob.id;
    const history = await platform.applications.db.query('SELECT status, changed_by::text, actor_kind, notes FROM application_status_history WHERE application_id = $1', [
      applicationId,
    ]);
    expect(history.rows).toEqual([{ status: 'pending', changed_by: seeker.id, actor_kind: 'applicant', notes: null }]);
    const events = await waitFor(
      'applications.application.submitted.v1 on JetStream',
      async () => (await platform.applications.published('applications.application.submitted.v1')).filter((e) => e.aggregateId === applicationId),
      (found) => found.length === 1,
    );
    expect(events[0]!.data).toEqual({ applicationId, jobId, applicantId: seeker.id, employerId: employer.id, companyId, companyMemberIds: [employer.id], status: 'pending' });
  });

  it('refuses a second application to the same job with CONFLICT', async () => {
    const before = await countOutbox();
    const response = await op('ApplyToJob', { input: { jobId } }, seeker);
    expect(errorCodeOf(response)).toBe('CONFLICT');
    expect(response.errors![0]!.message).toMatch(/already applied/);
    expect(await countOutbox()).toBe(before);
  });

  it('refuses anyone but a signed-in job seeker', async () => {
    expect(errorCodeOf(await op('ApplyToJob', { input: { jobId } }))).toBe('UNAUTHENTICATED');
    expect(errorCodeOf(await op('ApplyToJob', { input: { jobId } }, otherEmployer))).toBe('FORBIDDEN');
    expect(errorCodeOf(await op('ApplyToJob', { input: { jobId } }, admin))).toBe('FORBIDDEN');
  });

  it('names every field at fault at once, and writes nothing', async () => {
    const [applications, outbox] = [await countApplications(), await countOutbox()];
    const response = await op('ApplyToJob', { input: { jobId: 'not-an-id', coverLetter: 'x'.repeat(10_001), expectedSalary: -1, availabilityDate: '2000-01-01' } }, otherSeeker);
    expect(errorCodeOf(response)).toBe('BAD_USER_INPUT');
    expect((response.errors![0]!.extensions!.fields as { field: string }[]).map((f) => f.field).sort()).toEqual([
      'input.availabilityDate',
      'input.coverLetter',
      'input.expectedSalary',
      'input.jobId',
    ]);
    expect([await countApplications(), await countOutbox()]).toEqual([applications, outbox]);
  });

  it.each([
    ['a salary with three decimals', { expectedSalary: 100.123 }, 'input.expectedSalary', /two decimals/],
    ['a salary above DECIMAL(10,2)', { expectedSalary: 100_000_000 }, 'input.expectedSalary', /at most/],
    ['an unknown job', { jobId: '999999' }, 'input.jobId', /not an existing job/],
    ['a malformed day', { availabilityDate: '2099-02-30' }, 'input.availabilityDate', /./],
  ])('refuses %s', async (_what, input, field, message) => {
    const response = await op('ApplyToJob', { input: { jobId, ...input } }, otherSeeker);
    expect(errorCodeOf(response)).toBe('BAD_USER_INPUT');
    const fields = (response.errors![0]!.extensions!.fields as { field: string; message: string }[]) ?? [];
    expect(fields.find((f) => f.field === field)?.message).toMatch(message);
  });

  it('refuses a closed job and one whose deadline has passed', async () => {
    const closed = await platform.postJob(employer, companyId, { title: 'Closed soon' });
    await platform.ok('mutation($id: ID!) { closeJob(id: $id) { id } }', { id: closed }, employer);
    await waitFor(
      'the closing to reach the jobs replica',
      async () => (await platform.applications.db.query('SELECT is_active FROM job_replicas WHERE id = $1', [closed])).rows[0]?.is_active,
      (active) => active === false,
    );
    const response = await op('ApplyToJob', { input: { jobId: closed } }, otherSeeker);
    expect(errorCodeOf(response)).toBe('BAD_USER_INPUT');
    expect(response.errors![0]!.extensions!.fields).toEqual([{ field: 'input.jobId', message: 'is closed to applications' }]);

    const late = await platform.postJob(employer, companyId, { title: 'Deadline passed' });
    // jobs refuses a deadline in the past, so the replica is moved back in time here.
    await platform.applications.db.query("UPDATE job_replicas SET application_deadline = '2001-01-01' WHERE id = $1", [late]);
    const lateResponse = await op('ApplyToJob', { input: { jobId: late } }, otherSeeker);
    expect(errorCodeOf(lateResponse)).toBe('BAD_USER_INPUT');
    expect(lateResponse.errors![0]!.extensions!.fields).toEqual([{ field: 'input.jobId', message: 'stopped taking applications after its deadline, 2001-01-01' }]);
  });
});

describe('seeing applications', () => {
  it('JobViewerState: the applicant has applied; another seeker and anonymous have not', async () => {
    expect((await okOp('JobViewerState', { id: jobId }, seeker)).job).toEqual({ id: jobId, viewerHasApplied: true, viewerApplication: { id: applicationId, status: 'PENDING' } });
    expect((await okOp('JobViewerState', { id: jobId }, otherSeeker)).job).toEqual({ id: jobId, viewerHasApplied: false, viewerApplication: null });
    const anonymous = await op('JobViewerState', { id: jobId });
    expect(anonymous.errors).toBeUndefined();
    expect(anonymous.data!.job).toEqual({ id: jobId, viewerHasApplied: false, viewerApplication: null });
  });

  it('application(id): the applicant, the employer and an admin see it; another seeker, another employer and anonymous get null', async () => {
    for (const viewer of [seeker, employer, admin]) {
      const response = await platform.gql(APPLICATION, { id: applicationId }, { token: viewer.accessToken });
      expect(response.errors).toBeUndefined();
      expect(response.data!.application).toMatchObject({
        id: applicationId,
        status: 'PENDING',
        isActive: true,
        job: { id: jobId, employer: { id: employer.id, username: employer.username }, company: { name: 'Hooli' } },
        applicant: { id: seeker.id, username: seeker.username },
        statusHistory: [{ status: 'PENDING', notes: null, changedBy: { id: seeker.id, username: seeker.username } }],
      });
    }
    for (const viewer of [otherSeeker, otherEmployer, undefined]) {
      const response = await platform.gql(APPLICATION, { id: applicationId }, viewer ? { token: viewer.accessToken } : {});
      expect(response.errors).toBeUndefined();
      expect(response.data!.application).toBeNull();
    }
    expect((await platform.gql(APPLICATION, { id: 'nope' }, { token: seeker.accessToken })).data!.application).toBeNull();
  });

  it('Job.applications: the employer side and admins; null for seekers, other employers and anonymous', async () => {
    for (const viewer of [employer, admin]) {
      const { job } = await platform.ok(JOB_APPLICATIONS, { jobId }, viewer);
      expect(job.applications).toEqual({
        totalCount: 1,
        edges: [{ node: { id: applicationId, status: 'PENDING', expectedSalary: 85000.5, applicant: { id: seeker.id, username: seeker.username } } }],
        pageInfo: { hasNextPage: false, endCursor: expect.any(String) },
      });
    }
    for (const viewer of [seeker, otherEmployer, undefined]) {
      const response = await platform.gql(JOB_APPLICATIONS, { jobId }, viewer ? { token: viewer.accessToken } : {});
      expect(response.errors).toBeUndefined();
      expect(response.data!.job.applications).toBeNull();
    }
  });

  it('User.applications: the owner only (and admins); null on anyone else', async () => {
    const { me } = await platform.ok(MY_APPLICATIONS, {}, seeker);
    expect(me.applications).toMatchObject({ totalCount: 1, edges: [{ node: { id: applicationId, status: 'PENDING', job: { id: jobId, title: 'Backend engineer' } } }] });
    const USER_APPLICATIONS = 'query($id: ID!) { user(id: $id) { id applications { totalCount } } }';
    expect((await platform.ok(USER_APPLICATIONS, { id: seeker.id }, admin)).user.applications).toEqual({ totalCount: 1 });
    for (const viewer of [otherSeeker, employer]) {
      expect((await platform.ok(USER_APPLICATIONS, { id: seeker.id }, viewer)).user.applications).toBeNull();
    }
  });

  it("the contract's Application, MyApplications and JobApplications run whole for the two sides", async () => {
    const application = (await okOp('Application', { id: applicationId }, employer)).application;
    expect(application).toMatchObject({
      id: applicationId,
      status: 'PENDING',
      coverLetter: 'I build backends.',
      expectedSalary: 85000.5,
      availabilityDate: '2099-01-15',
      isActive: true,
      job: { id: jobId, title: 'Backend engineer', employer: { id: employer.id }, company: { name: 'Hooli' } },
      applicant: { id: seeker.id, username: seeker.username, email: seeker.email },
      attachments: [],
      interviews: [],
      statusHistory: [{ status: 'PENDING', changedBy: { id: seeker.id } }],
    });
    expect((await okOp('Application', { id: applicationId }, seeker)).application).toEqual(application);
    expect((await op('Application', { id: applicationId }, otherEmployer)).data!.application).toBeNull();

    const mine = (await okOp('MyApplications', { first: 10 }, seeker)).me.applications;
    expect(mine).toMatchObject({
      totalCount: 1,
      edges: [{ node: { id: applicationId, status: 'PENDING', job: { id: jobId, title: 'Backend engineer', company: { name: 'Hooli' } }, interviews: [] } }],
    });
    expect((await okOp('MyApplications', { status: 'HIRED' }, seeker)).me.applications).toEqual({ totalCount: 0, edges: [], pageInfo: { hasNextPage: false, endCursor: null } });

    const listed = (await okOp('JobApplications', { jobId, first: 10 }, employer)).job;
    expect(listed).toMatchObject({
      id: jobId,
      title: 'Backend engineer',
      applications: {
        totalCount: 1,
        edges: [{ node: { id: applicationId, applicant: { id: seeker.id, email: seeker.email }, attachments: [] } }],
        pageInfo: { hasNextPage: false },
      },
    });
    expect((await okOp('JobApplications', { jobId }, otherEmployer)).job.applications).toBeNull();
  });

  it('MyPostedJobsApplications: the employer sees the applications of each posted job', async () => {
    const { me } = await okOp('MyPostedJobsApplications', { first: 10 }, employer);
    const posted = me.postedJobs.edges.find((edge: { node: { id: string } }) => edge.node.id === jobId).node;
    expect(posted.applications).toEqual({
      totalCount: 1,
      edges: [{ node: { id: applicationId, status: 'PENDING', createdAt: expect.any(String), applicant: { id: seeker.id, username: seeker.username } } }],
    });
  });

  it('pages newest first with keyset cursors, filters by status, and refuses a bad page', async () => {
    const job = await platform.postJob(employer, companyId, { title: 'Paged' });
    const applicants = await Promise.all([1, 2, 3, 4, 5].map(() => platform.applicant()));
    const ids: string[] = [];
    for (const applicant of applicants) ids.push(await platform.apply(applicant, job));
    const newestFirst = [...ids].reverse();

    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const { job: page }: { job: { applications: { totalCount: number; edges: { node: { id: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string } } } } =
        (await platform.ok(JOB_APPLICATIONS, { jobId: job, first: 2, after }, employer)) as never;
      expect(page.applications.totalCount).toBe(5);
      seen.push(...page.applications.edges.map((edge) => edge.node.id));
      if (!page.applications.pageInfo.hasNextPage) break;
      after = page.applications.pageInfo.endCursor;
    }
    expect(seen).toEqual(newestFirst);

    await platform.ok('mutation($id: ID!) { updateApplicationStatus(id: $id, status: REVIEWING) { id } }', { id: ids[1] }, employer);
    const reviewing = (await platform.ok(JOB_APPLICATIONS, { jobId: job, status: 'REVIEWING' }, employer)).job.applications;
    expect({ totalCount: reviewing.totalCount, ids: reviewing.edges.map((e: { node: { id: string } }) => e.node.id) }).toEqual({ totalCount: 1, ids: [ids[1]] });

    for (const variables of [{ first: 0 }, { first: 101 }, { after: 'garbage' }]) {
      const response = await platform.gql(JOB_APPLICATIONS, { jobId: job, ...variables }, { token: employer.accessToken });
      expect(errorCodeOf(response)).toBe('BAD_USER_INPUT');
    }
  });
});

describe('the hiring pipeline', () => {
  let pipelineJob: string;
  let application: string;
  let applicant: Account;

  beforeAll(async () => {
    pipelineJob = await platform.postJob(employer, companyId, { title: 'Pipeline' });
    applicant = await platform.applicant();
    application = await platform.apply(applicant, pipelineJob);
  });

  it('UpdateApplicationStatus: the employer moves it forward, skipping steps, with notes in the history and an event', async () => {
    const { updateApplicationStatus } = await okOp('UpdateApplicationStatus', { id: application, status: 'SHORTLISTED', notes: 'Strong CV' }, employer);
    expect(updateApplicationStatus).toEqual({
      id: application,
      status: 'SHORTLISTED',
      updatedAt: expect.any(String),
      statusHistory: [
        { status: 'PENDING', notes: null, createdAt: expect.any(String), changedBy: { id: applicant.id, username: applicant.username } },
        { status: 'SHORTLISTED', notes: 'Strong CV', createdAt: expect.any(String), changedBy: { id: employer.id, username: employer.username } },
      ],
    });
    const events = await waitFor(
      'the status change on JetStream',
      async () => (await platform.applications.published('applications.application.status_changed.v1')).filter((e) => e.aggregateId === application),
      (found) => found.length === 1,
    );
    expect(events[0]!.data).toEqual({
      applicationId: application,
      jobId: pipelineJob,
      applicantId: applicant.id,
      employerId: employer.id,
      companyId,
      companyMemberIds: [employer.id],
      fromStatus: 'pending',
      toStatus: 'shortlisted',
      isActive: true,
      actorKind: 'employer',
      changedBy: employer.id,
      reason: null,
    });
  });

  it('refuses going back (CONFLICT), withdrawing for the applicant (FORBIDDEN), and bad input (BAD_USER_INPUT), writing nothing', async () => {
    const outbox = await countOutbox();
    const back = await op('UpdateApplicationStatus', { id: application, status: 'REVIEWING' }, employer);
    expect(errorCodeOf(back)).toBe('CONFLICT');
    expect(back.errors![0]!.message).toMatch(/only moves forward/);
    expect(errorCodeOf(await op('UpdateApplicationStatus', { id: application, status: 'WITHDRAWN' }, employer))).toBe('FORBIDDEN');
    expect(errorCodeOf(await op('UpdateApplicationStatus', { id: application, status: 'SHORTLISTED' }, employer))).toBe('CONFLICT');
    const tooLong = await op('UpdateApplicationStatus', { id: application, status: 'OFFERED', notes: 'n'.repeat(10_001) }, employer);
    expect(errorCodeOf(tooLong)).toBe('BAD_USER_INPUT');
    expect(tooLong.errors![0]!.extensions!.fields).toEqual([{ field: 'notes', message: 'must be at most 10,000 characters' }]);
    const badId = await op('UpdateApplicationStatus', { id: 'x1', status: 'OFFERED' }, employer);
    expect(errorCodeOf(badId)).toBe('BAD_USER_INPUT');
    expect(badId.errors![0]!.extensions!.fields).toEqual([{ field: 'id', message: 'is not a valid id' }]);
    expect(await countOutbox()).toBe(outbox);
    expect((await platform.applications.db.query('SELECT status FROM applications WHERE id = $1', [application])).rows[0]!.status).toBe('shortlisted');
  });

  it('refuses everyone but the employer side: the applicant and an admin FORBIDDEN, others NOT_FOUND, anonymous UNAUTHENTICATED', async () => {
    expect(errorCodeOf(await op('UpdateApplicationStatus', { id: application, status: 'OFFERED' }, applicant))).toBe('FORBIDDEN');
    const byAdmin = await op('UpdateApplicationStatus', { id: application, status: 'OFFERED' }, admin);
    expect(errorCodeOf(byAdmin)).toBe('FORBIDDEN');
    expect(errorCodeOf(await op('UpdateApplicationStatus', { id: application, status: 'OFFERED' }, otherEmployer))).toBe('NOT_FOUND');
    expect(errorCodeOf(await op('UpdateApplicationStatus', { id: application, status: 'OFFERED' }, otherSeeker))).toBe('NOT_FOUND');
    expect(errorCodeOf(await op('UpdateApplicationStatus', { id: '999999', status: 'OFFERED' }, employer))).toBe('NOT_FOUND');
    expect(errorCodeOf(await op('UpdateApplicationStatus', { id: application, status: 'OFFERED' }))).toBe('UNAUTHENTICATED');
  });

  it('WithdrawApplication: the applicant only; final afterwards', async () => {
    expect(errorCodeOf(await op('WithdrawApplication', { id: application }, employer))).toBe('FORBIDDEN');
    expect(errorCodeOf(await op('WithdrawApplication', { id: application }, otherSeeker))).toBe('NOT_FOUND');
    expect(errorCodeOf(await op('WithdrawApplication', { id: application }, admin))).toBe('FORBIDDEN');
    expect(errorCodeOf(await op('WithdrawApplication', { id: application }))).toBe('UNAUTHENTICATED');
    expect(errorCodeOf(await op('WithdrawApplication', { id: 'bad' }, applicant))).toBe('BAD_USER_INPUT');

    expect((await okOp('WithdrawApplication', { id: application }, applicant)).withdrawApplication).toEqual({ id: application, status: 'WITHDRAWN', isActive: false });
    const again = await op('WithdrawApplication', { id: application }, applicant);
    expect(errorCodeOf(again)).toBe('CONFLICT');
    expect(errorCodeOf(await op('UpdateApplicationStatus', { id: application, status: 'HIRED' }, employer))).toBe('CONFLICT');
    const withdrawn = await waitFor(
      'the withdrawal on JetStream',
      async () =>
        (await platform.applications.published('applications.application.status_changed.v1')).filter((e) => e.aggregateId === application && e.data.toStatus === 'withdrawn'),
      (found) => found.length === 1,
    );
    expect(withdrawn[0]!.data).toMatchObject({ fromStatus: 'shortlisted', actorKind: 'applicant', changedBy: applicant.id, isActive: false, reason: null });
    // Withdrawn still counts as applied: one application per job and applicant.
    expect((await okOp('JobViewerState', { id: pipelineJob }, applicant)).job.viewerHasApplied).toBe(true);
  });
});

describe('when a job closes', () => {
  it('rejects its applications that are not final, as the platform, with a note and an event each', async () => {
    const job = await platform.postJob(employer, companyId, { title: 'Closing' });
    const [a, b, c] = await Promise.all([platform.applicant(), platform.applicant(), platform.applicant()]);
    const pending = await platform.apply(a, job);
    const reviewing = await platform.apply(b, job);
    const withdrawn = await platform.apply(c, job);
    await platform.ok('mutation($id: ID!) { updateApplicationStatus(id: $id, status: REVIEWING) { id } }', { id: reviewing }, employer);
    await platform.ok('mutation($id: ID!) { withdrawApplication(id: $id) { id } }', { id: withdrawn }, c);

    await platform.ok('mutation($id: ID!) { closeJob(id: $id) { id } }', { id: job }, employer);

    const events = await waitFor(
      'the rejections on JetStream',
      async () => (await platform.applications.published('applications.application.status_changed.v1')).filter((e) => e.data.jobId === job && e.data.reason === 'job_closed'),
      (found) => found.length === 2,
    );
    expect(events.map((e) => [e.aggregateId, e.data.fromStatus, e.data.toStatus, e.data.actorKind, e.data.changedBy]).sort()).toEqual(
      [
        [pending, 'pending', 'rejected', 'system', null],
        [reviewing, 'reviewing', 'rejected', 'system', null],
      ].sort(),
    );
    const seen = await platform.ok(APPLICATION, { id: pending }, a);
    expect(seen.application.status).toBe('REJECTED');
    expect(seen.application.isActive).toBe(false);
    expect(seen.application.statusHistory.at(-1)).toEqual({ status: 'REJECTED', notes: expect.stringMatching(/job was closed/), createdAt: expect.any(String), changedBy: null });
    // The job still resolves for the applicant after it closed.
    expect(seen.application.job).toMatchObject({ id: job, title: 'Closing' });
    expect((await platform.ok(APPLICATION, { id: withdrawn }, c)).application.status).toBe('WITHDRAWN');
  });

  it('rejects them when the job is deleted too, and the application keeps its job', async () => {
    const job = await platform.postJob(employer, companyId, { title: 'Deleted later' });
    const applicant = await platform.applicant();
    const application = await platform.apply(applicant, job);
    await platform.ok('mutation($id: ID!) { deleteJob(id: $id) }', { id: job }, employer);
    const seen = await waitFor(
      'the rejection after the deletion',
      async () => (await platform.ok(APPLICATION, { id: application }, applicant)).application,
      (found) => found.status === 'REJECTED',
    );
    expect(seen.job).toEqual({ id: job, title: 'Deleted later', employer: { id: employer.id, username: employer.username }, company: { name: 'Hooli' } });
    expect((await platform.applications.db.query('SELECT deleted_at IS NOT NULL AS deleted, is_active FROM job_replicas WHERE id = $1', [job])).rows).toEqual([
      { deleted: true, is_active: false },
    ]);
    const refused = await op('ApplyToJob', { input: { jobId: job } }, otherSeeker);
    expect(refused.errors![0]!.extensions!.fields).toEqual([{ field: 'input.jobId', message: 'is not an existing job' }]);
  });
});

describe('company members', () => {
  it('a member of the company sees and moves its applications while a member, and no longer once removed', async () => {
    const job = await platform.postJob(employer, companyId, { title: 'Team hire' });
    const applicant = await platform.applicant();
    const application = await platform.apply(applicant, job);
    const colleague = await platform.employer();
    await platform.ok('mutation($c: ID!, $u: ID!) { addCompanyMember(companyId: $c, userId: $u) { role } }', { c: companyId, u: colleague.id }, employer);
    const membership = (isMember: boolean) =>
      waitFor(
        'the membership change to reach the company members replica',
        async () =>
          (await platform.applications.db.query('SELECT is_member FROM company_member_replicas WHERE company_id = $1 AND user_id = $2', [companyId, colleague.id])).rows[0]
            ?.is_member,
        (value) => value === isMember,
      );
    await membership(true);

    expect((await platform.ok(JOB_APPLICATIONS, { jobId: job }, colleague)).job.applications.totalCount).toBe(1);
    const moved = await okOp('UpdateApplicationStatus', { id: application, status: 'REVIEWING' }, colleague);
    expect(moved.updateApplicationStatus.statusHistory.at(-1)).toMatchObject({ status: 'REVIEWING', changedBy: { id: colleague.id } });

    await platform.ok('mutation($c: ID!, $u: ID!) { removeCompanyMember(companyId: $c, userId: $u) }', { c: companyId, u: colleague.id }, employer);
    await membership(false);
    expect((await platform.ok(JOB_APPLICATIONS, { jobId: job }, colleague)).job.applications).toBeNull();
    expect((await platform.ok(APPLICATION, { id: application }, colleague)).application).toBeNull();
    expect(errorCodeOf(await op('UpdateApplicationStatus', { id: application, status: 'SHORTLISTED' }, colleague))).toBe('NOT_FOUND');
  });
});

describe('application counts', () => {
  it('follow inserts, status changes, moves and deletes made by any statement, several rows at once', async () => {
    const db = platform.applications.db;
    const [first, second] = [await platform.postJob(employer, companyId, { title: 'Counted' }), await platform.postJob(employer, companyId, { title: 'Counted too' })];
    const [a, b, c] = ['990000001', '990000002', '990000003'];
    const only = { jobs: [first, second], applicants: [a, b, c] };
    const insert = 'INSERT INTO applications (job_id, applicant_id, employer_id, status) SELECT $1::bigint, applicant, $2::bigint, $3 FROM unnest($4::bigint[]) AS applicant';
    await db.query(insert, [first, employer.id, 'pending', [a, b, c]]);
    await db.query(insert, [second, employer.id, 'reviewing', [a]]);
    await db.query("UPDATE applications SET status = 'rejected', is_active = false WHERE job_id = $1 AND applicant_id = ANY($2::bigint[])", [first, [a, b]]);
    await db.query('UPDATE applications SET updated_at = now() WHERE job_id = $1', [first]);
    await db.query('UPDATE applications SET job_id = $2 WHERE job_id = $1 AND applicant_id = $3', [first, second, c]);
    await db.query('DELETE FROM applications WHERE job_id = $1 AND applicant_id = $2', [first, a]);

    const { kept, counted } = await platform.applicationCounts(only);
    expect(kept).toEqual(counted);
    expect(kept).toEqual({
      jobs: [
        { owner: first, status: 'rejected', total: 1 },
        { owner: second, status: 'pending', total: 1 },
        { owner: second, status: 'reviewing', total: 1 },
      ].sort((x, y) => x.owner.localeCompare(y.owner)),
      applicants: [
        { owner: a, status: 'reviewing', total: 1 },
        { owner: b, status: 'rejected', total: 1 },
        { owner: c, status: 'pending', total: 1 },
      ],
    });
    // Job.applications' totalCount reads them.
    const TOTAL = 'query ($jobId: ID!, $status: ApplicationStatus) { job(id: $jobId) { applications(status: $status) { totalCount } } }';
    const totalOf = async (variables: Record<string, unknown>) => (await platform.ok(TOTAL, variables, employer)).job.applications.totalCount;
    expect(await totalOf({ jobId: second })).toBe(2);
    expect(await totalOf({ jobId: second, status: 'PENDING' })).toBe(1);
    expect(await totalOf({ jobId: first, status: 'PENDING' })).toBe(0);

    await db.query('DELETE FROM applications WHERE job_id = ANY($1::bigint[])', [[first, second]]);
    expect((await platform.applicationCounts(only)).kept).toEqual({ jobs: [], applicants: [] });
    expect(await totalOf({ jobId: second })).toBe(0);
  });

  it('agree with the rows after everything the tests above did through the platform', async () => {
    const { kept, counted } = await platform.applicationCounts();
    expect(counted.jobs.length).toBeGreaterThan(3);
    expect(kept).toEqual(counted);
  });
});
