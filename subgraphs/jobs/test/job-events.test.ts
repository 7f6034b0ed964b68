import pg from 'pg';
import { errorCodeOf } from '@jobplatform/testing';
import { startPlatformForTest, waitFor, type Account, type PlatformUnderTest } from './start-jobs.js';

// What the jobs service publishes: every change reaches the JOBS stream through the outbox and the
// relay, once, with the whole job or company; a refused change publishes nothing.

let platform: PlatformUnderTest;
let employer: Account;
let companyId: string;

const CREATE_JOB = 'mutation($input: CreateJobInput!) { createJob(input: $input) { id createdAt updatedAt } }';
const UPDATE_JOB = 'mutation($id: ID!, $input: UpdateJobInput!) { updateJob(id: $id, input: $input) { id } }';
const CLOSE_JOB = 'mutation($id: ID!) { closeJob(id: $id) { id } }';
const DELETE_JOB = 'mutation($id: ID!) { deleteJob(id: $id) }';

const ok = (query: string, variables: Record<string, unknown>, account: Account) => platform.ok(query, variables, account);

/** Waits until the relay has published everything in the outbox, then returns what JOBS holds. */
async function publishedOnceDrained() {
  const committed = (await platform.jobs.outbox()).length;
  return waitFor(
    'the relay to publish the outbox',
    () => platform.jobs.published(),
    (published) => published.length >= committed,
  );
}

beforeAll(async () => {
  platform = await startPlatformForTest();
  employer = await platform.employer();
  companyId = (await ok('mutation { createCompany(input: { name: "Initrode", size: SMALL }) { id } }', {}, employer)).createCompany.id;
});
afterAll(async () => {
  await platform.close();
});

it('publishes exactly one jobs.job.created.v1 for createJob through the gateway, with the whole job', async () => {
  const admin = await platform.admin();
  const category = (await ok('mutation { createJobCategory(input: { name: "Operations" }) { id } }', {}, admin)).createJobCategory.id;
  const created = (
    await ok(
      CREATE_JOB,
      {
        input: {
          companyId,
          title: 'Site reliability engineer',
          description: 'Keep it running.',
          requirements: 'Linux',
          responsibilities: 'On call',
          jobType: 'CONTRACT',
          experienceLevel: 'SENIOR',
          salaryMin: 70000,
          salaryMax: 95000.5,
          salaryCurrency: 'GBP',
          location: 'Leeds',
          isRemote: true,
          applicationDeadline: '2099-06-30',
          categoryIds: [category],
          skills: [{ name: 'Terraform', isRequired: true }, { name: 'Go' }],
        },
      },
      employer,
    )
  ).createJob;

  const events = await waitFor(
    'jobs.job.created.v1 on JetStream',
    async () => (await platform.jobs.published('jobs.job.created.v1')).filter((e) => e.data.job.id === created.id),
    (found) => found.length > 0,
  );
  // A moment more, in case a second copy were on its way.
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect((await platform.jobs.published('jobs.job.created.v1')).filter((e) => e.data.job.id === created.id)).toHaveLength(1);
  const [event] = events;
  expect(event).toMatchObject({ type: 'jobs.job.created.v1', source: 'jobs', aggregateId: created.id });
  expect(event!.data).toEqual({
    actorId: employer.id,
    job: {
      id: created.id,
      title: 'Site reliability engineer',
      description: 'Keep it running.',
      requirements: 'Linux',
      responsibilities: 'On call',
      companyId,
      companyName: 'Initrode',
      employerId: employer.id,
      jobType: 'contract',
      experienceLevel: 'senior',
      salaryMin: '70000.00',
      salaryMax: '95000.50',
      salaryCurrency: 'GBP',
      location: 'Leeds',
      isRemote: true,
      isActive: true,
      applicationDeadline: '2099-06-30',
      categories: [{ id: category, name: 'Operations', parentId: null }],
      skills: [
        { id: expect.any(String), name: 'Go', isRequired: false },
        { id: expect.any(String), name: 'Terraform', isRequired: true },
      ],
      createdAt: created.createdAt,
      updatedAt: created.updatedAt,
    },
  });
  // The envelope id is the msgID and the id of the outbox row it came from.
  expect((await platform.jobs.outbox('jobs.job.created.v1')).find((e) => e.data.job.id === created.id)?.id).toBe(event!.id);
});

it('publishes nothing for refused or failing mutations', async () => {
  const before = await publishedOnceDrained();
  const outsider = await platform.employer();
  const seeker = await platform.jobSeeker();
  const input = { companyId, title: 'Refused', description: 'Never posted' };
  expect(errorCodeOf(await platform.gql(CREATE_JOB, { input }, { token: outsider.accessToken }))).toBe('FORBIDDEN');
  expect(errorCodeOf(await platform.gql(CREATE_JOB, { input }, { token: seeker.accessToken }))).toBe('FORBIDDEN');
  expect(errorCodeOf(await platform.gql(CREATE_JOB, { input: { ...input, categoryIds: ['999999'] } }, { token: employer.accessToken }))).toBe('BAD_USER_INPUT');
  const job = (await ok(CREATE_JOB, { input: { companyId, title: 'Kept', description: 'Posted' } }, employer)).createJob.id;
  expect(errorCodeOf(await platform.gql(UPDATE_JOB, { id: job, input: { title: 'Hijacked' } }, { token: outsider.accessToken }))).toBe('FORBIDDEN');
  expect(errorCodeOf(await platform.gql(UPDATE_JOB, { id: job, input: { title: 'Changed', categoryIds: ['999999'] } }, { token: employer.accessToken }))).toBe('BAD_USER_INPUT');

  // The one accepted change is the only new message, once the relay caught up.
  const after = await publishedOnceDrained();
  expect(after.slice(before.length).map((e) => [e.type, 'job' in e.data ? e.data.job.title : undefined])).toEqual([['jobs.job.created.v1', 'Kept']]);
  expect(after.length).toBe((await platform.jobs.outbox()).length);
});

it('publishes update, close and delete of a job in order, and company events', async () => {
  const job = (await ok(CREATE_JOB, { input: { companyId, title: 'Lifecycle', description: 'Changes' } }, employer)).createJob.id;
  await ok(UPDATE_JOB, { id: job, input: { title: 'Lifecycle, renamed', isRemote: true } }, employer);
  await ok(CLOSE_JOB, { id: job }, employer);
  await ok(CLOSE_JOB, { id: job }, employer); // already closed: no second event
  await ok(DELETE_JOB, { id: job }, employer);
  await ok('mutation($id: ID!) { updateCompany(id: $id, input: { name: "Initrode Global" }) { id } }', { id: companyId }, employer);

  const published = await publishedOnceDrained();
  const ofJob = published.filter((e) => e.aggregateId === job && e.type.startsWith('jobs.job.'));
  expect(ofJob.map((e) => e.type)).toEqual(['jobs.job.created.v1', 'jobs.job.updated.v1', 'jobs.job.closed.v1', 'jobs.job.deleted.v1']);
  expect(ofJob[1]!.data).toMatchObject({ actorId: employer.id, job: { title: 'Lifecycle, renamed', isRemote: true, isActive: true } });
  expect(ofJob[2]!.data).toMatchObject({ actorId: employer.id, reason: 'closed', job: { isActive: false } });
  expect(ofJob[3]!.data).toMatchObject({ actorId: employer.id, job: { id: job, title: 'Lifecycle, renamed', isActive: false } });

  const ofCompany = published.flatMap((e) => (e.aggregateId === companyId && 'company' in e.data ? [{ type: e.type, data: e.data }] : []));
  expect(ofCompany.map((e) => [e.type, e.data.company.name])).toEqual([
    ['jobs.company.created.v1', 'Initrode'],
    ['jobs.company.updated.v1', 'Initrode Global'],
  ]);
  expect(ofCompany[0]!.data).toEqual({
    actorId: employer.id,
    company: expect.objectContaining({ id: companyId, size: 'small', isVerified: false, description: null, createdAt: expect.any(String) }),
  });
});

describe("a transaction's connection runs one statement at a time", () => {
  /** Counts client.query() calls made on a pg client that is still running an earlier one. */
  function watchOverlaps() {
    const original = pg.Client.prototype.query;
    const running = new WeakMap<object, number>();
    let overlaps = 0;
    pg.Client.prototype.query = function (this: object, ...args: unknown[]) {
      const inFlight = running.get(this) ?? 0;
      if (inFlight > 0) overlaps += 1;
      running.set(this, inFlight + 1);
      const done = () => running.set(this, (running.get(this) ?? 1) - 1);
      const result = (original as (...a: unknown[]) => unknown).apply(this, args);
      if (result && typeof (result as Promise<unknown>).then === 'function') (result as Promise<unknown>).then(done, done);
      else done();
      return result;
    } as typeof original;
    return { overlaps: () => overlaps, restore: () => void (pg.Client.prototype.query = original) };
  }

  it('when a change loads the job it publishes (no pg "already executing a query")', async () => {
    const watch = watchOverlaps();
    try {
      // The detector sees what Prisma does with sibling relations inside a transaction.
      await platform.jobs.service.db.$transaction((tx) => tx.job.findFirst({ include: { company: true, categories: true, skills: true } }));
      expect(watch.overlaps()).toBeGreaterThan(0);
      const before = watch.overlaps();

      const job = (await ok(CREATE_JOB, { input: { companyId, title: 'One at a time', description: 'x', categoryIds: [], skills: [{ name: 'SQL' }] } }, employer)).createJob.id;
      await ok(UPDATE_JOB, { id: job, input: { title: 'Still one at a time' } }, employer);
      await ok(CLOSE_JOB, { id: job }, employer);
      await ok(DELETE_JOB, { id: job }, employer);
      expect(watch.overlaps()).toBe(before);
    } finally {
      watch.restore();
    }
  });
});

it('reports its NATS connection on /metrics and stays ready without depending on it', async () => {
  const base = platform.jobs.service.url.replace(/\/graphql$/, '');
  const metrics = await (await fetch(`${base}/metrics`)).text();
  expect(metrics).toMatch(/^event_backbone_connected\{service="jobs"\} 1$/m);
  expect((await fetch(`${base}/readyz`)).status).toBe(200);
});
