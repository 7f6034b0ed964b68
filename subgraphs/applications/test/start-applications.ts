import {
  startPlatformForTest as startPlatform,
  waitFor,
  type Account,
  type PlatformOptions,
  type PlatformUnderTest as Platform,
  type SubgraphUnderTest,
} from '@jobplatform/testing';
import type { ApplicationsDb } from '../src/db.js';
import type { ApplicationsDomain } from '../src/server.js';

export { errorCodeOf, waitFor, type Account } from '@jobplatform/testing';

export type PlatformUnderTest = Platform & {
  users: SubgraphUnderTest;
  jobs: SubgraphUnderTest;
  applications: SubgraphUnderTest<ApplicationsDb, ApplicationsDomain>;
  /** A job seeker whose registration has reached the applications service's users replica. */
  applicant(): Promise<Account>;
  /** An employer with a company of their own, known to the users replicas of applications and jobs. */
  employerWithCompany(name?: string): Promise<{ employer: Account; companyId: string }>;
  /** Posts a job through the gateway and waits until applications' jobs replica and members replica know it. */
  postJob(employer: Account, companyId: string, input?: Record<string, unknown>): Promise<string>;
  /** Applies through the gateway and returns the application's id. */
  apply(applicant: Account, jobId: string, input?: Record<string, unknown>): Promise<string>;
  /**
   * job_application_counts and applicant_application_counts as the triggers keep them (rows at 0
   * left out), beside the same counted from the applications rows, for the given jobs and
   * applicants (all when none): a test expects the two to be equal.
   */
  applicationCounts(only?: { jobs: string[]; applicants: string[] }): Promise<{ kept: CountRows; counted: CountRows }>;
};

type CountRows = { jobs: unknown[]; applicants: unknown[] };

const CREATE_COMPANY = 'mutation($name: String!) { createCompany(input: { name: $name }) { id } }';
const CREATE_JOB = 'mutation($input: CreateJobInput!) { createJob(input: $input) { id } }';
const APPLY = 'mutation($input: ApplyToJobInput!) { applyToJob(input: $input) { id } }';

let companies = 0;

/**
 * users, jobs and applications on one nats-server behind the real gateway, as deployed (`env`,
 * `gateway`: settings beyond the test defaults; `services`: others to run too, such as every
 * participant of the account-erasure saga).
 */
export async function startPlatformForTest(options: Pick<PlatformOptions, 'now' | 'env' | 'gateway' | 'services'> = {}): Promise<PlatformUnderTest> {
  const platform = await startPlatform({ ...options, services: ['users', 'jobs', 'applications', ...(options.services ?? [])] });
  const applications = platform.service<ApplicationsDomain>('applications') as SubgraphUnderTest<ApplicationsDb, ApplicationsDomain>;
  return {
    ...platform,
    users: platform.service('users'),
    jobs: platform.service('jobs'),
    applications,
    applicant: async () => platform.replicated(await platform.jobSeeker(), 'applications'),
    async employerWithCompany(name) {
      // jobs too: a job's employer's handle comes from jobs' users replica.
      const employer = await platform.replicated(await platform.employer(), 'applications', 'jobs');
      companies += 1;
      const companyId = (await platform.ok(CREATE_COMPANY, { name: name ?? `Company ${companies} ${Date.now()}` }, employer)).createCompany.id as string;
      return { employer, companyId };
    },
    async postJob(employer, companyId, input = {}) {
      const jobId = (await platform.ok(CREATE_JOB, { input: { companyId, title: 'Engineer', description: 'Build things.', ...input } }, employer)).createJob.id as string;
      await waitFor(
        'the job to reach the applications jobs replica',
        async () => (await applications.db.query('SELECT 1 FROM job_replicas WHERE id = $1', [jobId])).rowCount,
        (count) => count === 1,
      );
      await waitFor(
        'the poster to reach the company members replica',
        async () => (await applications.db.query('SELECT 1 FROM company_member_replicas WHERE company_id = $1 AND user_id = $2 AND is_member', [companyId, employer.id])).rowCount,
        (count) => count === 1,
      );
      return jobId;
    },
    async apply(applicant, jobId, input = {}) {
      return (await platform.ok(APPLY, { input: { jobId, ...input } }, applicant)).applyToJob.id as string;
    },
    async applicationCounts(only) {
      const rows = async (sql: string, ids: string[] | undefined) => (await applications.db.query(sql, ids ? [ids] : [])).rows;
      const of = (column: string, table: string, ids: string[] | undefined) => {
        const where = ids ? `WHERE ${column} = ANY($1::bigint[])` : '';
        return Promise.all([
          rows(`SELECT ${column}::text AS owner, status, total FROM ${table} ${where ? `${where} AND` : 'WHERE'} total <> 0 ORDER BY 1, 2`, ids),
          rows(`SELECT ${column}::text AS owner, status, count(*)::int AS total FROM applications ${where} GROUP BY 1, 2 ORDER BY 1, 2`, ids),
        ]);
      };
      const [[keptJobs, countedJobs], [keptApplicants, countedApplicants]] = await Promise.all([
        of('job_id', 'job_application_counts', only?.jobs),
        of('applicant_id', 'applicant_application_counts', only?.applicants),
      ]);
      return { kept: { jobs: keptJobs, applicants: keptApplicants }, counted: { jobs: countedJobs, applicants: countedApplicants } };
    },
  };
}
