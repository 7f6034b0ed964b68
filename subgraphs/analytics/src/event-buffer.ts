import { Counter, Gauge, type Registry } from 'prom-client';
import { AppError } from '@jobplatform/service-runtime';
import type { AnalyticsDb } from './db.js';
import type { PartitionKeeper } from './partitions.js';
import type { RawEvent } from './rollups.js';
import { countedViews } from './view-dedup.js';

export type EventBufferOptions = {
  db: AnalyticsDb;
  partitions: PartitionKeeper;
  /** Most events written by one statement. */
  batchSize: number;
  /** Most events held; add refuses more. */
  limit: number;
  /** The service's /metrics registry. */
  registry: Registry;
};

/**
 * Accepted client events wait here and are written in batches: one transaction makes sure the
 * months' partitions exist, drops repeated job views (view-dedup.ts), inserts the rest with one
 * multi-row INSERT and adds them to the rollups. A batch that fails goes back to the front and is
 * tried again at the next flush, so an accepted event is only lost if the process dies unflushed:
 * the service's "event buffer" part flushes every interval and once more when it stops.
 */
export function createEventBuffer({ db, partitions, batchSize, limit, registry }: EventBufferOptions) {
  let pending: RawEvent[] = [];
  let flushing: Promise<void> | undefined;
  const written = new Counter({ name: 'analytics_events_written_total', help: 'Client events written to analytics_events.', registers: [registry] });
  const repeats = new Counter({ name: 'analytics_repeated_views_total', help: 'JOB_VIEWs not stored: the session viewed the job within 30 minutes.', registers: [registry] });
  const failures = new Counter({ name: 'analytics_buffer_write_failures_total', help: 'Batches that failed to write and stayed buffered.', registers: [registry] });
  new Gauge({
    name: 'analytics_buffered_events',
    help: 'Accepted client events waiting to be written.',
    registers: [registry],
    collect() {
      this.set(pending.length);
    },
  });

  async function writeBatch(batch: RawEvent[]): Promise<void> {
    await db.$transaction(async (tx) => {
      const events = await countedViews(tx, batch);
      written.inc(await partitions.insertEvents(tx, events));
      repeats.inc(batch.length - events.length);
    });
  }

  async function drain(): Promise<void> {
    while (pending.length > 0) {
      const batch = pending.slice(0, batchSize);
      pending = pending.slice(batch.length);
      try {
        await writeBatch(batch);
      } catch (error) {
        pending = [...batch, ...pending];
        failures.inc();
        throw error;
      }
    }
  }

  return {
    /** Takes events for writing, or refuses them all when the buffer is full. */
    add(events: readonly RawEvent[]): void {
      if (pending.length + events.length > limit) {
        throw new AppError('TOO_MANY_REQUESTS', 'Analytics is taking in too many events right now. Try again in a second.', { retryAfterSeconds: 1 });
      }
      pending.push(...events);
    },
    get size(): number {
      return pending.length;
    },
    /**
     * Writes everything buffered so far; a flush already under way is awaited first. Rejects with
     * the database's error (the events stay buffered).
     */
    async flush(): Promise<void> {
      while (flushing) await flushing.catch(() => undefined);
      if (pending.length === 0) return;
      flushing = drain().finally(() => (flushing = undefined));
      await flushing;
    },
    /** Whether a full batch waits, worth writing before the interval ends. */
    get hasFullBatch(): boolean {
      return pending.length >= batchSize;
    },
  };
}

export type EventBuffer = ReturnType<typeof createEventBuffer>;
