import type { EventEnvelope } from '@jobplatform/events';
import type { NotificationEventName, TemplateValues } from './notification-events.js';

/**
 * Which notification an applications event makes and for whom. Events carry ids only; the names a
 * notification shows (job title, company, usernames) are filled in from notifications' replicas
 * when it is made (notification-delivery.ts).
 */
export type PlannedNotification = {
  event: NotificationEventName;
  /** The source event's id: one notification per event, recipient and channel. */
  sourceEventId: string;
  recipientIds: bigint[];
  /** The job whose title and company it names (job_title, company_name), when it is about one job. */
  jobId?: bigint;
  /** Jobs whose titles it lists (job_titles), when it is about several. */
  listedJobIds?: bigint[];
  /** Whose username is applicant_name, when the event offers it. */
  applicantId?: bigint;
  /** The event's own variables (recipient, job and company names are added per recipient). */
  values: TemplateValues;
  /** What the client links to: ids only. */
  metadata: Record<string, string | string[]>;
};

type ApplicationEvent = EventEnvelope<
  | 'applications.application.submitted.v1'
  | 'applications.application.status_changed.v1'
  | 'applications.interview.scheduled.v1'
  | 'applications.interview.rescheduled.v1'
  | 'applications.interview.cancelled.v1'
  | 'applications.interview.completed.v1'
>;

/** The job's employer and the members of its company, once each. */
const employerSide = (data: { employerId: string; companyMemberIds: string[] }) => [...new Set([data.employerId, ...data.companyMemberIds])].map(BigInt);

const interviewTypeWords = { phone: 'phone', video: 'video', in_person: 'in person' } as const;

/** What every interview event says about the interview. */
type InterviewFacts = Pick<EventEnvelope<'applications.interview.scheduled.v1'>['data'], 'applicantId' | 'interviewId' | 'interviewType' | 'scheduledAt' | 'durationMinutes'>;

function interviewValues(data: InterviewFacts) {
  return {
    interview_id: data.interviewId,
    interview_type: interviewTypeWords[data.interviewType],
    scheduled_at: new Date(data.scheduledAt).toISOString(),
    duration_minutes: data.durationMinutes,
  };
}

/** What an applications event makes, or null when it makes nothing. */
export function planApplicationNotification(envelope: ApplicationEvent): PlannedNotification | null {
  const { data } = envelope;
  const base = {
    sourceEventId: envelope.id,
    jobId: BigInt(data.jobId),
    metadata: { applicationId: data.applicationId, jobId: data.jobId } as Record<string, string>,
  };
  const applicationValues = { application_id: data.applicationId, job_id: data.jobId };
  switch (envelope.type) {
    case 'applications.application.submitted.v1':
      return { ...base, event: 'application_submitted', recipientIds: employerSide(envelope.data), applicantId: BigInt(data.applicantId), values: applicationValues };
    case 'applications.application.status_changed.v1': {
      const change = envelope.data;
      if (change.toStatus === 'withdrawn') {
        return {
          ...base,
          event: 'application_withdrawn',
          recipientIds: employerSide(change),
          applicantId: BigInt(change.applicantId),
          values: { ...applicationValues, from_status: change.fromStatus },
        };
      }
      return {
        ...base,
        event: 'application_status_changed',
        recipientIds: [BigInt(change.applicantId)],
        values: { ...applicationValues, from_status: change.fromStatus, to_status: change.toStatus, reason: change.reason ?? '' },
        metadata: { ...base.metadata, status: change.toStatus.toUpperCase() },
      };
    }
    case 'applications.interview.cancelled.v1':
      // Called off by the platform because the application became final: its status change told the applicant.
      if (envelope.data.actorId === null) return null;
      return interviewNotification('interview_cancelled', envelope.data, base, applicationValues);
    case 'applications.interview.scheduled.v1':
      return interviewNotification('interview_scheduled', envelope.data, base, applicationValues);
    case 'applications.interview.completed.v1':
      return interviewNotification('interview_completed', envelope.data, base, applicationValues);
    case 'applications.interview.rescheduled.v1': {
      const planned = interviewNotification('interview_rescheduled', envelope.data, base, applicationValues);
      return { ...planned, values: { ...planned.values, previous_scheduled_at: new Date(envelope.data.previousScheduledAt).toISOString() } };
    }
  }
}

function interviewNotification(
  event: NotificationEventName,
  data: InterviewFacts,
  base: Pick<PlannedNotification, 'sourceEventId' | 'jobId' | 'metadata'>,
  applicationValues: TemplateValues,
): PlannedNotification {
  return {
    ...base,
    event,
    recipientIds: [BigInt(data.applicantId)],
    values: { ...applicationValues, ...interviewValues(data) },
    metadata: { ...base.metadata, interviewId: data.interviewId },
  };
}
