import type { NotificationsDb } from './db.js';
import { deliveredChannels, notificationEvents, type DeliveredChannel, type NotificationEventName, type TemplateText } from './notification-events.js';

/** An event's templates by channel: the stored ones, the defaults where none is stored yet, none where inactive. */
export type EventTemplates = Partial<Record<DeliveredChannel, TemplateText>>;

type TemplateRow = { event: string; notification_type: string; subject: string; body: string; is_active: boolean };

/** How long a replica may go on using templates it read: another replica's change reaches it within this. */
export const TEMPLATES_MAX_AGE_MS = 5_000;

/**
 * The stored templates as the consumers read them, for every batch of events: read in one statement
 * (every template; there is one per event and delivered channel) and kept for up to maxAgeMs.
 * Templates change rarely, and reading them was a statement per batch. Staleness:
 * - in this process, none: an upsert calls invalidate() once it has committed, and the next batch
 *   reads them again (a batch already under way keeps what it read, as it would with any read);
 * - in another replica, at most maxAgeMs (5 s by default) from its last read until it reads them
 *   again, so every replica renders a changed template within maxAgeMs of the change committing.
 * One read at a time: batches arriving while it runs wait for it rather than each reading.
 */
export function createStoredTemplates({ db, maxAgeMs = TEMPLATES_MAX_AGE_MS, clock = () => performance.now() }: { db: NotificationsDb; maxAgeMs?: number; clock?: () => number }) {
  type Loaded = { readAt: number; byEvent: Promise<Map<NotificationEventName, EventTemplates>> };
  let loaded: Loaded | undefined;
  const stats = { reads: 0, hits: 0 };

  async function read(): Promise<Map<NotificationEventName, EventTemplates>> {
    const rows = await db.$queryRaw<TemplateRow[]>`SELECT event, notification_type, subject, body, is_active FROM notification_templates`;
    const stored = new Map(rows.map((row) => [`${row.event}/${row.notification_type}`, row]));
    return new Map(
      (Object.keys(notificationEvents) as NotificationEventName[]).map((event) => {
        const texts: EventTemplates = {};
        for (const channel of deliveredChannels) {
          const row = stored.get(`${event}/${channel}`);
          if (!row) texts[channel] = notificationEvents[event].defaults[channel];
          else if (row.is_active) texts[channel] = { subject: row.subject, body: row.body };
        }
        return [event, texts];
      }),
    );
  }

  return {
    /** Every event's templates, read again when the last read is older than maxAgeMs or was invalidated. */
    async byEvent(): Promise<Map<NotificationEventName, EventTemplates>> {
      const now = clock();
      if (loaded && now - loaded.readAt < maxAgeMs) {
        stats.hits += 1;
        return loaded.byEvent;
      }
      stats.reads += 1;
      // Aged from when the read starts, so that what it returns is never older than maxAgeMs.
      const reading: Loaded = { readAt: now, byEvent: read() };
      loaded = reading;
      // A failed read is not kept: the next batch tries again.
      reading.byEvent.catch(() => {
        if (loaded === reading) loaded = undefined;
      });
      return reading.byEvent;
    },

    /** After a template changed in this process: the next batch reads them again. */
    invalidate(): void {
      loaded = undefined;
    },

    /** Reads and cache hits so far (tests and the statement-count test's reasoning). */
    stats,
  };
}

export type StoredTemplates = ReturnType<typeof createStoredTemplates>;
