import type { Logger } from '@jobplatform/config';
import type { PartSpec } from '@jobplatform/service-runtime';
import type { SearchDb, Tx } from './db.js';
import { searchOutbox } from './events.js';

export type DigestFrequency = 'daily' | 'weekly';

const DAY_MS = 86_400_000;
/** At most this many jobs per saved search in one digest, newest first (the event's limit). */
const JOBS_PER_SEARCH = 100;

/** The end of the last whole period before `now` (UTC): today's midnight, or this week's Monday midnight. */
export function lastPeriodEnd(frequency: DigestFrequency, now: Date): Date {
  const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  if (frequency === 'daily') return new Date(midnight);
  const daysSinceMonday = (now.getUTCDay() + 6) % 7;
  return new Date(midnight - daysSinceMonday * DAY_MS);
}

const periodLength = (frequency: DigestFrequency) => (frequency === 'daily' ? DAY_MS : 7 * DAY_MS);

/**
 * Sends the digests of one frequency whose period has ended: each owner's matches from before the
 * period's end, grouped by saved search, as one search.saved_search.matched.v1. One transaction
 * takes (deletes) the waiting rows of the frequency and writes the events, so a digest goes out
 * once even when the service stops halfway or several replicas run this at once: a second replica's
 * delete waits for the first and then finds the rows gone. Jobs closed since they matched, and saved
 * searches deleted since, are left out; an owner with nothing left gets no digest. Returns how many
 * digests were written.
 */
export async function sendDueDigests(db: SearchDb, frequency: DigestFrequency, now: Date): Promise<number> {
  const periodEnd = lastPeriodEnd(frequency, now);
  const periodStart = new Date(periodEnd.getTime() - periodLength(frequency));
  return db.$transaction(async (tx) => {
    const owners = new Map<string, { savedSearchId: string; name: string; jobIds: string[] }[]>();
    for (const row of await takeDueMatches(tx, frequency, periodEnd)) {
      const matches = owners.get(row.userId) ?? [];
      matches.push({ savedSearchId: row.savedSearchId, name: row.name, jobIds: row.jobIds });
      owners.set(row.userId, matches);
    }
    const digests = [...owners].map(([userId, matches]) => ({
      subject: 'search.saved_search.matched.v1' as const,
      data: { userId, alertFrequency: frequency, periodStart: periodStart.toISOString(), periodEnd: periodEnd.toISOString(), matches },
    }));
    await searchOutbox.recordMany(tx, digests);
    return digests.length;
  });
}

/**
 * Deletes the frequency's rows of jobs matched before the period's end and returns their matches,
 * one row per saved search that still exists with the newest JOBS_PER_SEARCH of its jobs that are
 * still open, in owner and saved-search order.
 */
function takeDueMatches(tx: Tx, frequency: DigestFrequency, periodEnd: Date) {
  return tx.$queryRawUnsafe<{ userId: string; savedSearchId: string; name: string; jobIds: string[] }[]>(
    `WITH due AS (
       DELETE FROM saved_search_digest_matches WHERE alert_frequency = $1 AND matched_at < $2::timestamptz
       RETURNING job_id, saved_search_ids, matched_at
     ), matches AS (
       SELECT s.user_id, s.id, s.name, due.job_id,
              row_number() OVER (PARTITION BY s.id ORDER BY due.matched_at DESC, due.job_id DESC) AS newest
       FROM due
       CROSS JOIN LATERAL unnest(due.saved_search_ids) AS matched (saved_search_id)
       JOIN saved_searches s ON s.id = matched.saved_search_id
       JOIN search_indexes j ON j.entity_type = 'job' AND j.entity_id = due.job_id AND j.is_active
     )
     SELECT user_id::text AS "userId", id::text AS "savedSearchId", name, array_agg(job_id::text ORDER BY newest) AS "jobIds"
     FROM matches WHERE newest <= ${JOBS_PER_SEARCH}
     GROUP BY user_id, id, name
     ORDER BY user_id, id`,
    frequency,
    periodEnd,
  );
}

/**
 * The digest scheduler, a part of the service: every intervalMs it sends the DAILY and WEEKLY
 * digests that are due. Its state is the matches still in search_db, so a restart picks up where
 * it stopped, and a digest already sent is never sent again.
 */
export function digestSchedulerPart(db: SearchDb, options: { intervalMs: number; now: () => Date; logger: Logger }): PartSpec {
  return {
    name: 'saved-search digests',
    start: async () => {
      let running: Promise<void> | undefined;
      const tick = () => {
        running ??= (async () => {
          try {
            for (const frequency of ['daily', 'weekly'] as const) {
              const sent = await sendDueDigests(db, frequency, options.now());
              if (sent > 0) options.logger.info({ frequency, digests: sent }, 'saved-search digests sent');
            }
          } catch (error) {
            options.logger.error({ err: error }, 'saved-search digests failed; trying again at the next tick');
          } finally {
            running = undefined;
          }
        })();
      };
      const timer = setInterval(tick, options.intervalMs);
      tick();
      return {
        stop: async () => {
          clearInterval(timer);
          await running;
        },
      };
    },
  };
}
