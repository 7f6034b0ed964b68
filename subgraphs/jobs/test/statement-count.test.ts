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
  platform.jobs.statements.length = 0;
  const response = await platform.gql(query, variables, { token: employer.accessToken });
  expect(response.errors).toBeUndefined();
  return platform.jobs.statements.length;
}

it('Jobs(first: 50) with company, categories and skills costs as many statements as first: 2', async () => {
  const small = await statementsFor(JOBS, { first: 2 });
  const large = await statementsFor(JOBS, { first: 50 });
  expect(large).toBe(small);
  // The jobs page, its count, companies, category links, the category tree, skills with their links.
  expect(large).toBe(6);
});

it('Company.jobs over many companies is batched too', async () => {
  const statements = await statementsFor(COMPANIES, {});
  // Memberships, companies, the lateral page query, job rows, counts, skills with their links.
  expect(statements).toBe(6);
});
