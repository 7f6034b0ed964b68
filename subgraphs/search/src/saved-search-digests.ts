import type { Logger } from '@jobplatform/config';
import type { PartSpec } from '@jobplatform/service-runtime';
import type { SearchDb, Tx } from './db.js';
import { searchOutbox } from './events.js';

export type DigestFrequency = 'daily' | 'weekly';

const DAY_MS = 86_400_000;
/** At most this many jobs per saved search in one digest, newest first (the event's limit). */
const JOBS_PER_SEARCH = 100;
/** Owners per transaction: a long backlog is sent in several short transactions. */
const OWNERS_PER_BATCH = 100;

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
 * period's end, grouped by saved search, as one search.saved_search.matched.v1, with the matches
 * deleted in the same transaction. So a digest goes out once even when the service stops halfway or
 * several replicas run this at once (rows taken with FOR UPDATE SKIP LOCKED), and the table holds only
 * what is still to be sent. Jobs closed since they matched are left out, and an owner
 * whose jobs all closed gets no digest. Returns how many digests were written.
 */
export async function sendDueDigests(db: SearchDb, frequency: DigestFrequency, now: Date): Promise<number> {
  const periodEnd = lastPeriodEnd(frequency, now);
  const periodStart = new Date(periodEnd.getTime() - periodLength(frequency));
  let sent = 0;
  for (;;) {
    const batch = await db.$transaction(async (tx) => {
      const rows = await takeDueMatches(tx, frequency, periodEnd);
      if (rows.length === 0) return { owners: 0, digests: 0 };
      const owners = new Map<bigint, Map<bigint, { name: string; jobIds: string[] }>>();
      for (const row of rows) {
        if (!row.isActive) continue;
        const searches = owners.get(row.userId) ?? new Map<bigint, { name: string; jobIds: string[] }>();
        const search = searches.get(row.savedSearchId) ?? { name: row.name, jobIds: [] };
        if (search.jobIds.length < JOBS_PER_SEARCH) search.jobIds.push(row.jobId.toString());
        searches.set(row.savedSearchId, search);
        owners.set(row.userId, searches);
      }
      for (const [userId, searches] of owners) {
        await searchOutbox.record(tx, 'search.saved_search.matched.v1', {
          userId: userId.toString(),
          alertFrequency: frequency,
          periodStart: periodStart.toISOString(),
          periodEnd: periodEnd.toISOString(),
          matches: [...searches].map(([savedSearchId, search]) => ({ savedSearchId: savedSearchId.toString(), name: search.name, jobIds: search.jobIds })),
        });
      }
      await tx.$executeRawUnsafe(
        `DELETE FROM saved_search_matches WHERE (saved_search_id, job_id) IN (SELECT * FROM unnest($1::bigint[], $2::bigint[]))`,
        rows.map((row) => row.savedSearchId),
        rows.map((row) => row.jobId),
      );
      return { owners: new Set(rows.map((row) => row.userId)).size, digests: owners.size };
    });
    sent += batch.digests;
    if (batch.owners < OWNERS_PER_BATCH) return sent;
  }
}

/** The matches of up to OWNERS_PER_BATCH owners, locked, newest job first per saved search. */
function takeDueMatches(tx: Tx, frequency: DigestFrequency, periodEnd: Date) {
  return tx.$queryRawUnsafe<{ savedSearchId: bigint; jobId: bigint; userId: bigint; name: string; isActive: boolean }[]>(
    `WITH owners AS (
       SELECT DISTINCT s.user_id FROM saved_search_matches m JOIN saved_searches s ON s.id = m.saved_search_id
       WHERE m.matched_at < $2::timestamptz AND s.alert_frequency = $1
       ORDER BY s.user_id LIMIT ${OWNERS_PER_BATCH}
     )
     SELECT m.saved_search_id AS "savedSearchId", m.job_id AS "jobId", s.user_id AS "userId", s.name, coalesce(j.is_active, false) AS "isActive"
     FROM saved_search_matches m
     JOIN saved_searches s ON s.id = m.saved_search_id
     LEFT JOIN search_indexes j ON j.entity_type = 'job' AND j.entity_id = m.job_id
     WHERE m.matched_at < $2::timestamptz AND s.alert_frequency = $1 AND s.user_id IN (SELECT user_id FROM owners)
     ORDER BY s.user_id, m.saved_search_id, m.matched_at DESC, m.job_id DESC
     FOR UPDATE OF m SKIP LOCKED`,
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
