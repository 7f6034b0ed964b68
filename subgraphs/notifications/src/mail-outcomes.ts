import type { Logger } from '@jobplatform/config';
import type { PartSpec } from '@jobplatform/service-runtime';
import type { NotificationsDb } from './db.js';

/**
 * Copies the outcome of each email row's mail onto the row: the courier marks the queued mail sent
 * (the SMTP server accepted it) or failed (after its last attempt), and the notification becomes
 * SENT, with the time the mail was sent, or FAILED. One statement over the pending email rows
 * (a partial index) and their mail by key; safe to run on every replica at once.
 */
export async function applyMailOutcomes(db: Pick<NotificationsDb, '$executeRaw'>): Promise<number> {
  return db.$executeRaw`
    UPDATE notifications AS n
       SET status = m.status,
           sent_at = CASE WHEN m.status = 'sent' THEN m.finished_at END
      FROM outbound_mail AS m
     WHERE n.notification_type = 'email' AND n.status = 'pending'
       AND m.id = n.outbound_mail_id AND m.status IN ('sent', 'failed')`;
}

/** The service part that applies mail outcomes every `intervalMs` (as often as the courier looks for mail). */
export function mailOutcomesPart(db: NotificationsDb, options: { intervalMs: number; logger: Logger }): PartSpec {
  return {
    name: 'mail outcomes',
    async start() {
      let running: Promise<unknown> | undefined;
      const timer = setInterval(() => {
        if (running) return;
        running = applyMailOutcomes(db)
          .catch((error: unknown) => options.logger.error({ err: error }, 'copying mail outcomes to notifications failed; trying again'))
          .finally(() => (running = undefined));
      }, options.intervalMs);
      timer.unref();
      return {
        async stop() {
          clearInterval(timer);
          await running;
        },
      };
    },
  };
}
