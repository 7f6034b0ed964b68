import { Counter, type Registry } from 'prom-client';
import type { Logger } from '@jobplatform/config';
import { enqueueMails, newMailId } from '@jobplatform/mail';
import { statement, type LeanTx } from '@jobplatform/service-runtime';
import type { PlannedNotification } from './application-notifications.js';
import { notificationsOutbox } from './events.js';
import { deliveredChannels, notificationEvents, type DeliveredChannel, type NotificationEventName, type TemplateText, type TemplateValues } from './notification-events.js';
import type { StoredTemplates } from './stored-templates.js';
import { oneLine, renderTemplate, type TemplateCache } from './template-language.js';

/** A recipient as the replicas know them when the notification is made, with the channels they turned off. */
type Recipient = { id: bigint; username: string | null; email: string | null; disabled: string[] };

/** A notification to make, and the trace its announcement continues. */
export type NotificationToDeliver = { planned: PlannedNotification; traceparent: string };

export type DeliverySummary = { inApp: number; email: number };

/** How many job titles a notification about several jobs lists (job_titles). */
const LISTED_JOBS = 5;

type RecipientRow = { id: bigint; username: string | null; is_active: boolean | null; deleted_at: Date | null; email: string | null; disabled: string[] };

const byId = (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0);

type NewNotification = {
  userId: bigint;
  notificationType: DeliveredChannel;
  event: NotificationEventName;
  title: string;
  message: string;
  metadata: Record<string, string | string[]>;
  sourceEventId: string;
  status: 'sent' | 'pending';
  outboundMailId: string | null;
  createdAt: Date;
  sentAt: Date | null;
};
type MadeNotification = Pick<NewNotification, 'userId' | 'notificationType' | 'event' | 'title' | 'message' | 'sourceEventId' | 'outboundMailId'> & { id: bigint };

/**
 * Inserts the rows in one statement, a column per array whatever their number (so the statement's
 * text never changes), and returns those that were new: a row for the same event, recipient and
 * channel is left as it is. Prisma's createManyAndReturn compiled a query with every row's values
 * on each call, a large share of the consumer's CPU.
 */
async function insertNew(tx: LeanTx, rows: NewNotification[]): Promise<MadeNotification[]> {
  const column = <T>(of: (row: NewNotification) => T) => rows.map(of);
  return tx.rows<MadeNotification>(statement`
    INSERT INTO notifications (user_id, title, message, notification_type, status, event, metadata, source_event_id, outbound_mail_id, created_at, sent_at)
    SELECT user_id, title, message, notification_type, status, event, metadata::jsonb, source_event_id, outbound_mail_id, created_at, sent_at
    FROM unnest(
      ${column((row) => row.userId)}::bigint[], ${column((row) => row.title)}::text[], ${column((row) => row.message)}::text[],
      ${column((row) => row.notificationType)}::text[], ${column((row) => row.status)}::text[], ${column((row) => row.event)}::text[],
      ${column((row) => JSON.stringify(row.metadata))}::text[], ${column((row) => row.sourceEventId)}::text[], ${column((row) => row.outboundMailId)}::text[],
      ${column((row) => row.createdAt.toISOString())}::timestamptz[], ${column((row) => row.sentAt?.toISOString() ?? null)}::timestamptz[]
    ) AS new(user_id, title, message, notification_type, status, event, metadata, source_event_id, outbound_mail_id, created_at, sent_at)
    ON CONFLICT (source_event_id, user_id, notification_type) DO NOTHING
    RETURNING id, user_id AS "userId", notification_type AS "notificationType", event, title, message, source_event_id AS "sourceEventId", outbound_mail_id AS "outboundMailId"`);
}

/**
 * Makes the rows of planned notifications, in the consumer's transaction, as a set: however many
 * notifications a batch of events plans, the recipients, the names, the rows, their announcements
 * and their mails cost one statement each; the templates come from storedTemplates, read again only
 * when they may have changed (stored-templates.ts).
 * - each recipient still active, and not erased, per the users replica (a recipient the replica has
 *   not heard of yet is taken at the event's word); their replica rows are locked shared until the
 *   transaction ends, so an erasure running meanwhile either comes first (and the recipient is
 *   skipped) or waits and then deletes these rows too;
 * - per channel the platform delivers: none when the recipient turned it off or its template is not
 *   active. An in_app row is sent at once and announced with notifications.notification.created.v1;
 *   an email row is made only for a verified address, pending until the mail courier sends the mail
 *   queued with it in outbound_mail.
 * A row already made for the same event, recipient and channel is left as it is.
 */
export function createNotificationDelivery(deps: { now: () => Date; logger: Logger; registry: Registry; compiledTemplates: TemplateCache; storedTemplates: StoredTemplates }) {
  const created = new Counter({
    name: 'notifications_created_total',
    help: 'Notifications made, by notification event and channel.',
    labelNames: ['event', 'channel'] as const,
    registers: [deps.registry],
  });

  function render(text: TemplateText, values: TemplateValues, event: NotificationEventName, channel: DeliveredChannel): { title: string; message: string } {
    try {
      return { title: oneLine(renderTemplate(deps.compiledTemplates(text.subject), values)), message: renderTemplate(deps.compiledTemplates(text.body), values).trim() };
    } catch (error) {
      // Checked when saved, so this is a value missing at run time: the default still says what happened.
      deps.logger.warn({ err: error, event, channel }, 'notification template failed to render; the default template is used');
      const fallback = notificationEvents[event].defaults[channel];
      return { title: oneLine(renderTemplate(deps.compiledTemplates(fallback.subject), values)), message: renderTemplate(deps.compiledTemplates(fallback.body), values).trim() };
    }
  }

  /**
   * The recipients, their verified addresses and the channels they turned off, in one statement.
   * Their replica rows are locked shared (the CTE runs whether or not a row matches), in id order so
   * that two transactions never wait on each other.
   */
  async function recipientsOf(tx: LeanTx, ids: bigint[]): Promise<Map<bigint, Recipient>> {
    const sorted = [...new Set(ids)].sort(byId);
    const rows = await tx.rows<RecipientRow>(statement`
      WITH locked AS (SELECT id, username, is_active, deleted_at FROM user_replicas WHERE id = ANY(${sorted}::bigint[]) ORDER BY id FOR SHARE)
      SELECT ids.id, l.username, l.is_active, l.deleted_at,
        (SELECT c.email FROM recipient_contacts c WHERE c.user_id = ids.id AND c.is_verified AND c.email <> '') AS email,
        ARRAY(SELECT p.notification_type::text FROM user_notification_preferences p WHERE p.user_id = ids.id AND NOT p.is_enabled) AS disabled
      FROM unnest(${sorted}::bigint[]) AS ids(id) LEFT JOIN locked l ON l.id = ids.id
      ORDER BY ids.id`);
    return new Map(
      rows
        .filter((row) => row.is_active === null || (row.is_active && row.deleted_at === null))
        .map((row) => [BigInt(row.id), { id: BigInt(row.id), username: row.username, email: row.email, disabled: row.disabled }]),
    );
  }

  /**
   * What each notification's ids stand for, with words for what is not known yet: for one job its
   * title, company and applicant; for several, up to five titles. One statement for the notifications
   * about one job, one for those listing several.
   */
  async function namesOf(tx: LeanTx, plans: PlannedNotification[]): Promise<TemplateValues[]> {
    const names = plans.map((): TemplateValues => ({}));
    const aboutOneJob = plans.flatMap((planned, index) => (planned.jobId === undefined ? [] : [{ planned, index }]));
    if (aboutOneJob.length > 0) {
      const rows = await tx.rows<{ at: number; job_title: string | null; company_name: string | null; applicant_name: string | null }>(statement`
        SELECT k.at::int AS at, j.title AS job_title, c.name AS company_name, u.username AS applicant_name
        FROM unnest(${aboutOneJob.map(({ planned }) => planned.jobId!)}::bigint[], ${aboutOneJob.map(({ planned }) => planned.applicantId ?? null)}::bigint[])
          WITH ORDINALITY AS k(job_id, applicant_id, at)
        LEFT JOIN job_replicas j ON j.id = k.job_id
        LEFT JOIN company_replicas c ON c.id = j.company_id
        LEFT JOIN user_replicas u ON u.id = k.applicant_id`);
      const rowAt = new Map(rows.map((row) => [row.at, row]));
      aboutOneJob.forEach(({ planned, index }, i) => {
        const row = rowAt.get(i + 1);
        names[index]!.job_title = row?.job_title ?? `job ${planned.jobId}`;
        names[index]!.company_name = row?.company_name ?? 'the company';
        if (planned.applicantId !== undefined) names[index]!.applicant_name = row?.applicant_name ?? 'An applicant';
      });
    }
    const listing = plans.flatMap((planned, index) => (planned.listedJobIds === undefined ? [] : [{ listed: planned.listedJobIds.slice(0, LISTED_JOBS), index }]));
    if (listing.length > 0) {
      const ids = [...new Set(listing.flatMap(({ listed }) => listed))];
      const rows = await tx.rows<{ id: bigint; title: string }>(statement`SELECT id, title FROM job_replicas WHERE id = ANY(${ids}::bigint[])`);
      const titleOf = new Map(rows.map((row) => [BigInt(row.id), row.title]));
      for (const { listed, index } of listing) names[index]!.job_titles = listed.map((id) => titleOf.get(id) ?? `job ${id}`).join(', ');
    }
    return names;
  }

  return {
    async deliverMany(tx: LeanTx, notifications: readonly NotificationToDeliver[]): Promise<DeliverySummary> {
      const plans = notifications.map(({ planned }) => planned);
      const recipients = await recipientsOf(
        tx,
        plans.flatMap((planned) => planned.recipientIds),
      );
      const plansWithRecipients = plans.filter((planned) => planned.recipientIds.some((id) => recipients.has(id)));
      if (plansWithRecipients.length === 0) return { inApp: 0, email: 0 };
      const templates = await deps.storedTemplates.byEvent();
      const names = await namesOf(tx, plansWithRecipients);
      const now = deps.now();

      const rows: NewNotification[] = [];
      const mails = new Map<string, { to: string }>();
      for (const [at, planned] of plansWithRecipients.entries()) {
        const values = { ...planned.values, ...names[at] };
        const texts = templates.get(planned.event)!;
        for (const recipient of new Set(planned.recipientIds.map((id) => recipients.get(id)))) {
          if (!recipient) continue;
          const recipientValues = { ...values, recipient_name: recipient.username ?? 'there' };
          for (const channel of deliveredChannels) {
            const text = texts[channel];
            if (!text || recipient.disabled.includes(channel)) continue;
            if (channel === 'email' && !recipient.email) continue;
            const outboundMailId = channel === 'email' ? newMailId() : null;
            if (outboundMailId) mails.set(outboundMailId, { to: recipient.email! });
            rows.push({
              userId: recipient.id,
              notificationType: channel,
              event: planned.event,
              ...render(text, recipientValues, planned.event, channel),
              metadata: planned.metadata,
              sourceEventId: planned.sourceEventId,
              status: channel === 'in_app' ? 'sent' : 'pending',
              outboundMailId,
              createdAt: now,
              sentAt: channel === 'in_app' ? now : null,
            });
          }
        }
      }
      if (rows.length === 0) return { inApp: 0, email: 0 };
      const made = await insertNew(tx, rows);

      const traceparentOf = new Map(notifications.map(({ planned, traceparent }) => [planned.sourceEventId, traceparent]));
      const inApp = made.filter((row) => row.notificationType === 'in_app');
      await notificationsOutbox.recordMany(
        tx,
        inApp.map((row) => ({
          subject: 'notifications.notification.created.v1' as const,
          data: { notificationId: row.id.toString(), recipientId: row.userId.toString(), notificationType: 'in_app' as const },
          traceparent: traceparentOf.get(row.sourceEventId)!,
        })),
      );
      const emails = made.filter((row) => row.notificationType === 'email');
      await enqueueMails(
        tx,
        emails.map((row) => ({ id: row.outboundMailId!, kind: row.event, to: mails.get(row.outboundMailId!)!.to, subject: row.title, text: row.message, userId: row.userId })),
      );
      for (const row of made) created.inc({ event: row.event, channel: row.notificationType });
      return { inApp: inApp.length, email: emails.length };
    },
  };
}

export type NotificationDelivery = ReturnType<typeof createNotificationDelivery>;
