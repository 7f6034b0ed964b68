import type { RegisteredServiceName } from '@jobplatform/config';
import type { CreateEnvelopeOptions, EventEnvelope, EventInput, EventSubject } from '@jobplatform/events';
import {
  publishEnvelope,
  publishEvent,
  startPlatformForTest as startPlatform,
  type Account,
  type PlatformUnderTest as Platform,
  type SubgraphUnderTest,
} from '@jobplatform/testing';
import type { JobsDb } from '../src/db.js';
import type { JobsDomain } from '../src/server.js';

export { waitFor, type Account } from '@jobplatform/testing';

export type JobsUnderTest = SubgraphUnderTest<JobsDb, JobsDomain> & {
  /** Publishes an event to JetStream as users' relay would; msgID defaults to the event id. */
  publishUsersEvent<S extends Extract<EventSubject, `users.${string}`>>(subject: S, data: EventInput<S>, options?: CreateEnvelopeOptions): Promise<EventEnvelope<S>>;
  /**
   * Tells jobs of an account as users would at its registration (users.user.registered.v1, with
   * these names), and waits until the users replica holds it: what Job.employer provides.
   */
  replicate(account: Account, profile: { userType: 'job_seeker' | 'employer' | 'admin'; firstName?: string | null; lastName?: string | null }): Promise<void>;
  /** Publishes an envelope again under another msgID, as a redelivery after JetStream's duplicate window. */
  republish(envelope: EventEnvelope): Promise<void>;
};

export type PlatformUnderTest = Platform & { users: SubgraphUnderTest; jobs: JobsUnderTest };

/**
 * users and jobs behind the real gateway. By default each has a nats-server of its own, so tests
 * here publish users' events themselves; with `sharedNats` they share one and jobs receives users'
 * real events (registrations reach the replica, deleteMyAccount starts the saga). `services` adds
 * others, such as every participant of the account-erasure saga.
 */
export async function startPlatformForTest(options: { now?: () => Date; sharedNats?: boolean; services?: RegisteredServiceName[] } = {}): Promise<PlatformUnderTest> {
  const services: RegisteredServiceName[] = ['users', 'jobs', ...(options.services ?? [])];
  const platform = await startPlatform({ services, isolatedNats: !options.sharedNats, ...(options.now ? { now: options.now } : {}) });
  const jobs = platform.service<JobsDomain>('jobs') as SubgraphUnderTest<JobsDb, JobsDomain>;
  return {
    ...platform,
    users: platform.service('users'),
    jobs: {
      ...jobs,
      publishUsersEvent: (subject, data, envelopeOptions) => publishEvent(jobs.nats, 'users', subject, data, envelopeOptions),
      async replicate(account, profile) {
        await publishEvent(jobs.nats, 'users', 'users.user.registered.v1', {
          userId: account.id,
          username: account.username,
          email: account.email,
          firstName: profile.firstName ?? null,
          lastName: profile.lastName ?? null,
          userType: profile.userType,
          isActive: true,
          isVerified: true,
          dateJoined: new Date().toISOString(),
        });
        await platform.replicated(account, 'jobs');
      },
      republish: (envelope) => publishEnvelope(jobs.nats, envelope, `${envelope.id}-again`),
    },
  };
}
