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
  /** Where users and notifications send mail (real SMTP). */
  catcher: MailCatcher;
  /** From now on the catcher refuses mail to this address for good, as a server refuses an unknown mailbox. */
  refuseMailTo(address: string): void;
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
  /** Verifies the account's address with the link in users' verification mail, and waits until notifications knows it verified. */
  verify(account: Account): Promise<Account>;
  /** Runs a notifications operation by name through the gateway as `account`, failing on any error. */
  op(operationName: string, variables: Record<string, unknown>, account: Account): Promise<Record<string, any>>;
};

const CREATE_COMPANY = 'mutation($name: String!) { createCompany(input: { name: $name }) { id } }';
const ADD_MEMBER = 'mutation($companyId: ID!, $userId: ID!) { addCompanyMember(companyId: $companyId, userId: $userId) { role } }';
const CREATE_JOB = 'mutation($input: CreateJobInput!) { createJob(input: $input) { id } }';
const VERIFY_EMAIL = 'mutation($token: String!) { verifyEmail(token: $token) { isVerified } }';
const APPLY = 'mutation($input: ApplyToJobInput!) { applyToJob(input: $input) { id } }';

const present = (count: number | null) => count === 1;

/** A mail catcher in a folder of its own, removed when it stops. */
async function startTestMailCatcher(refused: Set<string>): Promise<MailCatcher> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'jobplatform-notifications-mail-'));
  const catcher = await startMailCatcher({ dir, refuseRecipient: (address) => refused.has(address) });
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
 * deployed, with users and notifications sending mail over SMTP to the test's catcher.
 */
export async function startPlatformForTest(): Promise<PlatformUnderTest> {
  const refused = new Set<string>();
  const catcher = await startTestMailCatcher(refused);
  const mail = { SMTP_URL: catcher.url, MAIL_RETRY_BASE_MS: '50', MAIL_RETRY_MAX_MS: '200' };
  let platform: Platform;
  try {
    platform = await startPlatform({ services: ['users', 'jobs', 'applications', 'notifications'], env: { users: mail, notifications: mail } });
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
  return {
    ...platform,
    catcher,
    refuseMailTo: (address) => void refused.add(address),
    async close() {
      await platform.close();
      await catcher.stop();
    },
    applications,
    notifications,
    seeker: async () => platform.replicated(await platform.jobSeeker(), 'applications', 'notifications'),
    async employerWithCompany(name) {
      const employer = await platform.replicated(await platform.employer(), 'applications', 'notifications', 'jobs');
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
      await waitFor(
        'the company to reach notifications',
        async () => (await notifications.db.query('SELECT 1 FROM company_replicas WHERE id = $1', [companyId])).rowCount,
        present,
        60_000,
      );
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
      const mail = await catcher.waitForMail((m) => m.to.includes(account.email) && m.subject === 'Confirm your email address', {
        description: `the verification mail to ${account.email}`,
      });
      const token = /[?&]token=([A-Za-z0-9_-]+)/.exec(mail.text)?.[1];
      if (!token) throw new Error(`the verification mail to ${account.email} has no link with a token`);
      await platform.ok(VERIFY_EMAIL, { token }, account);
      await waitFor(
        'the verified address to reach notifications',
        async () => (await notifications.db.query('SELECT 1 FROM recipient_contacts WHERE user_id = $1 AND is_verified', [account.id])).rowCount,
        present,
        60_000,
      );
      return account;
    },
    async op(operationName, variables, account) {
      const response = await platform.gql(NOTIFICATIONS_OPERATIONS, variables, { operationName, token: account.accessToken });
      if (response.errors) throw new Error(`${operationName}: ${JSON.stringify(response.errors)}`);
      return response.data!;
    },
  };
}
