import { queryRows, type SqlClient } from '@jobplatform/events';
import { insertEventsWithRollups, type RawEvent } from './rollups.js';

/** The first day of an instant's UTC month, YYYY-MM-01: the month analytics_events files it under. */
export function monthOf(instant: Date): string {
  return `${instant.toISOString().slice(0, 7)}-01`;
}

/** The first day of the month `months` after (or, negative, before) the month of `month`. */
export function addMonths(month: string, months: number): string {
  const date = new Date(`${month}T00:00:00Z`);
  date.setUTCMonth(date.getUTCMonth() + months, 1);
  return monthOf(date);
}

const PARTITION_NAME = /^analytics_events_(\d{4})_(\d{2})$/;

/** analytics_events_2026_11 for November 2026. */
export const partitionName = (month: string) => `analytics_events_${month.slice(0, 4)}_${month.slice(5, 7)}`;

/**
 * The monthly partitions of analytics_events, one per UTC month (the table's migration has none).
 * Months known to exist are remembered, so a write checks each month once per process.
 */
export function createPartitionKeeper({ retentionMonths, monthsAhead }: { retentionMonths: number; monthsAhead: number }) {
  const known = new Set<string>();

  async function ensureMonths(tx: SqlClient, months: Iterable<string>): Promise<void> {
    const missing = [...new Set(months)].filter((month) => !known.has(month));
    if (missing.length === 0) return;
    // Replicas may make the same month at once: the lock (held to the end of the transaction) lets one
    // through at a time, and IF NOT EXISTS leaves a month another made alone.
    await queryRows(tx, "SELECT count(*)::int AS locked FROM (SELECT pg_advisory_xact_lock(hashtext('analytics_events_partitions'))) AS taken");
    for (const month of missing) {
      const next = addMonths(month, 1);
      // Both months are YYYY-MM-01 strings made by monthOf, so the statement is built from digits only.
      await queryRows(
        tx,
        `CREATE TABLE IF NOT EXISTS "${partitionName(month)}" PARTITION OF analytics_events
         FOR VALUES FROM ('${month} 00:00:00+00') TO ('${next} 00:00:00+00')`,
      );
      known.add(month);
    }
  }

  return {
    /** Makes the partitions that events at these instants fall into. */
    ensureFor: (tx: SqlClient, instants: Iterable<Date>) => ensureMonths(tx, [...instants].map(monthOf)),
    /**
     * Writes raw events with their rollups (insertEventsWithRollups) into their months' partitions,
     * made first where missing; how many were written. A month is remembered as made by the
     * transaction that made it, and if that transaction rolled back the partition is not there:
     * PostgreSQL then refuses the month's next row (no partition found), and the keeper forgets
     * every month it knew, so that the write's retry makes them again instead of failing for as
     * long as the process runs.
     */
    async insertEvents(tx: SqlClient, events: readonly RawEvent[]): Promise<number> {
      await ensureMonths(
        tx,
        events.map((event) => monthOf(event.timestamp)),
      );
      try {
        return await insertEventsWithRollups(tx, events);
      } catch (error) {
        if (/no partition of relation \W?analytics_events\W? found for row/.test(String((error as Error | undefined)?.message))) known.clear();
        throw error;
      }
    },
    /** Makes this month's partition and the next `monthsAhead` ones. */
    makeAhead: (tx: SqlClient, now: Date) =>
      ensureMonths(
        tx,
        Array.from({ length: monthsAhead + 1 }, (_, i) => addMonths(monthOf(now), i)),
      ),
    /**
     * Drops the partitions of months that ended more than `retentionMonths` whole months ago (the
     * current month counts as one). Rollups are separate tables and stay.
     */
    async dropExpired(tx: SqlClient, now: Date): Promise<string[]> {
      const oldestKept = addMonths(monthOf(now), -(retentionMonths - 1));
      const partitions = await queryRows<{ name: string }>(
        tx,
        `SELECT child.relname AS name FROM pg_inherits
         JOIN pg_class child ON child.oid = pg_inherits.inhrelid
         JOIN pg_class parent ON parent.oid = pg_inherits.inhparent
         WHERE parent.relname = 'analytics_events'`,
      );
      const expired = partitions
        .map(({ name }) => ({ name, match: PARTITION_NAME.exec(name) }))
        .filter(({ match }) => match !== null && `${match[1]}-${match[2]}-01` < oldestKept)
        .map(({ name }) => name);
      for (const name of expired) {
        // The name matched PARTITION_NAME, so it is a plain identifier.
        await queryRows(tx, `DROP TABLE "${name}"`);
        for (const month of known) if (month < oldestKept) known.delete(month);
      }
      return expired;
    },
  };
}

export type PartitionKeeper = ReturnType<typeof createPartitionKeeper>;
