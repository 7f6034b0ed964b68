import { z } from 'zod';
import { envSchemas } from '@jobplatform/config';
import { checkMailSettings, mailSettings } from '@jobplatform/mail';
import { TEMPLATES_MAX_AGE_MS } from './stored-templates.js';

/**
 * notifications' own settings, beside the common ones every subgraph has (NOTIFICATIONS_PORT,
 * NOTIFICATIONS_DATABASE_URL, NATS_URL, ...: packages/service-runtime/src/subgraph-env.ts): the
 * mail settings every sending service reads (SMTP_URL, MAIL_FROM, MAIL_*: packages/mail/src/settings.ts).
 */
export const notificationsSettings = z
  .object({
    ...mailSettings.shape,
    NODE_ENV: envSchemas.nodeEnv,
    /**
     * How long a replica renders with the templates it read before reading them again: a template
     * changed through another replica is used here within this (stored-templates.ts). 0 reads them for every batch.
     */
    NOTIFICATION_TEMPLATES_MAX_AGE_MS: z.coerce.number().int().min(0).max(3_600_000).default(TEMPLATES_MAX_AGE_MS),
  })
  .superRefine((env, ctx) => checkMailSettings(env, ctx));

export type NotificationsSettings = z.infer<typeof notificationsSettings>;
