/**
 * What makes a notification: the notification events, each made from one platform event for one
 * audience, with the variables its templates may use and the templates it starts with. A template
 * may use exactly these variables (checked when it is saved), so adding a variable here is how a
 * template gets more to say.
 */

/** Every channel a user has a preference for (the seed's notification types), as stored. */
export const channels = ['email', 'push', 'sms', 'in_app'] as const;
export type Channel = (typeof channels)[number];

/** The channels the platform delivers, and so has templates for. Push and SMS have no transport yet. */
export const deliveredChannels = ['in_app', 'email'] as const satisfies readonly Channel[];
export type DeliveredChannel = (typeof deliveredChannels)[number];

export const isDeliveredChannel = (channel: Channel): channel is DeliveredChannel => (deliveredChannels as readonly Channel[]).includes(channel);

export type TemplateVariable = { description: string; example: string | number };
export type TemplateText = { subject: string; body: string };

export type NotificationEventSpec = {
  /** The platform event it is made from. */
  source: string;
  /** Who gets it and when, for the SDL and the docs. */
  summary: string;
  variables: Record<string, TemplateVariable>;
  defaults: Record<DeliveredChannel, TemplateText>;
};

/** What every notification about an application may say. */
const applicationVariables = {
  recipient_name: { description: "The recipient's username.", example: 'ada' },
  application_id: { description: "The application's id.", example: '42' },
  job_id: { description: "The job's id.", example: '7' },
  job_title: { description: "The job's title (its id, as job 7, if notifications has not heard of the job yet).", example: 'Backend engineer' },
  company_name: { description: 'The name of the company the job is posted under.', example: 'Hooli' },
} satisfies Record<string, TemplateVariable>;

const interviewVariables = {
  ...applicationVariables,
  interview_id: { description: "The interview's id.", example: '9' },
  interview_type: { description: 'How it is held: phone, video or in person.', example: 'video' },
  scheduled_at: {
    description: "When it starts, as an RFC 3339 time in UTC: format it with the date filter, e.g. {{ scheduled_at | date: '%A %-d %B %Y at %H:%M UTC' }}.",
    example: '2026-05-11T09:30:00.000Z',
  },
  duration_minutes: { description: 'Planned length in minutes.', example: 60 },
} satisfies Record<string, TemplateVariable>;

const when = "{{ scheduled_at | date: '%A %-d %B %Y at %H:%M UTC' }}";
/** How an application's new status reads after "Your application to <job> at <company> ". */
const statusOutcome =
  "{% case to_status %}{% when 'reviewing' %}is being reviewed{% when 'shortlisted' %}has been shortlisted{% when 'interviewing' %}has moved to interviews" +
  "{% when 'offered' %}has led to an offer{% when 'hired' %}has led to a hire. Congratulations{% when 'rejected' %}was not successful{% else %}is now {{ to_status }}{% endcase %}." +
  "{% if reason == 'job_closed' %} The job is no longer open.{% endif %}";
const signature = '\n\n-- \nThe job platform. Choose which notifications you get under your notification preferences.\n';

export const notificationEvents = {
  application_submitted: {
    source: 'applications.application.submitted.v1',
    summary: "A job seeker applied to a job: to the job's employer and the members of its company.",
    variables: { ...applicationVariables, applicant_name: { description: "The applicant's username.", example: 'grace' } },
    defaults: {
      in_app: { subject: 'New application: {{ job_title }}', body: '{{ applicant_name }} applied to {{ job_title }} at {{ company_name }}.' },
      email: {
        subject: 'New application for {{ job_title }}',
        body: `Hello {{ recipient_name }},\n\n{{ applicant_name }} applied to {{ job_title }} at {{ company_name }}. The application is waiting for your review.${signature}`,
      },
    },
  },
  application_status_changed: {
    source: 'applications.application.status_changed.v1',
    summary: 'The employer side moved an application along the pipeline or rejected it, or the platform rejected it because its job closed: to the applicant.',
    variables: {
      ...applicationVariables,
      from_status: { description: 'The status it had: pending, reviewing, shortlisted, interviewing, offered.', example: 'reviewing' },
      to_status: { description: 'The status it has now: reviewing, shortlisted, interviewing, offered, hired or rejected.', example: 'shortlisted' },
      reason: { description: 'Why the platform changed it: job_closed; empty when a person did.', example: '' },
    },
    defaults: {
      in_app: {
        subject: 'Application update: {{ job_title }}',
        body: `Your application to {{ job_title }} at {{ company_name }} ${statusOutcome}`,
      },
      email: {
        subject: 'Your application to {{ job_title }}: {{ to_status }}',
        body: `Hello {{ recipient_name }},\n\nYour application to {{ job_title }} at {{ company_name }} ${statusOutcome}${signature}`,
      },
    },
  },
  application_withdrawn: {
    source: 'applications.application.status_changed.v1 (to withdrawn)',
    summary: "The applicant withdrew an application: to the job's employer and the members of its company.",
    variables: {
      ...applicationVariables,
      applicant_name: { description: "The applicant's username.", example: 'grace' },
      from_status: { description: 'The status it had when withdrawn.', example: 'reviewing' },
    },
    defaults: {
      in_app: { subject: 'Application withdrawn: {{ job_title }}', body: '{{ applicant_name }} withdrew their application to {{ job_title }} at {{ company_name }}.' },
      email: {
        subject: '{{ applicant_name }} withdrew their application to {{ job_title }}',
        body: `Hello {{ recipient_name }},\n\n{{ applicant_name }} withdrew their application to {{ job_title }} at {{ company_name }}.${signature}`,
      },
    },
  },
  interview_scheduled: {
    source: 'applications.interview.scheduled.v1',
    summary: 'The employer side scheduled an interview: to the applicant.',
    variables: interviewVariables,
    defaults: {
      in_app: {
        subject: 'Interview scheduled: {{ job_title }}',
        body: `{{ company_name }} scheduled a {{ interview_type }} interview for {{ job_title }} on ${when} ({{ duration_minutes }} minutes).`,
      },
      email: {
        subject: 'Interview for {{ job_title }} at {{ company_name }}',
        body: `Hello {{ recipient_name }},\n\n{{ company_name }} scheduled a {{ interview_type }} interview with you for {{ job_title }} on ${when}, for {{ duration_minutes }} minutes. The details are with your application.${signature}`,
      },
    },
  },
  interview_rescheduled: {
    source: 'applications.interview.rescheduled.v1',
    summary: 'The employer side moved an interview to a new time: to the applicant.',
    variables: {
      ...interviewVariables,
      previous_scheduled_at: { description: 'When it was to start before, as scheduled_at.', example: '2026-05-10T14:00:00.000Z' },
    },
    defaults: {
      in_app: {
        subject: 'Interview moved: {{ job_title }}',
        body: `Your {{ interview_type }} interview for {{ job_title }} at {{ company_name }} moved to ${when} ({{ duration_minutes }} minutes).`,
      },
      email: {
        subject: 'Your interview for {{ job_title }} has a new time',
        body: `Hello {{ recipient_name }},\n\n{{ company_name }} moved your {{ interview_type }} interview for {{ job_title }} to ${when}, for {{ duration_minutes }} minutes.${signature}`,
      },
    },
  },
  interview_cancelled: {
    source: 'applications.interview.cancelled.v1 (called off by the employer side)',
    summary:
      'The employer side called off an interview: to the applicant. An interview the platform calls off because its application became final makes none: the status change already told the applicant.',
    variables: interviewVariables,
    defaults: {
      in_app: { subject: 'Interview cancelled: {{ job_title }}', body: `{{ company_name }} called off your {{ interview_type }} interview for {{ job_title }} on ${when}.` },
      email: {
        subject: 'Your interview for {{ job_title }} was called off',
        body: `Hello {{ recipient_name }},\n\n{{ company_name }} called off your {{ interview_type }} interview for {{ job_title }} on ${when}. Any reason they gave is with your application.${signature}`,
      },
    },
  },
  interview_completed: {
    source: 'applications.interview.completed.v1',
    summary: 'The employer side recorded that an interview was held: to the applicant.',
    variables: interviewVariables,
    defaults: {
      in_app: { subject: 'Interview held: {{ job_title }}', body: 'Thank you for interviewing for {{ job_title }} at {{ company_name }}. You will hear about the next step.' },
      email: {
        subject: 'Thank you for interviewing for {{ job_title }}',
        body: `Hello {{ recipient_name }},\n\nThank you for interviewing for {{ job_title }} at {{ company_name }}. You will hear about the next step.${signature}`,
      },
    },
  },
  saved_search_matched: {
    source: 'search.saved_search.matched.v1',
    summary: "New jobs match a user's saved searches: to that user, at once for INSTANT alerts, as one digest a day or a week for DAILY and WEEKLY ones.",
    variables: {
      recipient_name: { description: "The recipient's username.", example: 'ada' },
      alert_frequency: { description: 'How the saved searches alert: instant, daily or weekly.', example: 'daily' },
      search_names: { description: 'The names of the saved searches that matched, comma-separated.', example: 'Remote Go jobs' },
      job_count: { description: 'How many new jobs matched, every saved search together.', example: 3 },
      job_titles: {
        description: 'The titles of up to five of them, comma-separated (job 7 for a job notifications has not heard of yet).',
        example: 'Backend engineer, Go developer, Site reliability engineer',
      },
    },
    defaults: {
      in_app: {
        subject: '{{ job_count }} new {% if job_count == 1 %}job matches{% else %}jobs match{% endif %} {{ search_names }}',
        body: '{% if alert_frequency == "instant" %}Just posted{% elsif alert_frequency == "daily" %}Posted today{% else %}Posted this week{% endif %}: {{ job_titles }}.',
      },
      email: {
        subject: '{{ job_count }} new {% if job_count == 1 %}job matches{% else %}jobs match{% endif %} your saved search',
        body: `Hello {{ recipient_name }},\n\n{{ job_count }} new {% if job_count == 1 %}job matches{% else %}jobs match{% endif %} {{ search_names }}: {{ job_titles }}. Open your saved searches to see them all.\n\n-- \nThe job platform. Change how often saved searches alert you where you saved them, or turn email off under your notification preferences.\n`,
      },
    },
  },
} as const satisfies Record<string, NotificationEventSpec>;

export type NotificationEventName = keyof typeof notificationEvents;
export const notificationEventNames = Object.keys(notificationEvents) as NotificationEventName[];

export const isNotificationEventName = (name: string): name is NotificationEventName => Object.hasOwn(notificationEvents, name);

/** The values a notification event's templates are rendered with. */
export type TemplateValues = Record<string, string | number>;

/** Example values of every variable the event offers: what a template is test-rendered with when saved. */
export function exampleValues(event: NotificationEventName): TemplateValues {
  return Object.fromEntries(Object.entries(notificationEvents[event].variables as Record<string, TemplateVariable>).map(([name, variable]) => [name, variable.example]));
}

/** The template name the seed's UNIQUE name column holds: application_submitted.in_app. */
export const templateName = (event: NotificationEventName, channel: DeliveredChannel) => `${event}.${channel}`;

/** The API's enum values are the stored values in upper case (IN_APP, APPLICATION_SUBMITTED). */
export const apiValueOf = <Stored extends string>(stored: Stored) => stored.toUpperCase() as Uppercase<Stored>;
export const storedValueOf = <Api extends string>(api: Api) => api.toLowerCase() as Lowercase<Api>;
