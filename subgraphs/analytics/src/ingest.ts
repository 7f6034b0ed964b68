import type { Viewer } from '@jobplatform/auth';
import { invalidField, invalidInput, type FieldProblem } from '@jobplatform/service-runtime';
import type { AnalyticsDb } from './db.js';
import type { EventBuffer } from './event-buffer.js';
import type { RateLimiter } from './rate-limit.js';
import type { RawEvent } from './rollups.js';
import { checkTrackedEvent, MAX_EVENTS_PER_CALL, type CheckedEvent, type TrackEventInput } from './tracked-events.js';

/** Who sent a call, as the gateway reported them. */
export type EventSender = { viewer: Viewer | undefined; clientIp: string | undefined };

export type TrackEventsOutcome = { accepted: number; rejected: { index: number; field: string; message: string }[] };

const KNOWN_JOB_TTL_MS = 60_000;
const KNOWN_JOB_CACHE_SIZE = 100_000;

/**
 * Which job ids the jobs replica has (and not deleted), remembered for a minute, so that a burst of
 * views of popular jobs costs one lookup per job and minute.
 */
function createKnownJobs(db: AnalyticsDb, now: () => Date) {
  const known = new Map<string, number>();
  return async function unknownOf(jobIds: readonly string[]): Promise<Set<string>> {
    const at = now().getTime();
    const toCheck = [...new Set(jobIds)].filter((id) => (known.get(id) ?? 0) <= at);
    if (toCheck.length === 0) return new Set();
    const found = await db.jobReplica.findMany({ where: { id: { in: toCheck.map(BigInt) }, deletedAt: null }, select: { id: true } });
    if (known.size + found.length > KNOWN_JOB_CACHE_SIZE) known.clear();
    for (const { id } of found) known.set(id.toString(), at + KNOWN_JOB_TTL_MS);
    const foundIds = new Set(found.map(({ id }) => id.toString()));
    return new Set(toCheck.filter((id) => !foundIds.has(id)));
  };
}

/**
 * Taking in client events: the call is counted against the session's and the address's rate, each
 * event is checked for its type (tracked-events.ts) and, when it names a job, that the platform has
 * the job, and the valid ones wait in the buffer for the next batch write. Anonymous callers
 * may send events; a signed-in caller's events carry their user id.
 */
export function createIngestService({ db, buffer, rateLimiter, now }: { db: AnalyticsDb; buffer: EventBuffer; rateLimiter: RateLimiter; now: () => Date }) {
  const unknownJobsOf = createKnownJobs(db, now);

  /** Each input checked, with the problems of the invalid ones under their path. */
  async function check(inputs: readonly { input: TrackEventInput; path: string }[]) {
    const results = inputs.map(({ input, path }) => ({ path, ...checkTrackedEvent(input, path) }));
    const jobIds = results.flatMap((result) => ('event' in result && result.event.jobId ? [result.event.jobId] : []));
    const unknown = jobIds.length > 0 ? await unknownJobsOf(jobIds) : new Set<string>();
    return results.map((result): { event: CheckedEvent } | { problems: FieldProblem[] } =>
      'event' in result && result.event.jobId !== undefined && unknown.has(result.event.jobId)
        ? { problems: [{ field: `${result.path}.properties.jobId`, message: 'is not a job on the platform' }] }
        : result,
    );
  }

  /** Every event of a call counts against its rate, valid or not, before any of them costs a lookup. */
  function takeRate(sender: EventSender, inputs: readonly TrackEventInput[]): void {
    const perSession = new Map<string, number>();
    for (const { sessionId } of inputs) perSession.set(String(sessionId).trim(), (perSession.get(String(sessionId).trim()) ?? 0) + 1);
    rateLimiter.take(perSession, sender.clientIp);
  }

  function accept(sender: EventSender, events: readonly CheckedEvent[]): void {
    const receivedAt = now();
    buffer.add(
      events.map((event): RawEvent => ({
        eventType: event.eventType,
        userId: sender.viewer?.userId ?? null,
        sessionId: event.sessionId,
        properties: event.properties,
        timestamp: receivedAt,
        clientTimestamp: event.clientTimestamp,
      })),
    );
  }

  return {
    /** One event: accepted (true), or BAD_USER_INPUT naming each field at fault. */
    async track(sender: EventSender, input: TrackEventInput): Promise<boolean> {
      takeRate(sender, [input]);
      const [result] = await check([{ input, path: 'input' }]);
      if (!result || 'problems' in result) throw invalidInput(result?.problems ?? []);
      accept(sender, [result.event]);
      return true;
    },
    /**
     * Up to 100 events: the valid ones are accepted, each invalid one reported by its index (the
     * index of the input in `inputs`) with its problems.
     */
    async trackMany(sender: EventSender, inputs: readonly TrackEventInput[]): Promise<TrackEventsOutcome> {
      if (inputs.length > MAX_EVENTS_PER_CALL) throw invalidField('inputs', `must hold at most ${MAX_EVENTS_PER_CALL} events`);
      takeRate(sender, inputs);
      const results = await check(inputs.map((input, index) => ({ input, path: `inputs.${index}` })));
      const valid = results.flatMap((result) => ('event' in result ? [result.event] : []));
      if (valid.length > 0) accept(sender, valid);
      return {
        accepted: valid.length,
        rejected: results.flatMap((result, index) => ('problems' in result ? result.problems.map((problem) => ({ index, ...problem })) : [])),
      };
    },
  };
}

export type IngestService = ReturnType<typeof createIngestService>;
