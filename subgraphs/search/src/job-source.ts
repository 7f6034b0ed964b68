import type { CompanySnapshot, JobSnapshot } from './job-index.js';
import type { JobSource } from './reindex.js';

/** The open jobs as jobs serves them through the graph, with what a job event carries. */
const OPEN_JOBS = /* GraphQL */ `
  query ReindexJobs($after: String) {
    jobs(first: 50, after: $after) {
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          title
          description
          requirements
          responsibilities
          jobType
          experienceLevel
          salaryMin
          salaryMax
          salaryCurrency
          location
          isRemote
          isActive
          applicationDeadline
          createdAt
          updatedAt
          employer {
            id
          }
          categories {
            id
            name
            parent {
              id
            }
          }
          skills {
            isRequired
            skill {
              id
              name
            }
          }
          company {
            id
            name
            description
            website
            logo
            industry
            size
            foundedYear
            location
            isVerified
            createdAt
            updatedAt
          }
        }
      }
    }
  }
`;

type GraphJob = {
  id: string;
  title: string;
  description: string;
  requirements: string | null;
  responsibilities: string | null;
  jobType: string;
  experienceLevel: string;
  salaryMin: number | null;
  salaryMax: number | null;
  salaryCurrency: string;
  location: string | null;
  isRemote: boolean;
  isActive: boolean;
  applicationDeadline: string | null;
  createdAt: string;
  updatedAt: string;
  employer: { id: string };
  categories: { id: string; name: string; parent: { id: string } | null }[];
  skills: { isRequired: boolean; skill: { id: string; name: string } }[];
  company: Omit<CompanySnapshot, 'size'> & { size: string | null };
};

const amount = (value: number | null) => (value === null ? null : value.toFixed(2));

function toSnapshots(node: GraphJob): { job: JobSnapshot; company: CompanySnapshot } {
  const company = { ...node.company, size: node.company.size?.toLowerCase() ?? null } as CompanySnapshot;
  return {
    company,
    job: {
      id: node.id,
      title: node.title,
      description: node.description,
      requirements: node.requirements,
      responsibilities: node.responsibilities,
      companyId: company.id,
      companyName: company.name,
      employerId: node.employer.id,
      jobType: node.jobType.toLowerCase() as JobSnapshot['jobType'],
      experienceLevel: node.experienceLevel.toLowerCase() as JobSnapshot['experienceLevel'],
      salaryMin: amount(node.salaryMin),
      salaryMax: amount(node.salaryMax),
      salaryCurrency: node.salaryCurrency,
      location: node.location,
      isRemote: node.isRemote,
      isActive: node.isActive,
      applicationDeadline: node.applicationDeadline,
      categories: node.categories.map((category) => ({ id: category.id, name: category.name, parentId: category.parent?.id ?? null })),
      skills: node.skills.map(({ isRequired, skill }) => ({ id: skill.id, name: skill.name, isRequired })),
      createdAt: node.createdAt,
      updatedAt: node.updatedAt,
    },
  };
}

/**
 * Every open job, page by page, read through the graph (`jobs`, open jobs only: closed and deleted
 * ones are in no result). search reads no other service's database. Companies come with their jobs:
 * a company without open jobs is left to its next event.
 */
export async function* readOpenJobs(graphqlUrl: string): JobSource {
  let after: string | null = null;
  for (;;) {
    const response = await fetch(graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: OPEN_JOBS, variables: { after } }) });
    const body = (await response.json()) as {
      data?: { jobs: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { node: GraphJob }[] } };
      errors?: { message: string }[];
    };
    if (!body.data) throw new Error(`${graphqlUrl} refused the jobs query: ${body.errors?.map((error) => error.message).join('; ') ?? response.status}`);
    yield body.data.jobs.edges.map((edge) => toSnapshots(edge.node));
    if (!body.data.jobs.pageInfo.hasNextPage) return;
    after = body.data.jobs.pageInfo.endCursor;
  }
}
