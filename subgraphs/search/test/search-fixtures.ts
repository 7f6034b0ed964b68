import type { EventEnvelope, EventInput } from '@jobplatform/events';
import { publishEvent, startSubgraphForTest, waitFor, type SubgraphUnderTest } from '@jobplatform/testing';
import type { SearchDb } from '../src/db.js';
import { searchSubgraph, type SearchDomain } from '../src/server.js';

export type JobSnapshot = EventInput<'jobs.job.created.v1'>['job'];
export type CompanySnapshot = EventInput<'jobs.company.created.v1'>['company'];

let nextId = 1000;
const newId = () => String((nextId += 1));

/** A job as jobs' events carry it; open, full time, mid level, no salary unless given. */
export function jobSnapshot(overrides: Partial<JobSnapshot> = {}): JobSnapshot {
  const at = new Date().toISOString();
  return {
    id: newId(),
    title: 'Engineer',
    description: 'Builds things.',
    requirements: null,
    responsibilities: null,
    companyId: '1',
    companyName: 'Acme',
    employerId: '1',
    jobType: 'full_time',
    experienceLevel: 'mid',
    salaryMin: null,
    salaryMax: null,
    salaryCurrency: 'EUR',
    location: null,
    isRemote: false,
    isActive: true,
    applicationDeadline: null,
    categories: [],
    skills: [],
    createdAt: at,
    updatedAt: at,
    ...overrides,
  };
}

export function companySnapshot(overrides: Partial<CompanySnapshot> = {}): CompanySnapshot {
  const at = new Date().toISOString();
  return {
    id: newId(),
    name: 'Acme',
    description: null,
    website: null,
    logo: null,
    industry: null,
    size: null,
    foundedYear: null,
    location: null,
    isVerified: false,
    createdAt: at,
    updatedAt: at,
    ...overrides,
  };
}

export type SearchUnderTest = SubgraphUnderTest<SearchDb, SearchDomain> & {
  /** Publishes a jobs event as jobs' relay would, waits until search has applied it, and returns it. */
  fromJobs<S extends 'jobs.job.created.v1' | 'jobs.job.updated.v1' | 'jobs.job.closed.v1' | 'jobs.job.deleted.v1' | 'jobs.company.created.v1' | 'jobs.company.updated.v1'>(
    subject: S,
    data: EventInput<S>,
    occurredAt?: Date,
  ): Promise<EventEnvelope<S>>;
  /** A page of searchJobs straight to the subgraph, as `user` (a user id) or anonymous; fails on errors. */
  searchJobs(variables: Record<string, unknown>, user?: string): Promise<any>;
};

/**
 * search alone over its own database and nats-server. Tokens are "user-<id>": the test verifier
 * turns them into that job seeker, so tests act as any user without the identity service. `env`:
 * settings beyond the test defaults (e.g. SEARCH_LOG_FLUSH_MS).
 */
export async function startSearchForTest(env: NodeJS.ProcessEnv = {}): Promise<SearchUnderTest> {
  const search = await startSubgraphForTest(searchSubgraph, {
    env,
    verifyToken: async (token) => {
      const match = /^user-(\d+)$/.exec(token);
      if (!match) throw new Error('not a test token');
      return { userId: match[1]!, role: 'job_seeker', tokenId: token, sessionId: undefined };
    },
  });
  return {
    ...search,
    async fromJobs(subject, data, occurredAt) {
      const envelope = await publishEvent(search.nats, 'jobs', subject, data, occurredAt ? { occurredAt } : {});
      await waitFor(
        `search to apply ${subject}`,
        async () => (await search.db.query('SELECT 1 FROM processed_events WHERE event_id = $1', [envelope.id])).rowCount,
        (count) => count === 1,
      );
      return envelope;
    },
    async searchJobs(variables, user) {
      const response = await search.gql(SEARCH_JOBS, variables, user ? { token: `user-${user}` } : {});
      if (response.errors) throw new Error(JSON.stringify(response.errors));
      return response.data!.searchJobs;
    },
  };
}

export const SEARCH_JOBS = /* GraphQL */ `
  query SearchJobs($query: String, $filter: JobSearchFilter, $sort: JobSearchSort, $first: Int, $after: String) {
    searchJobs(query: $query, filter: $filter, sort: $sort, first: $first, after: $after) {
      totalCount
      edges {
        cursor
        score
        highlight
        node {
          id
          title
          location
          isRemote
          jobType
          experienceLevel
          salaryMin
          salaryMax
          salaryCurrency
          createdAt
          company {
            id
            name
            logo
          }
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
      facets {
        jobType {
          value
          label
          count
        }
        experienceLevel {
          value
          count
        }
        isRemote {
          value
          count
        }
        category {
          value
          label
          count
        }
        skill {
          value
          label
          count
        }
        location {
          value
          count
        }
        salary {
          min
          max
          count
        }
      }
    }
  }
`;
