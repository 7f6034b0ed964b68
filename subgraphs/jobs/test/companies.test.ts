import { errorCodeOf } from '@jobplatform/testing';
import { startPlatformForTest, waitFor, type Account, type PlatformUnderTest } from './start-jobs.js';

let platform: PlatformUnderTest;
let owner: Account;
let outsider: Account;
let seeker: Account;
let admin: Account;

const CREATE = 'mutation($input: CompanyInput!) { createCompany(input: $input) { id name description website logo industry size foundedYear location isVerified viewerIsMember } }';
const UPDATE = 'mutation($id: ID!, $input: CompanyInput!) { updateCompany(id: $id, input: $input) { id name description website industry size location } }';
const VERIFY = 'mutation($id: ID!) { verifyCompany(id: $id) { id isVerified } }';
const ADD = 'mutation($c: ID!, $u: ID!, $r: CompanyMemberRole) { addCompanyMember(companyId: $c, userId: $u, role: $r) { role user { id username } } }';
const REMOVE = 'mutation($c: ID!, $u: ID!) { removeCompanyMember(companyId: $c, userId: $u) }';
const MEMBERS = 'query($id: ID!) { company(id: $id) { members { role user { id } } viewerIsMember } }';

const as = (account: Account | undefined) => (account ? { token: account.accessToken } : {});

async function createCompany(account: Account, input: Record<string, unknown> = { name: 'Initech' }): Promise<string> {
  const response = await platform.gql(CREATE, { input }, as(account));
  if (response.errors) throw new Error(JSON.stringify(response.errors));
  return response.data!.createCompany.id;
}

beforeAll(async () => {
  platform = await startPlatformForTest();
  [owner, outsider, seeker, admin] = await Promise.all([platform.employer(), platform.employer(), platform.jobSeeker(), platform.admin()]);
});
afterAll(async () => {
  await platform.close();
});

describe('createCompany', () => {
  it('creates the company, makes the creator its owner and records company.created', async () => {
    const input = {
      name: '  Umbrella  ',
      description: 'Pharma',
      website: 'https://umbrella.example',
      logo: 'https://umbrella.example/logo.png',
      industry: 'Health',
      size: 'LARGE',
      foundedYear: 1968,
      location: 'Raccoon City',
    };
    const response = await platform.gql(CREATE, { input }, as(owner));
    expect(response.errors).toBeUndefined();
    const company = response.data!.createCompany;
    expect(company).toMatchObject({ ...input, name: 'Umbrella', isVerified: false, viewerIsMember: true });
    const members = await platform.jobs.db.query('SELECT user_id::text, role FROM company_members WHERE company_id = $1', [company.id]);
    expect(members.rows).toEqual([{ user_id: owner.id, role: 'owner' }]);
    const events = (await platform.jobs.outbox('jobs.company.created.v1')).filter((e) => e.data.company.id === company.id);
    expect(events.map((e) => e.data)).toEqual([{ actorId: owner.id, company: expect.objectContaining({ name: 'Umbrella', size: 'large', isVerified: false }) }]);
  });

  it('refuses job seekers and signed-out callers', async () => {
    expect(errorCodeOf(await platform.gql(CREATE, { input: { name: 'Nope' } }, as(seeker)))).toBe('FORBIDDEN');
    expect(errorCodeOf(await platform.gql(CREATE, { input: { name: 'Nope' } }))).toBe('UNAUTHENTICATED');
    expect((await platform.jobs.db.query("SELECT count(*)::int AS n FROM companies WHERE name = 'Nope'")).rows[0]!.n).toBe(0);
  });

  it.each([
    ['an empty name', { name: ' ' }, 'input.name'],
    ['a long name', { name: 'x'.repeat(256) }, 'input.name'],
    ['a non-http website', { name: 'A', website: 'javascript:alert(1)' }, 'input.website'],
    ['a malformed logo URL', { name: 'A', logo: 'not a url' }, 'input.logo'],
    ['a future founding year', { name: 'A', foundedYear: new Date().getUTCFullYear() + 1 }, 'input.foundedYear'],
    ['an ancient founding year', { name: 'A', foundedYear: 1000 }, 'input.foundedYear'],
    ['a long industry', { name: 'A', industry: 'x'.repeat(101) }, 'input.industry'],
  ])('refuses %s with BAD_USER_INPUT naming the field', async (_label, input, field) => {
    const before = (await platform.jobs.db.query('SELECT count(*)::int AS n FROM companies')).rows[0]!.n;
    const response = await platform.gql(CREATE, { input }, as(owner));
    expect(errorCodeOf(response)).toBe('BAD_USER_INPUT');
    expect(response.errors![0]!.extensions!.fields).toEqual([expect.objectContaining({ field })]);
    expect((await platform.jobs.db.query('SELECT count(*)::int AS n FROM companies')).rows[0]!.n).toBe(before);
  });
});

describe('updateCompany', () => {
  it('lets a member change the company: left-out fields stay, null clears', async () => {
    const id = await createCompany(owner, { name: 'Hooli', description: 'Search', industry: 'Tech', location: 'Palo Alto' });
    const response = await platform.gql(UPDATE, { id, input: { name: 'Hooli XYZ', description: null, size: 'STARTUP' } }, as(owner));
    expect(response.data!.updateCompany).toEqual({ id, name: 'Hooli XYZ', description: null, website: null, industry: 'Tech', size: 'STARTUP', location: 'Palo Alto' });
    expect((await platform.jobs.outbox('jobs.company.updated.v1')).filter((e) => e.data.company.id === id)).toHaveLength(1);
  });

  it('refuses a non-member employer and a job seeker, and lets an admin', async () => {
    const id = await createCompany(owner, { name: 'Vandelay' });
    expect(errorCodeOf(await platform.gql(UPDATE, { id, input: { name: 'Stolen' } }, as(outsider)))).toBe('FORBIDDEN');
    expect(errorCodeOf(await platform.gql(UPDATE, { id, input: { name: 'Stolen' } }, as(seeker)))).toBe('FORBIDDEN');
    expect(errorCodeOf(await platform.gql(UPDATE, { id, input: { name: 'Stolen' } }))).toBe('UNAUTHENTICATED');
    expect((await platform.jobs.db.query('SELECT name FROM companies WHERE id = $1', [id])).rows[0]!.name).toBe('Vandelay');
    expect((await platform.gql(UPDATE, { id, input: { name: 'Vandelay Industries' } }, as(admin))).data!.updateCompany.name).toBe('Vandelay Industries');
  });

  it('answers NOT_FOUND for an unknown company', async () => {
    expect(errorCodeOf(await platform.gql(UPDATE, { id: '999999', input: { name: 'X' } }, as(admin)))).toBe('NOT_FOUND');
  });
});

describe('verifyCompany', () => {
  it('is for admins only', async () => {
    const id = await createCompany(owner, { name: 'Wonka' });
    for (const [account, code] of [
      [owner, 'FORBIDDEN'],
      [seeker, 'FORBIDDEN'],
      [undefined, 'UNAUTHENTICATED'],
    ] as const) {
      expect(errorCodeOf(await platform.gql(VERIFY, { id }, as(account)))).toBe(code);
    }
    expect((await platform.gql(VERIFY, { id }, as(admin))).data!.verifyCompany).toEqual({ id, isVerified: true });
    expect((await platform.jobs.outbox('jobs.company.updated.v1')).find((e) => e.data.company.id === id && e.data.company.isVerified)).toBeDefined();
  });
});

describe('company members', () => {
  it('lets owners add members who may then post jobs, and shows the member list to members and admins only', async () => {
    const id = await createCompany(owner, { name: 'Dunder Mifflin' });
    const colleague = await platform.employer();
    const added = await platform.gql(ADD, { c: id, u: colleague.id }, as(owner));
    expect(added.data!.addCompanyMember).toMatchObject({ role: 'MEMBER', user: { id: colleague.id } });
    expect(added.data!.addCompanyMember.user.username).toMatch(/^user_/);

    const job = await platform.gql(
      'mutation($input: CreateJobInput!) { createJob(input: $input) { id employer { id } } }',
      { input: { companyId: id, title: 'Sales', description: 'Sell paper' } },
      as(colleague),
    );
    expect(job.data!.createJob.employer.id).toBe(colleague.id);

    const asMember = await platform.gql(MEMBERS, { id }, as(colleague));
    expect(asMember.data!.company.members).toEqual([
      { role: 'OWNER', user: { id: owner.id } },
      { role: 'MEMBER', user: { id: colleague.id } },
    ]);
    expect(asMember.data!.company.viewerIsMember).toBe(true);
    const asOutsider = await platform.gql(MEMBERS, { id }, as(outsider));
    expect(asOutsider.data!.company).toEqual({ members: null, viewerIsMember: false });
    expect((await platform.gql(MEMBERS, { id }, as(admin))).data!.company.members).toHaveLength(2);
  });

  it('refuses members and outsiders who are not owners', async () => {
    const id = await createCompany(owner, { name: 'Sterling Cooper' });
    const member = await platform.employer();
    await platform.gql(ADD, { c: id, u: member.id }, as(owner));
    expect(errorCodeOf(await platform.gql(ADD, { c: id, u: outsider.id }, as(member)))).toBe('FORBIDDEN');
    expect(errorCodeOf(await platform.gql(ADD, { c: id, u: outsider.id }, as(outsider)))).toBe('FORBIDDEN');
    expect(errorCodeOf(await platform.gql(REMOVE, { c: id, u: owner.id }, as(member)))).toBe('FORBIDDEN');
    expect(errorCodeOf(await platform.gql(ADD, { c: id, u: 'abc' }, as(owner)))).toBe('BAD_USER_INPUT');
  });

  it('always keeps one owner, and a removed member can no longer post', async () => {
    const id = await createCompany(owner, { name: 'Pied Piper' });
    const member = await platform.employer();
    await platform.gql(ADD, { c: id, u: member.id }, as(owner));
    expect(errorCodeOf(await platform.gql(REMOVE, { c: id, u: owner.id }, as(owner)))).toBe('CONFLICT');
    expect(errorCodeOf(await platform.gql(ADD, { c: id, u: owner.id, r: 'MEMBER' }, as(owner)))).toBe('CONFLICT');
    expect((await platform.gql(REMOVE, { c: id, u: member.id }, as(owner))).data!.removeCompanyMember).toBe(true);
    const job = await platform.gql('mutation($input: CreateJobInput!) { createJob(input: $input) { id } }', { input: { companyId: id, title: 'x', description: 'y' } }, as(member));
    expect(errorCodeOf(job)).toBe('FORBIDDEN');
    // Promote a second owner, then the first may leave.
    await platform.gql(ADD, { c: id, u: member.id, r: 'OWNER' }, as(owner));
    expect((await platform.gql(REMOVE, { c: id, u: owner.id }, as(owner))).data!.removeCompanyMember).toBe(true);
    expect((await platform.gql('{ myCompanies { id } }', {}, as(member))).data!.myCompanies).toEqual([{ id }]);
  });
});

describe('membership events', () => {
  /** The membership events of one company in outbox order, as [subject, data]. */
  const membershipEvents = async (companyId: string) =>
    (await platform.jobs.outbox()).filter((e) => e.type.startsWith('jobs.company.member_') && e.aggregateId === companyId).map((e) => [e.type, e.data]);

  it('records the creator as owner right after company.created, in the same transaction', async () => {
    const id = await createCompany(owner, { name: 'Globex' });
    const ofCompany = (await platform.jobs.outbox()).filter((e) => e.aggregateId === id);
    expect(ofCompany.map((e) => e.type)).toEqual(['jobs.company.created.v1', 'jobs.company.member_added.v1']);
    expect(ofCompany[1]!.data).toEqual({ companyId: id, userId: owner.id, role: 'owner', actorId: owner.id });
  });

  it('records every add, role change and removal, and nothing for a change that changes nothing or is refused', async () => {
    const id = await createCompany(owner, { name: 'Soylent' });
    const member = await platform.employer();
    const leaver = await platform.employer();
    await platform.ok(ADD, { c: id, u: member.id }, owner);
    await platform.ok(ADD, { c: id, u: member.id, r: 'MEMBER' }, owner); // already a member: nothing changes
    await platform.ok(ADD, { c: id, u: leaver.id, r: 'MEMBER' }, admin);
    await platform.ok(ADD, { c: id, u: member.id, r: 'OWNER' }, owner);
    await platform.ok(ADD, { c: id, u: owner.id, r: 'MEMBER' }, member);
    expect(errorCodeOf(await platform.gql(ADD, { c: id, u: outsider.id }, as(leaver)))).toBe('FORBIDDEN');
    expect(errorCodeOf(await platform.gql(REMOVE, { c: id, u: member.id }, as(member)))).toBe('CONFLICT'); // the last owner stays
    expect((await platform.gql(REMOVE, { c: id, u: outsider.id }, as(member))).data!.removeCompanyMember).toBe(false);
    await platform.ok(REMOVE, { c: id, u: leaver.id }, leaver);
    await platform.ok(REMOVE, { c: id, u: owner.id }, member);

    expect(await membershipEvents(id)).toEqual([
      ['jobs.company.member_added.v1', { companyId: id, userId: owner.id, role: 'owner', actorId: owner.id }],
      ['jobs.company.member_added.v1', { companyId: id, userId: member.id, role: 'member', actorId: owner.id }],
      ['jobs.company.member_added.v1', { companyId: id, userId: leaver.id, role: 'member', actorId: admin.id }],
      ['jobs.company.member_updated.v1', { companyId: id, userId: member.id, role: 'owner', previousRole: 'member', actorId: owner.id }],
      ['jobs.company.member_updated.v1', { companyId: id, userId: owner.id, role: 'member', previousRole: 'owner', actorId: member.id }],
      ['jobs.company.member_removed.v1', { companyId: id, userId: leaver.id, role: 'member', actorId: leaver.id, reason: 'left' }],
      ['jobs.company.member_removed.v1', { companyId: id, userId: owner.id, role: 'member', actorId: member.id, reason: 'removed' }],
    ]);
    const members = await platform.jobs.db.query('SELECT user_id::text, role FROM company_members WHERE company_id = $1', [id]);
    expect(members.rows).toEqual([{ user_id: member.id, role: 'owner' }]);
  });

  it('reach JetStream once each, in the order they were committed, under the company', async () => {
    const id = await createCompany(owner, { name: 'Tyrell' });
    const member = await platform.employer();
    await platform.ok(ADD, { c: id, u: member.id }, owner);
    await platform.ok(REMOVE, { c: id, u: member.id }, owner);
    const committed = (await platform.jobs.outbox()).filter((e) => e.aggregateId === id);
    const published = await waitFor(
      "the company's events on JetStream",
      async () => (await platform.jobs.published()).filter((e) => e.aggregateId === id),
      (found) => found.length >= committed.length,
    );
    expect(published.map((e) => e.id)).toEqual(committed.map((e) => e.id));
    expect(published.map((e) => e.type)).toEqual(['jobs.company.created.v1', 'jobs.company.member_added.v1', 'jobs.company.member_added.v1', 'jobs.company.member_removed.v1']);
  });
});
