import type { Role } from '@jobplatform/auth';
import { createLogger } from '@jobplatform/config';
import type { EventInput, EventSubject, ServiceName } from '@jobplatform/events';
import { publishEvent, startSubgraphForTest, waitFor, type SubgraphUnderTest } from '@jobplatform/testing';
import type { AnalyticsSettings } from '../src/analytics-settings.js';
import type { AnalyticsDb } from '../src/db.js';
import { analyticsSubgraph, type AnalyticsDomain } from '../src/server.js';

export { errorCodeOf, waitFor } from '@jobplatform/testing';

/** A clock the test moves: the service reads it for every event's time. */
export function createTestClock(start = new Date()) {
  let current = start.getTime();
  return {
    now: () => new Date(current),
    advance: (ms: number) => {
      current += ms;
    },
  };
}

/** Subjects that more than one of analytics' consumers handle: each records the event once. */
const consumersOf: Partial<Record<EventSubject, number>> = {
  'jobs.job.created.v1': 2,
  'jobs.job.closed.v1': 2,
};

export type AnalyticsUnderTest = SubgraphUnderTest<AnalyticsDb, AnalyticsDomain, AnalyticsSettings> & {
  /** Publishes another service's event as its relay would, and waits until analytics has applied it. */
  fromService<S extends EventSubject>(producer: ServiceName, subject: S, data: EventInput<S>, occurredAt?: Date): Promise<void>;
  /** Writes what the buffer holds now. */
  flush(): Promise<void>;
};

/**
 * analytics alone over its own database and nats-server. Tokens are "<role>-<id>" ("employer-7"):
 * the test verifier turns them into that viewer, so tests act as anyone without the identity service.
 */
export async function startAnalyticsForTest(options: { env?: NodeJS.ProcessEnv; now?: () => Date } = {}): Promise<AnalyticsUnderTest> {
  const analytics = await startSubgraphForTest(analyticsSubgraph, {
    logger: createLogger('analytics', 'warn'),
    ...(options.env ? { env: options.env } : {}),
    ...(options.now ? { now: options.now } : {}),
    verifyToken: async (token) => {
      const match = /^(job_seeker|employer|admin)-(\d+)$/.exec(token);
      if (!match) throw new Error('not a test token');
      return { userId: match[2]!, role: match[1] as Role, tokenId: token, sessionId: undefined };
    },
  });
  return {
    ...analytics,
    async fromService(producer, subject, data, occurredAt) {
      const envelope = await publishEvent(analytics.nats, producer, subject, data, occurredAt ? { occurredAt } : {});
      await waitFor(
        `analytics to apply ${subject}`,
        async () => (await analytics.db.query('SELECT 1 FROM processed_events WHERE event_id = $1', [envelope.id])).rowCount,
        (count) => count === (consumersOf[subject] ?? 1),
      );
    },
    flush: () => analytics.service.domain.buffer.flush(),
  };
}

/** jobs.job.created.v1's data for a job of `employerId` at `companyId`. */
export function jobCreated(job: { id: string; companyId: string; employerId: string; createdAt?: Date }): EventInput<'jobs.job.created.v1'> {
  const at = (job.createdAt ?? new Date()).toISOString();
  return {
    actorId: job.employerId,
    job: {
      id: job.id,
      title: 'Engineer',
      description: 'Build things.',
      requirements: null,
      responsibilities: null,
      companyId: job.companyId,
      companyName: 'Acme',
      employerId: job.employerId,
      jobType: 'full_time',
      experienceLevel: 'mid',
      salaryMin: null,
      salaryMax: null,
      salaryCurrency: 'USD',
      location: null,
      isRemote: true,
      isActive: true,
      applicationDeadline: null,
      categories: [],
      skills: [],
      createdAt: at,
      updatedAt: at,
    },
  };
}

type Parties = { applicationId: string; jobId: string; applicantId: string; employerId: string; companyId: string };

export const applicationSubmitted = (parties: Parties): EventInput<'applications.application.submitted.v1'> => ({
  ...parties,
  companyMemberIds: [parties.employerId],
  status: 'pending',
});

export function statusChanged(
  parties: Parties,
  fromStatus: EventInput<'applications.application.status_changed.v1'>['fromStatus'],
  toStatus: EventInput<'applications.application.status_changed.v1'>['toStatus'],
): EventInput<'applications.application.status_changed.v1'> {
  return {
    ...parties,
    companyMemberIds: [parties.employerId],
    fromStatus,
    toStatus,
    isActive: !['hired', 'rejected', 'withdrawn'].includes(toStatus),
    actorKind: 'employer',
    changedBy: parties.employerId,
    reason: null,
  };
}

export const TRACK_EVENT = 'mutation TrackEvent($input: TrackEventInput!) { trackEvent(input: $input) }';
export const TRACK_EVENTS = 'mutation TrackEvents($inputs: [TrackEventInput!]!) { trackEvents(inputs: $inputs) { accepted rejected { index field message } } }';
/** Job.stats straight to the subgraph, as the gateway asks for it: through the Job entity. */
export const JOB_STATS = `query JobStats($representations: [_Any!]!, $from: Date!, $to: Date!) {
  _entities(representations: $representations) { ... on Job { stats(from: $from, to: $to) { views applications daily { date views applications } } } }
}`;
export const jobStatsVariables = (jobId: string, from: string, to: string) => ({ representations: [{ __typename: 'Job', id: jobId }], from, to });
export const EMPLOYER_STATS = `query EmployerStats($representations: [_Any!]!, $from: Date!, $to: Date!) {
  _entities(representations: $representations) {
    ... on User { employerStats(from: $from, to: $to) { activeJobs totalViews totalApplications applicationsByStatus { status count } averageDaysToHire } }
  }
}`;
export const employerStatsVariables = (userId: string, from: string, to: string) => ({ representations: [{ __typename: 'User', id: userId }], from, to });
export const PLATFORM_STATS = `query PlatformStats($from: Date!, $to: Date!) {
  platformStats(from: $from, to: $to) { newUsers newJobs newApplications hires searches daily { date metricName value } }
}`;
