import { AppError } from '@jobplatform/service-runtime';
import type { AnalyticsDb } from './db.js';
import type { PartitionKeeper } from './partitions.js';
import { insertEventsWithRollups, type RawEvent } from './rollups.js';
import { countedViews } from './view-dedup.js';

export type EventBufferOptions = {
  db: AnalyticsDb;
  partitions: PartitionKeeper;
  /** Most events written by one statement. */
  batchSize: number;
  /** Most events held; add refuses more. */
  limit: number;
};

/**
 * Accepted client events wait here and are written in batches: one transaction makes sure the
 * months' partitions exist, drops repeated job views (view-dedup.ts), inserts the rest with one
 * multi-row INSERT and adds them to the rollups. A batch that fails goes back to the front and is
 * tried again at the next flush, so an accepted event is only lost if the process dies unflushed:
 * the service's "event buffer" part flushes every interval and once more when it stops.
 */
export function createEventBuffer({ db, partitions, batchSize, limit }: EventBufferOptions) {
  let pending: RawEvent[] = [];
  let flushing: Promise<void> | undefined;
  const written = { events: 0, duplicateViews: 0 };

  async function writeBatch(batch: RawEvent[]): Promise<void> {
    await db.$transaction(async (tx) => {
      await partitions.ensureFor(tx, batch.map((event) => event.timestamp));
      const events = await countedViews(tx, batch);
      written.events += await insertEventsWithRollups(tx, events);
      written.duplicateViews += batch.length - events.length;
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
    /** Totals since start: events written and repeated views dropped. */
    get written(): Readonly<typeof written> {
      return written;
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
