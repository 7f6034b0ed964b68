import { Counter, type Registry } from 'prom-client';
import type { Logger } from '@jobplatform/config';
import type { PlannedNotification } from './application-notifications.js';
import type { NotificationRow, Tx } from './db.js';
import { notificationsOutbox } from './events.js';
import { deliveredChannels, notificationEvents, type DeliveredChannel, type NotificationEventName, type TemplateText, type TemplateValues } from './notification-events.js';
import { oneLine, renderTemplate, type TemplateCache } from './template-language.js';

/** A recipient as the replicas know them when the notification is made, with the channels they turned off. */
type Recipient = { id: bigint; username: string | null; email: string | null; disabled: string[] };

/** The email row of a notification and what its mail is made of. */
export type QueuedEmail = { row: NotificationRow; to: string; subject: string; text: string };

/**
 * Queues an email row's mail in the same transaction and returns the queued mail's id; undefined
 * leaves the row pending with no mail (no mail transport in this service).
 */
export type EmailQueue = (tx: Tx, email: QueuedEmail) => Promise<string | undefined>;

export type DeliverySummary = { inApp: number; email: number };

/** How many job titles a notification about several jobs lists (job_titles). */
const LISTED_JOBS = 5;

type RecipientRow = { id: bigint; username: string | null; is_active: boolean | null; deleted_at: Date | null; email: string | null; disabled: string[] };

/**
 * Makes the rows of one planned notification, in the consumer's transaction:
 * - each recipient still active, and not erased, per the users replica (a recipient the replica has
 *   not heard of yet is taken at the event's word); their replica rows are locked shared until the
 *   transaction ends, so an erasure running meanwhile either comes first (and the recipient is
 *   skipped) or waits and then deletes these rows too;
 * - per channel the platform delivers: none when the recipient turned it off or its template is not
 *   active. An in_app row is sent at once and announced with notifications.notification.created.v1;
 *   an email row is made only for a verified address, pending until the mail courier sends it.
 * A row already made for the same event, recipient and channel is left as it is.
 */
export function createNotificationDelivery(deps: { now: () => Date; logger: Logger; registry: Registry; templates: TemplateCache; queueEmail?: EmailQueue }) {
  const created = new Counter({
    name: 'notifications_created_total',
    help: 'Notifications made, by notification event and channel.',
    labelNames: ['event', 'channel'] as const,
    registers: [deps.registry],
  });

  /** The event's templates by channel: the stored ones, the defaults where none is stored yet, none where inactive. */
  async function templatesOf(tx: Tx, event: NotificationEventName): Promise<Partial<Record<DeliveredChannel, TemplateText>>> {
    const stored = await tx.notificationTemplate.findMany({ where: { event } });
    const texts: Partial<Record<DeliveredChannel, TemplateText>> = {};
    for (const channel of deliveredChannels) {
      const row = stored.find((template) => template.notificationType === channel);
      if (!row) texts[channel] = notificationEvents[event].defaults[channel];
      else if (row.isActive) texts[channel] = { subject: row.subject, body: row.body };
    }
    return texts;
  }

  function render(text: TemplateText, values: TemplateValues, event: NotificationEventName, channel: DeliveredChannel): { title: string; message: string } {
    try {
      return { title: oneLine(renderTemplate(deps.templates(text.subject), values)), message: renderTemplate(deps.templates(text.body), values).trim() };
    } catch (error) {
      // Checked when saved, so this is a value missing at run time: the default still says what happened.
      deps.logger.warn({ err: error, event, channel }, 'notification template failed to render; the default template is used');
      const fallback = notificationEvents[event].defaults[channel];
      return { title: oneLine(renderTemplate(deps.templates(fallback.subject), values)), message: renderTemplate(deps.templates(fallback.body), values).trim() };
    }
  }

  /**
   * The recipients, their verified addresses and the channels they turned off, in one statement
   * (it runs for every event). Their replica rows are locked shared (the CTE runs whether or not a
   * row matches), in id order so that two transactions never wait on each other.
   */
  async function recipientsOf(tx: Tx, ids: bigint[]): Promise<Recipient[]> {
    const sorted = [...new Set(ids)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const rows = await tx.$queryRaw<RecipientRow[]>`
      WITH locked AS (SELECT id, username, is_active, deleted_at FROM user_replicas WHERE id = ANY(${sorted}::bigint[]) ORDER BY id FOR SHARE)
      SELECT ids.id, l.username, l.is_active, l.deleted_at,
        (SELECT c.email FROM recipient_contacts c WHERE c.user_id = ids.id AND c.is_verified AND c.email <> '') AS email,
        ARRAY(SELECT p.notification_type::text FROM user_notification_preferences p WHERE p.user_id = ids.id AND NOT p.is_enabled) AS disabled
      FROM unnest(${sorted}::bigint[]) AS ids(id) LEFT JOIN locked l ON l.id = ids.id
      ORDER BY ids.id`;
    return rows
      .filter((row) => row.is_active === null || (row.is_active && row.deleted_at === null))
      .map((row) => ({ id: BigInt(row.id), username: row.username, email: row.email, disabled: row.disabled }));
  }

  /**
   * What the event's ids stand for, with words for what is not known yet: for one job its title,
   * company and applicant (one statement); for several, up to five titles (one statement).
   */
  async function namesOf(tx: Tx, planned: PlannedNotification): Promise<TemplateValues> {
    const names: TemplateValues = {};
    if (planned.jobId !== undefined) {
      const [row] = await tx.$queryRaw<{ job_title: string | null; company_name: string | null; applicant_name: string | null }[]>`
        SELECT j.title AS job_title, c.name AS company_name,
          (SELECT u.username FROM user_replicas u WHERE u.id = ${planned.applicantId ?? null}::bigint) AS applicant_name
        FROM (SELECT 1) AS one
        LEFT JOIN job_replicas j ON j.id = ${planned.jobId}::bigint
        LEFT JOIN company_replicas c ON c.id = j.company_id`;
      names.job_title = row?.job_title ?? `job ${planned.jobId}`;
      names.company_name = row?.company_name ?? 'the company';
      if (planned.applicantId !== undefined) names.applicant_name = row?.applicant_name ?? 'An applicant';
    }
    if (planned.listedJobIds !== undefined) {
      const listed = planned.listedJobIds.slice(0, LISTED_JOBS);
      const rows = await tx.jobReplica.findMany({ where: { id: { in: listed } }, select: { id: true, title: true } });
      const titleOf = new Map(rows.map((row) => [row.id, row.title]));
      names.job_titles = listed.map((id) => titleOf.get(id) ?? `job ${id}`).join(', ');
    }
    return names;
  }

  return {
    async deliver(tx: Tx, planned: PlannedNotification, options: { traceparent: string }): Promise<DeliverySummary> {
      const recipients = await recipientsOf(tx, planned.recipientIds);
      if (recipients.length === 0) return { inApp: 0, email: 0 };
      const templates = await templatesOf(tx, planned.event);
      const values = { ...planned.values, ...(await namesOf(tx, planned)) };
      const now = deps.now();

      const rows = [];
      const mailTo = new Map<bigint, string>();
      for (const recipient of recipients) {
        const recipientValues = { ...values, recipient_name: recipient.username ?? 'there' };
        for (const channel of deliveredChannels) {
          const text = templates[channel];
          if (!text || recipient.disabled.includes(channel)) continue;
          if (channel === 'email' && !recipient.email) continue;
          if (channel === 'email') mailTo.set(recipient.id, recipient.email!);
          rows.push({
            userId: recipient.id,
            notificationType: channel,
            event: planned.event,
            ...render(text, recipientValues, planned.event, channel),
            metadata: planned.metadata,
            sourceEventId: planned.sourceEventId,
            status: channel === 'in_app' ? 'sent' : 'pending',
            createdAt: now,
            sentAt: channel === 'in_app' ? now : null,
          });
        }
      }
      if (rows.length === 0) return { inApp: 0, email: 0 };
      const made = await tx.notification.createManyAndReturn({ data: rows, skipDuplicates: true });

      const inApp = made.filter((row) => row.notificationType === 'in_app');
      await notificationsOutbox.recordMany(
        tx,
        inApp.map((row) => ({
          subject: 'notifications.notification.created.v1' as const,
          data: { notificationId: row.id.toString(), recipientId: row.userId.toString(), notificationType: 'in_app' as const },
          traceparent: options.traceparent,
        })),
      );
      const emails = made.filter((row) => row.notificationType === 'email');
      for (const row of emails) {
        const mailId = await deps.queueEmail?.(tx, { row, to: mailTo.get(row.userId)!, subject: row.title, text: row.message });
        if (mailId) await tx.notification.update({ where: { id: row.id }, data: { outboundMailId: mailId } });
      }
      for (const row of made) created.inc({ event: planned.event, channel: row.notificationType });
      return { inApp: inApp.length, email: emails.length };
    },
  };
}

export type NotificationDelivery = ReturnType<typeof createNotificationDelivery>;
