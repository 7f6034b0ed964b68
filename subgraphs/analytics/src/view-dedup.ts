import { queryRows, type SqlClient } from '@jobplatform/events';
import type { RawEvent } from './rollups.js';

/** Views of one job by one session within this long of the last counted one count once. */
export const VIEW_DEDUP_WINDOW_MS = 30 * 60 * 1000;

const viewKey = (event: RawEvent) => `${event.sessionId}\u0000${String(event.properties.jobId)}`;

/**
 * The events of a batch without the JOB_VIEWs that repeat a view counted in the last 30 minutes by
 * the same session. job_view_sessions holds each (session, job)'s last counted view, shared by all
 * replicas; a repeat is not stored at all, so raw events and rollups agree. Within the batch the
 * first view of a pair is the candidate.
 */
export async function countedViews(tx: SqlClient, batch: readonly RawEvent[]): Promise<RawEvent[]> {
  const firstViews = new Map<string, RawEvent>();
  for (const event of batch) {
    if (event.eventType === 'JOB_VIEW' && event.sessionId !== null && !firstViews.has(viewKey(event))) firstViews.set(viewKey(event), event);
  }
  if (firstViews.size === 0) return [...batch];
  const candidates = [...firstViews.values()];
  const counted = await queryRows<{ session_id: string; job_id: string }>(
    tx,
    `INSERT INTO job_view_sessions AS seen (session_id, job_id, counted_at)
     SELECT * FROM unnest($1::varchar[], $2::bigint[], $3::timestamptz[])
     ON CONFLICT (session_id, job_id) DO UPDATE SET counted_at = EXCLUDED.counted_at
       WHERE seen.counted_at <= EXCLUDED.counted_at - make_interval(secs => $4::double precision / 1000)
     RETURNING session_id, job_id::text`,
    [
      candidates.map((event) => event.sessionId),
      candidates.map((event) => String(event.properties.jobId)),
      candidates.map((event) => event.timestamp.toISOString()),
      VIEW_DEDUP_WINDOW_MS,
    ],
  );
  const countedKeys = new Set(counted.map((row) => `${row.session_id}\u0000${row.job_id}`));
  const kept = new Set(candidates.filter((event) => countedKeys.has(viewKey(event))));
  return batch.filter((event) => event.eventType !== 'JOB_VIEW' || event.sessionId === null || kept.has(event));
}

/** Forgets counted views older than the window: they no longer hold a repeat back. */
export async function sweepViewSessions(tx: SqlClient, now: Date): Promise<number> {
  const [row] = await queryRows<{ swept: number }>(
    tx,
    `WITH swept AS (DELETE FROM job_view_sessions WHERE counted_at < $1::timestamptz RETURNING 1) SELECT count(*)::int AS swept FROM swept`,
    [new Date(now.getTime() - VIEW_DEDUP_WINDOW_MS).toISOString()],
  );
  return row?.swept ?? 0;
}
