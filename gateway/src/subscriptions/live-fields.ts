import type { EventData, EventSubject } from '@jobplatform/events';

/**
 * How one Subscription field of the supergraph is served from the event backbone: which subject
 * feeds it, who may receive each event, how the client's arguments narrow it, and which query field
 * reads the entity the event names as the subscriber.
 */
export type LiveField<S extends EventSubject = EventSubject> = {
  subject: S;
  /**
   * The users an event may reach, from what the producer wrote into it. Everyone else is dropped
   * before any subgraph is asked; those listed are still checked by the subgraphs, as themselves.
   */
  audienceOf(data: EventData<S>): readonly string[];
  /** Whether the subscriber's arguments keep the event: they only narrow the audience, never widen it. */
  matches(data: EventData<S>, args: Readonly<Record<string, unknown>>): boolean;
  /**
   * The query field (`field(argument: ID!)`) that returns the event's entity, or null for a user who
   * may not see it. The client's selection set is resolved on it through the query planner.
   */
  lookup: { field: string; argument: string; idOf(data: EventData<S>): string };
};

const liveField = <S extends EventSubject>(field: LiveField<S>): LiveField => field as unknown as LiveField;

/** An ID argument narrows when given; variables may carry ids as numbers. */
const narrowsTo = (value: unknown, id: string) => value === undefined || value === null || String(value) === id;

/** The Subscription fields this gateway serves, by field name. */
export const liveFields: Readonly<Record<string, LiveField>> = {
  applicationStatusChanged: liveField({
    subject: 'applications.application.status_changed.v1',
    audienceOf: (data) => [data.applicantId, data.employerId, ...data.companyMemberIds],
    matches: (data, args) => narrowsTo(args.applicationId, data.applicationId),
    lookup: { field: 'application', argument: 'id', idOf: (data) => data.applicationId },
  }),
  applicationSubmitted: liveField({
    subject: 'applications.application.submitted.v1',
    audienceOf: (data) => [data.employerId, ...data.companyMemberIds],
    matches: (data, args) => narrowsTo(args.jobId, data.jobId),
    lookup: { field: 'application', argument: 'id', idOf: (data) => data.applicationId },
  }),
  notificationReceived: liveField({
    subject: 'notifications.notification.created.v1',
    audienceOf: (data) => [data.recipientId],
    matches: () => true,
    lookup: { field: 'notification', argument: 'id', idOf: (data) => data.notificationId },
  }),
};
