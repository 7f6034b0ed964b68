import { queryRows, userErasureCompletedSubject, type EventEnvelope, type SqlClient } from '@jobplatform/events';
import { analyticsOutbox } from './events.js';

/** What the erasure did, reported to users in analytics.user_erasure.completed.v1. */
export type UserErasureSummary = { anonymisedEvents: number; forgottenViewSessions: number };

/**
 * The analytics part of the account-erasure saga, run by the analytics-user-erasure consumer for
 * users.user.deleted.v1 inside the transaction that also records the event as processed. Raw events
 * lose the person: the user id and the session id of every event the user sent or a platform fact
 * about them, the session id of the anonymous events of the same sessions (before they signed in),
 * and the viewed user of PROFILE_VIEWs of them. Which views a session counted goes too. The rollups
 * stay: they count, and name no one but the employer whose totals they are. Running it again (users
 * asks again when a reply is late) finds nothing left and reports zeros.
 */
export async function eraseUserFromAnalytics(
  tx: SqlClient,
  event: EventEnvelope<'users.user.deleted.v1'>,
  options: { traceparent: string; now: Date },
): Promise<UserErasureSummary> {
  const userId = event.data.userId;
  const sessions = (
    await queryRows<{ session_id: string }>(tx, 'SELECT DISTINCT session_id FROM analytics_events WHERE user_id = $1::bigint AND session_id IS NOT NULL', [userId])
  ).map((row) => row.session_id);
  const [views] = await queryRows<{ forgotten: number }>(
    tx,
    'WITH gone AS (DELETE FROM job_view_sessions WHERE session_id = ANY($1::varchar[]) RETURNING 1) SELECT count(*)::int AS forgotten FROM gone',
    [sessions],
  );
  const [events] = await queryRows<{ anonymised: number }>(
    tx,
    `WITH changed AS (
       UPDATE analytics_events
       SET user_id = CASE WHEN user_id = $1::bigint THEN NULL ELSE user_id END,
           session_id = CASE WHEN user_id = $1::bigint OR session_id = ANY($2::varchar[]) THEN NULL ELSE session_id END,
           properties = CASE WHEN event_type = 'PROFILE_VIEW' AND properties->>'userId' = $3::text THEN properties - 'userId' ELSE properties END
       WHERE user_id = $1::bigint OR session_id = ANY($2::varchar[]) OR (event_type = 'PROFILE_VIEW' AND properties->>'userId' = $3::text)
       RETURNING 1
     ) SELECT count(*)::int AS anonymised FROM changed`,
    [userId, sessions, userId],
  );
  const summary: UserErasureSummary = { anonymisedEvents: events?.anonymised ?? 0, forgottenViewSessions: views?.forgotten ?? 0 };
  await analyticsOutbox.record(
    tx,
    userErasureCompletedSubject('analytics'),
    { userId, service: 'analytics', completedAt: options.now.toISOString(), summary },
    { traceparent: options.traceparent },
  );
  return summary;
}
