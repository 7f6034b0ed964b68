import { z } from 'zod';
import { idSchema, type FieldProblem } from '@jobplatform/service-runtime';

/** The largest properties object a client may send, as UTF-8 JSON. */
export const MAX_PROPERTIES_BYTES = 4096;
/** trackEvents takes at most this many events in one call. */
export const MAX_EVENTS_PER_CALL = 100;

const id = idSchema.transform((value) => value.toString());
const shortText = z.string().trim().max(200);

/**
 * The properties each client event type carries. Each is strict: a property the type does not
 * know is refused, so that nothing personal rides along unnoticed. A new type is a new entry here
 * and a value of TrackedEventType in the SDL.
 */
export const trackedEventProperties = {
  JOB_VIEW: z.strictObject({ jobId: id, source: shortText.optional() }),
  JOB_APPLY_CLICK: z.strictObject({ jobId: id }),
  SEARCH_RESULT_CLICK: z.strictObject({ jobId: id, query: shortText.optional(), position: z.number().int().min(0).max(10_000).optional() }),
  COMPANY_VIEW: z.strictObject({ companyId: id }),
  PROFILE_VIEW: z.strictObject({ userId: id }),
} as const;

export type TrackedEventType = keyof typeof trackedEventProperties;

/** Types whose properties name a job, which must be one the platform has. */
export const jobEventTypes: ReadonlySet<TrackedEventType> = new Set(['JOB_VIEW', 'JOB_APPLY_CLICK', 'SEARCH_RESULT_CLICK']);

export type TrackEventInput = {
  eventType: TrackedEventType;
  sessionId: string;
  properties?: unknown;
  clientTimestamp?: Date | null;
};

/** A client event that passed its checks, ready for the buffer. */
export type CheckedEvent = {
  eventType: TrackedEventType;
  sessionId: string;
  properties: Record<string, unknown>;
  clientTimestamp: Date | null;
  /** The job it names, for the types that name one. */
  jobId: string | undefined;
};

const sessionIdSchema = z.string().trim().min(1, 'must not be empty').max(255, 'must be at most 255 characters');

/**
 * Checks one event's session and properties for its type. Problems name their field under `path`
 * (input, or inputs.3), as the field-error helper reports them.
 */
export function checkTrackedEvent(input: TrackEventInput, path: string): { event: CheckedEvent } | { problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const session = sessionIdSchema.safeParse(input.sessionId);
  if (!session.success) problems.push({ field: `${path}.sessionId`, message: session.error.issues[0]!.message });
  const raw = input.properties ?? {};
  const size = Buffer.byteLength(JSON.stringify(raw) ?? '', 'utf8');
  if (size > MAX_PROPERTIES_BYTES) {
    problems.push({ field: `${path}.properties`, message: `must be at most ${MAX_PROPERTIES_BYTES} bytes as JSON` });
    return { problems };
  }
  const properties = trackedEventProperties[input.eventType].safeParse(raw);
  if (!properties.success) {
    for (const issue of properties.error.issues) {
      const keys = issue.code === 'unrecognized_keys' ? [] : issue.path.map(String);
      const message = issue.code === 'unrecognized_keys' ? `${input.eventType} takes no ${issue.keys.join(', ')}` : issue.message;
      problems.push({ field: [`${path}.properties`, ...keys].join('.'), message });
    }
  }
  if (problems.length > 0 || !session.success || !properties.success) return { problems };
  const checked = properties.data as Record<string, unknown>;
  return {
    event: {
      eventType: input.eventType,
      sessionId: session.data,
      properties: checked,
      clientTimestamp: input.clientTimestamp ?? null,
      jobId: jobEventTypes.has(input.eventType) ? (checked.jobId as string) : undefined,
    },
  };
}
