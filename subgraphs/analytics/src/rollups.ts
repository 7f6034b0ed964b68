import { queryRows, type SqlClient } from '@jobplatform/events';

/**
 * The daily rollups, each defined once as SQL over a relation `src` of raw events (event_type,
 * properties, timestamp). Ingest runs them over the rows it has just inserted and adds the counts
 * to the rollup rows (incremental); a repair runs the very same definitions over every raw event of
 * some days after clearing those days, so both ways give the same numbers. A day is a UTC day.
 *
 * - job_analytics: views, apply_clicks, applications of a job.
 * - user_analytics: of an employer's jobs (the job's employer_id in the jobs replica): job_views,
 *   applications, applications_<status> (applications that entered the status that day, pending
 *   counting submissions), hires, and days_to_hire summed over the timed_hires (the hires whose
 *   submission analytics saw).
 * - platform_analytics: new_users, new_jobs, jobs_closed, new_applications, hires, searches, job_views.
 */
const day = `(src."timestamp" AT TIME ZONE 'UTC')::date`;

const jobRollup = `
  INSERT INTO job_analytics (job_id, metric_name, metric_date, metric_value)
  SELECT (src.properties->>'jobId')::bigint, metric.name, ${day}, count(*)::int
  FROM src
  JOIN (VALUES ('JOB_VIEW', 'views'), ('JOB_APPLY_CLICK', 'apply_clicks'), ('application_submitted', 'applications')) AS metric(event_type, name)
    ON metric.event_type = src.event_type
  GROUP BY 1, 2, 3
  ON CONFLICT (job_id, metric_name, metric_date) DO UPDATE SET metric_value = job_analytics.metric_value + EXCLUDED.metric_value`;

const isHire = `(src.event_type = 'application_status_changed' AND src.properties->>'toStatus' = 'hired')`;

const userRollup = `
  INSERT INTO user_analytics (user_id, metric_name, metric_date, metric_value)
  SELECT job.employer_id, metric.name, ${day}, sum(metric.value)
  FROM src
  JOIN job_replicas AS job ON job.id = (src.properties->>'jobId')::bigint
  CROSS JOIN LATERAL (VALUES
    ('job_views', CASE WHEN src.event_type = 'JOB_VIEW' THEN 1 END),
    ('applications', CASE WHEN src.event_type = 'application_submitted' THEN 1 END),
    ('applications_pending', CASE WHEN src.event_type = 'application_submitted' THEN 1 END),
    ('applications_' || (src.properties->>'toStatus'), CASE WHEN src.event_type = 'application_status_changed' THEN 1 END),
    ('hires', CASE WHEN ${isHire} THEN 1 END),
    ('timed_hires', CASE WHEN ${isHire} AND src.properties ? 'daysToHire' THEN 1 END),
    ('days_to_hire', CASE WHEN ${isHire} THEN (src.properties->>'daysToHire')::numeric END)
  ) AS metric(name, value)
  WHERE src.event_type IN ('JOB_VIEW', 'application_submitted', 'application_status_changed') AND metric.value IS NOT NULL
  GROUP BY 1, 2, 3
  ON CONFLICT (user_id, metric_name, metric_date) DO UPDATE SET metric_value = user_analytics.metric_value + EXCLUDED.metric_value`;

const platformRollup = `
  INSERT INTO platform_analytics (metric_name, metric_date, metric_value)
  SELECT metric.name, ${day}, count(*)
  FROM src
  JOIN (VALUES
    ('user_registered', 'new_users'), ('job_created', 'new_jobs'), ('job_closed', 'jobs_closed'),
    ('application_submitted', 'new_applications'), ('search_performed', 'searches'), ('JOB_VIEW', 'job_views')
  ) AS metric(event_type, name) ON metric.event_type = src.event_type
  GROUP BY 1, 2
  UNION ALL
  SELECT 'hires', ${day}, count(*) FROM src WHERE ${isHire} GROUP BY 2
  ON CONFLICT (metric_name, metric_date) DO UPDATE SET metric_value = platform_analytics.metric_value + EXCLUDED.metric_value`;

const rollupsOverSrc = `job_rollup AS (${jobRollup}), user_rollup AS (${userRollup}), platform_rollup AS (${platformRollup})`;

/** A raw event as analytics_events stores it. */
export type RawEvent = {
  eventType: string;
  userId: string | null;
  sessionId: string | null;
  properties: Record<string, unknown>;
  timestamp: Date;
  clientTimestamp: Date | null;
};

/**
 * Writes raw events with one multi-row INSERT and adds them to the rollups in the same statement,
 * in the caller's transaction. Their months' partitions must exist.
 */
export async function insertEventsWithRollups(tx: SqlClient, events: readonly RawEvent[]): Promise<number> {
  if (events.length === 0) return 0;
  const [row] = await queryRows<{ written: number }>(
    tx,
    `WITH src AS (
       INSERT INTO analytics_events (event_type, user_id, session_id, properties, "timestamp", client_timestamp)
       SELECT * FROM unnest($1::varchar[], $2::bigint[], $3::varchar[], $4::jsonb[], $5::timestamptz[], $6::timestamptz[])
       RETURNING event_type, properties, "timestamp"
     ), ${rollupsOverSrc}
     SELECT count(*)::int AS written FROM src`,
    [
      events.map((event) => event.eventType),
      events.map((event) => event.userId),
      events.map((event) => event.sessionId),
      events.map((event) => JSON.stringify(event.properties)),
      events.map((event) => event.timestamp.toISOString()),
      events.map((event) => event.clientTimestamp?.toISOString() ?? null),
    ],
  );
  return row?.written ?? 0;
}

/**
 * Builds the rollups of the UTC days `from` to `to` (YYYY-MM-DD, both included) again from the raw
 * events of those days: what a repair does after a bug, a lost increment or a restore. The rollup
 * tables are locked against ingest meanwhile, so no increment lands between the clearing and the
 * rebuild. Days whose raw events are past retention come back empty: repair only kept days.
 */
export async function rebuildRollups(tx: SqlClient, from: string, to: string): Promise<{ jobRows: number; userRows: number; platformRows: number }> {
  await queryRows(tx, 'LOCK TABLE job_analytics, user_analytics, platform_analytics IN SHARE ROW EXCLUSIVE MODE');
  for (const table of ['job_analytics', 'user_analytics', 'platform_analytics']) {
    await queryRows(tx, `WITH cleared AS (DELETE FROM ${table} WHERE metric_date BETWEEN $1::date AND $2::date RETURNING 1) SELECT count(*)::int AS n FROM cleared`, [from, to]);
  }
  await queryRows(
    tx,
    `WITH src AS (
       SELECT event_type, properties, "timestamp" FROM analytics_events
       WHERE "timestamp" >= ($1::date)::timestamp AT TIME ZONE 'UTC' AND "timestamp" < ($2::date + 1)::timestamp AT TIME ZONE 'UTC'
     ), ${rollupsOverSrc}
     SELECT 1`,
    [from, to],
  );
  const [counts] = await queryRows<{ job_rows: number; user_rows: number; platform_rows: number }>(
    tx,
    `SELECT (SELECT count(*)::int FROM job_analytics WHERE metric_date BETWEEN $1::date AND $2::date) AS job_rows,
            (SELECT count(*)::int FROM user_analytics WHERE metric_date BETWEEN $1::date AND $2::date) AS user_rows,
            (SELECT count(*)::int FROM platform_analytics WHERE metric_date BETWEEN $1::date AND $2::date) AS platform_rows`,
    [from, to],
  );
  return { jobRows: counts?.job_rows ?? 0, userRows: counts?.user_rows ?? 0, platformRows: counts?.platform_rows ?? 0 };
}
