import { readFileSync } from 'node:fs';
import { parse } from 'graphql';
import { companyNameReplicaTable, userReplicaTable, type BatchItem } from '@jobplatform/events';
import { courierPart, deleteMailOf } from '@jobplatform/mail';
import type { LeanSql, LeanTx, SubgraphDefinition } from '@jobplatform/service-runtime';
import { planApplicationNotification } from './application-notifications.js';
import { planSavedSearchNotification } from './saved-search-notifications.js';
import { createLoaders, type NotificationsContext } from './context.js';
import type { NotificationsDb } from './db.js';
import { notificationsSettings, type NotificationsSettings } from './env.js';
import { PrismaClient } from './generated/prisma/client.js';
import { createInbox, type Inbox } from './inbox.js';
import { mailOutcomesPart } from './mail-outcomes.js';
import { createNotificationDelivery, type NotificationDelivery } from './notification-delivery.js';
import { createTemplateAdmin, ensureDefaultTemplates, type TemplateAdmin } from './notification-templates.js';
import { createPreferences, type Preferences } from './preferences.js';
import { jobReplicaTable, recipientContactTable } from './replicas.js';
import { resolvers } from './resolvers/index.js';
import { createStoredTemplates, type StoredTemplates } from './stored-templates.js';
import { createTemplateCache } from './template-language.js';
import { eraseUserFromNotifications } from './user-erasure.js';

/** The notifications rules without the HTTP server: what the service, scripts and tests share. */
export type NotificationsDomain = {
  db: NotificationsDb;
  /** node-postgres on db's pool: the hot reads (inbox pages, notifications by id) and the consumers' transactions. */
  sql: LeanSql;
  inbox: Inbox;
  preferences: Preferences;
  templates: TemplateAdmin;
  /** The templates the consumers render with, read again at most every NOTIFICATION_TEMPLATES_MAX_AGE_MS. */
  storedTemplates: StoredTemplates;
  delivery: NotificationDelivery;
};

/** Events of applications one transaction of application-notifications takes at most. */
export const APPLICATION_EVENTS_PER_TRANSACTION = 128;

const applicationSubjects = [
  'applications.application.submitted.v1',
  'applications.application.status_changed.v1',
  'applications.interview.scheduled.v1',
  'applications.interview.rescheduled.v1',
  'applications.interview.cancelled.v1',
  'applications.interview.completed.v1',
] as const;

/**
 * The notifications subgraph: each user's notifications (an in-app inbox, and email), their
 * preferences per channel, and the templates notifications are written with. Notifications are
 * made from other services' events; each in-app one is announced on notifications_db's outbox
 * (notifications.notification.created.v1), which the relay publishes (NOTIFICATIONS); each email
 * one is queued in notifications_db's outbound_mail, which its mail courier sends over SMTP, and the
 * mail outcomes part copies sent or failed onto the notification. Consumers, one set per replica of
 * the service:
 * - notifications-users-replica keeps user_replicas (usernames; who is active or erased) from users.user.*;
 * - notifications-recipient-contacts keeps recipient_contacts (email, verified) from users.user.*;
 * - notifications-jobs-replica and notifications-companies-replica keep job titles and company names from jobs.*;
 * - notifications-application-notifications makes notifications from applications.application.* and applications.interview.*;
 * - notifications-user-erasure is notifications' part of the account-erasure saga (user-erasure.ts).
 */
export const notificationsSubgraph: SubgraphDefinition<NotificationsDb, NotificationsDomain, NotificationsContext, NotificationsSettings> = {
  name: 'notifications',
  env: notificationsSettings,
  typeDefs: parse(readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8')),
  resolvers,
  PrismaClient,
  createDomain: async ({ db, sql, now, logger, metrics, env }) => {
    await ensureDefaultTemplates(db, now());
    const storedTemplates = createStoredTemplates({ db, maxAgeMs: env.own.NOTIFICATION_TEMPLATES_MAX_AGE_MS });
    return {
      db,
      sql,
      inbox: createInbox({ db, sql, now }),
      preferences: createPreferences({ db, now }),
      templates: createTemplateAdmin({ db, now, changed: storedTemplates.invalidate }),
      storedTemplates,
      delivery: createNotificationDelivery({ now, logger, registry: metrics.registry, compiledTemplates: createTemplateCache(), storedTemplates }),
    };
  },
  createContext: (base, domain) => ({ ...base, ...domain, loaders: createLoaders(domain.sql) }),
  events: {
    replicas: { 'users-replica': userReplicaTable, 'recipient-contacts': recipientContactTable, 'jobs-replica': jobReplicaTable, 'companies-replica': companyNameReplicaTable },
    consumers: (domain, { logger, now }) => [
      // Both make a batch's notifications as a set (deliverMany): a statement per table per batch, not per event.
      {
        purpose: 'application-notifications',
        // A batch costs the same seven statements (with processed_events, BEGIN and COMMIT) however
        // many events it holds: under a backlog, 128 events share them rather than the kit's 32. They
        // go over node-postgres (leanTransaction), since through Prisma's client each statement cost
        // the consumer several times its own work.
        batchSize: APPLICATION_EVENTS_PER_TRANSACTION,
        leanTransaction: true,
        batchHandler: {
          subjects: applicationSubjects,
          handle: async (items: BatchItem<(typeof applicationSubjects)[number]>[], tx: LeanTx) => {
            const planned = items.flatMap(({ event, context }) => {
              const notification = planApplicationNotification(event);
              return notification ? [{ planned: notification, traceparent: context.traceparent }] : [];
            });
            const made = await domain.delivery.deliverMany(tx, planned);
            logger.debug({ events: items.length, ...made }, 'notifications made');
          },
        },
      },
      {
        purpose: 'saved-search-alerts',
        leanTransaction: true,
        batchHandler: {
          subjects: ['search.saved_search.matched.v1'],
          handle: async (items: BatchItem<'search.saved_search.matched.v1'>[], tx: LeanTx) => {
            const made = await domain.delivery.deliverMany(
              tx,
              items.map(({ event, context }) => ({ planned: planSavedSearchNotification(event), traceparent: context.traceparent })),
            );
            logger.debug({ events: items.length, ...made }, 'saved-search alerts made');
          },
        },
      },
      {
        purpose: 'user-erasure',
        handlers: {
          'users.user.deleted.v1': async (event, tx, context) => {
            const summary = await eraseUserFromNotifications(tx, event, { traceparent: context.traceparent, now: now(), eraseMail: deleteMailOf });
            logger.info({ userId: event.data.userId, ...summary }, 'user erasure: notifications part applied, committing with its batch');
          },
        },
      },
    ],
  },
  parts: ({ db }, { env, logger, metrics }) => [
    courierPart({ databaseUrl: env.databaseUrl, settings: env.own, logger, registry: metrics.registry }),
    mailOutcomesPart(db, { intervalMs: env.own.MAIL_POLL_INTERVAL_MS, logger }),
  ],
  testEnv: () => ({
    // Mail goes out, and its outcome reaches the notification, within a tenth of a second (with SMTP_URL set, as mail tests do).
    MAIL_POLL_INTERVAL_MS: '50',
    // Templates are read once an hour unless changed here: a test sees a new template only because the upsert invalidated them.
    NOTIFICATION_TEMPLATES_MAX_AGE_MS: '3600000',
  }),
};
