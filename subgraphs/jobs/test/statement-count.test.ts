import { startPlatformForTest, type Account, type PlatformUnderTest } from './start-jobs.js';

// Jobs(first: N) with company, employer, categories and skills must cost the same number of SQL
// statements whatever N is: every list field and entity reference is batched per request.

let platform: PlatformUnderTest;
let employer: Account;

const JOBS = /* GraphQL */ `
  query Jobs($first: Int) {
    jobs(first: $first) {
      totalCount
      edges {
        cursor
        node {
          id
          title
          company {
            id
            name
          }
          employer {
            id
            username
          }
          categories {
            id
            name
            parent {
              id
              name
            }
          }
          skills {
            isRequired
            skill {
              id
              name
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
`;

const COMPANIES = /* GraphQL */ `
  query {
    myCompanies {
      id
      name
      jobs(first: 5) {
        totalCount
        edges {
          node {
            id
            skills {
              skill {
                name
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
  employer = await platform.employer();
  await platform.jobs.replicate(employer, { userType: 'employer', firstName: 'Lin', lastName: 'Chen' });
  const admin = await platform.admin();
  // Data through the service's own rules, without HTTP: 60 jobs over 6 companies.
  const domain = platform.jobs.service.domain;
  {
    const viewer = { userId: employer.id, role: 'employer' as const, tokenId: 't', sessionId: undefined };
    const adminViewer = { userId: admin.id, role: 'admin' as const, tokenId: 't', sessionId: undefined };
    const root = await domain.categories.create(adminViewer, { name: 'Root' });
    const leaves = await Promise.all([1, 2, 3].map((i) => domain.categories.create(adminViewer, { name: `Leaf ${i}`, parentId: root.id.toString() })));
    for (let c = 0; c < 6; c += 1) {
      const company = await domain.companies.create(viewer, { name: `Company ${c}` });
      for (let j = 0; j < 10; j += 1) {
        await domain.postings.create(viewer, {
          companyId: company.id.toString(),
          title: `Job ${c}-${j}`,
          description: 'Work',
          categoryIds: [leaves[j % 3]!.id.toString(), root.id.toString()],
          skills: [{ name: `Skill ${j}` }, { name: `Skill ${(j + 1) % 10}`, isRequired: true }],
        });
      }
    }
  }
});
afterAll(async () => {
  await platform.close();
});

async function statementsFor(query: string, variables: Record<string, unknown>): Promise<number> {
  // The setup's events may still be on their way to a consumer of jobs, whose statements would count.
  await platform.settled();
  platform.jobs.statements.length = 0;
  platform.jobs.leanStatements.length = 0;
  const response = await platform.gql(query, variables, { token: employer.accessToken });
  expect(response.errors).toBeUndefined();
  return platform.jobs.statements.length;
}

it('Jobs(first: 50) with company, categories and skills costs as many statements as first: 2', async () => {
  const small = await statementsFor(JOBS, { first: 2 });
  const large = await statementsFor(JOBS, { first: 50 });
  expect(large).toBe(small);
  // The jobs page, its count, companies, category links, the category tree, skills with their
  // links, the employers' handles from the users replica.
  expect(large).toBe(7);
  // Every one over node-postgres, not Prisma's client.
  expect(platform.jobs.leanStatements).toHaveLength(large);
  expect(platform.jobs.leanStatements.map((text) => /FROM (\w+)/.exec(text)![1]).sort()).toEqual([
    'companies',
    'job_categories',
    'job_categories_jobs',
    'job_skills_jobs',
    'jobs',
    'jobs',
    'user_replicas',
  ]);
});

it('Jobs without totalCount does not count the jobs', async () => {
  const statements = await statementsFor(JOBS.replace('totalCount', ''), { first: 5 });
  expect(statements).toBe(6);
  expect(platform.jobs.leanStatements).toHaveLength(statements);
  expect(platform.jobs.statements.filter((text) => /count\(/i.test(text))).toEqual([]);
});

it("JobDetail reads the job with its company, categories with their parents, skills and employer's handle and names in one statement over node-postgres", async () => {
  const page = await platform.gql(JOBS, { first: 1 }, { token: employer.accessToken });
  const id = page.data!.jobs.edges[0].node.id;
  const JOB_DETAIL = `query ($id: ID!) { job(id: $id) {
    id title salaryMin company { id name } employer { id username firstName lastName } categories { id name parent { id name } } skills { isRequired skill { id name } } } }`;
  const statements = await statementsFor(JOB_DETAIL, { id });
  expect(statements).toBe(1);
  expect(platform.jobs.leanStatements).toHaveLength(1);
  expect(platform.jobs.leanStatements[0]).toMatch(/FROM jobs j WHERE/);
  // Only what was selected: without the parts, the job's row alone.
  await statementsFor(`query ($id: ID!) { job(id: $id) { id title } }`, { id });
  expect(platform.jobs.leanStatements).toHaveLength(1);
  expect(platform.jobs.leanStatements[0]).not.toMatch(/companies|job_categories|job_skills|user_replicas/);
});

it("a job's page read in one statement shows what the list's loaders show for the same job", async () => {
  const FIELDS = `id title description requirements responsibilities jobType experienceLevel salaryMin salaryMax salaryCurrency location
    isRemote isActive applicationDeadline createdAt updatedAt
    company { id name description website logo industry size foundedYear location isVerified createdAt updatedAt }
    categories { id name description createdAt children { id } parent { id name description createdAt parent { id } } }
    skills { isRequired skill { id name } }
    employer { id username firstName lastName }`;
  const listed = await platform.gql(`query { jobs(first: 3) { edges { node { ${FIELDS} } } } }`, {}, { token: employer.accessToken });
  expect(listed.errors).toBeUndefined();
  const nodes = listed.data!.jobs.edges.map((edge: { node: { id: string } }) => edge.node);
  expect(nodes).toHaveLength(3);
  for (const node of nodes) {
    platform.jobs.leanStatements.length = 0;
    const alone = await platform.gql(`query ($id: ID!) { job(id: $id) { ${FIELDS} } }`, { id: node.id }, { token: employer.accessToken });
    expect(alone.errors).toBeUndefined();
    expect(alone.data!.job).toEqual(node);
    // The job's statement, and the tree for the categories' children (which it does not read).
    expect(platform.jobs.leanStatements).toHaveLength(2);
  }
  // Two categories each, one with a parent, and two skills, the required one first.
  expect(nodes[0].categories.map((category: { parent: unknown }) => category.parent === null)).toEqual([false, true]);
  expect(nodes[0].skills.map((skill: { isRequired: boolean }) => skill.isRequired)).toEqual([true, false]);
  expect(nodes[0].employer).toEqual({ id: employer.id, username: employer.username, firstName: 'Lin', lastName: 'Chen' });
});

it('Company.jobs over many companies is batched too', async () => {
  const statements = await statementsFor(COMPANIES, {});
  // Memberships, companies, the lateral page query, job rows, counts, skills with their links.
  expect(statements).toBe(6);
});

it("reads jobs, companies, categories and skills over node-postgres as Prisma's client reads them", async () => {
  const domain = platform.jobs.service.domain;
  const viewer = { userId: employer.id, role: 'employer' as const, tokenId: 't', sessionId: undefined };
  const company = await domain.companies.create(viewer, { name: 'Typed Ltd', website: 'https://typed.example', foundedYear: 2001 });
  const job = await domain.postings.create(viewer, {
    companyId: company.id.toString(),
    title: 'Every column',
    description: 'Work',
    requirements: 'Care',
    salaryMin: 1234.5,
    salaryMax: 99999.99,
    salaryCurrency: 'EUR',
    location: 'Lisbon',
    isRemote: true,
    applicationDeadline: '2099-12-31',
    skills: [{ name: 'Typing', isRequired: true }],
  });
  const reads = domain.reads;
  const db = domain.db;
  const [leanJob] = await reads.jobsById([job.id]);
  expect(leanJob).toEqual(await db.job.findUnique({ where: { id: job.id } }));
  expect(leanJob!.salaryMin!.toFixed(2)).toBe('1234.50');
  expect(await reads.companiesById([company.id])).toEqual([await db.company.findUnique({ where: { id: company.id } })]);
  expect(await reads.allCategories()).toEqual(await db.jobCategory.findMany({ orderBy: { name: 'asc' } }));
  const skills = await reads.skillsOfJobs([job.id]);
  const links = await db.jobSkillJob.findMany({ where: { jobId: job.id }, include: { skill: true } });
  expect(skills).toEqual(links.map((link) => ({ jobId: job.id, isRequired: link.isRequired, skill: link.skill })));
});
