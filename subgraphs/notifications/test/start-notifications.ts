import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startMailCatcher, type MailCatcher } from '@jobplatform/mail/catcher';
import { startPlatformForTest as startPlatform, waitFor, type Account, type PlatformUnderTest as Platform, type SubgraphUnderTest } from '@jobplatform/testing';
import type { NotificationsDb } from '../src/db.js';
import type { NotificationsDomain } from '../src/server.js';

export { errorCodeOf, waitFor, type Account } from '@jobplatform/testing';

/** The project's own notifications client operations, as clients send them: pass the operation's name as operationName. */
export const NOTIFICATIONS_OPERATIONS = readFileSync(new URL('../../../schema/operations/notifications.graphql', import.meta.url), 'utf8');

export type PlatformUnderTest = Platform & {
  /** Where notifications sends mail (real SMTP); it refuses recipients whose address starts with "bounce". */
  catcher: MailCatcher;
  applications: SubgraphUnderTest;
  notifications: SubgraphUnderTest<NotificationsDb, NotificationsDomain>;
  /** A job seeker known to the applications and notifications users replicas. */
  seeker(): Promise<Account>;
  /** An employer with a company of their own, known to both users replicas. */
  employerWithCompany(name: string): Promise<{ employer: Account; companyId: string }>;
  /** Adds a member to a company, through the gateway, and waits until applications acts on it. */
  addMember(owner: Account, companyId: string, member: Account): Promise<void>;
  /** Posts a job through the gateway and waits until applications and notifications know it. */
  postJob(employer: Account, companyId: string, title: string): Promise<string>;
  /** Applies through the gateway and returns the application's id. */
  apply(applicant: Account, jobId: string): Promise<string>;
  /** Marks the account's address verified in notifications' copy, as users' event for a verified address would. */
  verify(account: Account): Promise<Account>;
  /** Runs a notifications operation by name through the gateway as `account`, failing on any error. */
  op(operationName: string, variables: Record<string, unknown>, account: Account): Promise<Record<string, any>>;
};

const CREATE_COMPANY = 'mutation($name: String!) { createCompany(input: { name: $name }) { id } }';
const ADD_MEMBER = 'mutation($companyId: ID!, $userId: ID!) { addCompanyMember(companyId: $companyId, userId: $userId) { role } }';
const CREATE_JOB = 'mutation($input: CreateJobInput!) { createJob(input: $input) { id } }';
const APPLY = 'mutation($input: ApplyToJobInput!) { applyToJob(input: $input) { id } }';

const present = (count: number | null) => count === 1;

/** A mail catcher in a folder of its own, removed when it stops. */
async function startTestMailCatcher(): Promise<MailCatcher> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'jobplatform-notifications-mail-'));
  const catcher = await startMailCatcher({ dir, refuseRecipient: (address) => address.startsWith('bounce') });
  return {
    ...catcher,
    async stop() {
      await catcher.stop();
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * users, jobs, applications and notifications on one nats-server behind the real gateway, as
 * deployed, with notifications sending mail over SMTP to the test's catcher.
 */
export async function startPlatformForTest(): Promise<PlatformUnderTest> {
  const catcher = await startTestMailCatcher();
  const mail = { SMTP_URL: catcher.url, MAIL_RETRY_BASE_MS: '50', MAIL_RETRY_MAX_MS: '200' };
  let platform: Platform;
  try {
    platform = await startPlatform({ services: ['users', 'jobs', 'applications', 'notifications'], env: { notifications: mail } });
  } catch (error) {
    await catcher.stop();
    throw error;
  }
  const applications = platform.service('applications');
  const notifications = platform.service<NotificationsDomain>('notifications') as SubgraphUnderTest<NotificationsDb, NotificationsDomain>;
  const inBoth = async (what: string, applicationsSql: string, notificationsSql: string, params: unknown[]) => {
    await waitFor(`${what} to reach applications`, async () => (await applications.db.query(applicationsSql, params)).rowCount, present, 60_000);
    await waitFor(`${what} to reach notifications`, async () => (await notifications.db.query(notificationsSql, params)).rowCount, present, 60_000);
  };
  const replicated = async (account: Account) => {
    await inBoth('the registration', 'SELECT 1 FROM user_replicas WHERE id = $1', 'SELECT 1 FROM user_replicas WHERE id = $1', [account.id]);
    return account;
  };
  return {
    ...platform,
    catcher,
    async close() {
      await platform.close();
      await catcher.stop();
    },
    applications,
    notifications,
    seeker: async () => replicated(await platform.jobSeeker()),
    async employerWithCompany(name) {
      const employer = await replicated(await platform.employer());
      const companyId = (await platform.ok(CREATE_COMPANY, { name: `${name} ${Date.now()}` }, employer)).createCompany.id as string;
      return { employer, companyId };
    },
    async addMember(owner, companyId, member) {
      await platform.ok(ADD_MEMBER, { companyId, userId: member.id }, owner);
      await waitFor(
        'the member to reach applications',
        async () => (await applications.db.query('SELECT 1 FROM company_member_replicas WHERE company_id = $1 AND user_id = $2 AND is_member', [companyId, member.id])).rowCount,
        present,
        60_000,
      );
    },
    async postJob(employer, companyId, title) {
      const jobId = (await platform.ok(CREATE_JOB, { input: { companyId, title, description: 'Build things.' } }, employer)).createJob.id as string;
      await inBoth('the job', 'SELECT 1 FROM job_replicas WHERE id = $1', 'SELECT 1 FROM job_replicas WHERE id = $1', [jobId]);
      await waitFor('the company to reach notifications', async () => (await notifications.db.query('SELECT 1 FROM company_replicas WHERE id = $1', [companyId])).rowCount, present, 60_000);
      await waitFor(
        'the poster to reach the company members replica',
        async () => (await applications.db.query('SELECT 1 FROM company_member_replicas WHERE company_id = $1 AND user_id = $2 AND is_member', [companyId, employer.id])).rowCount,
        present,
        60_000,
      );
      return jobId;
    },
    async apply(applicant, jobId) {
      return (await platform.ok(APPLY, { input: { jobId } }, applicant)).applyToJob.id as string;
    },
    async verify(account) {
      // What users.user.updated.v1 with isVerified true does to notifications' copy of the account's address.
      await waitFor('the address to reach notifications', async () => (await notifications.db.query('SELECT 1 FROM recipient_contacts WHERE user_id = $1', [account.id])).rowCount, present, 60_000);
      await notifications.db.query('UPDATE recipient_contacts SET is_verified = true WHERE user_id = $1', [account.id]);
      return account;
    },
    async op(operationName, variables, account) {
      const response = await platform.gql(NOTIFICATIONS_OPERATIONS, variables, { operationName, token: account.accessToken });
      if (response.errors) throw new Error(`${operationName}: ${JSON.stringify(response.errors)}`);
      return response.data!;
    },
  };
}
