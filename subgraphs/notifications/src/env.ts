import { z } from 'zod';
import { envSchemas } from '@jobplatform/config';
import { checkMailSettings, mailSettings } from '@jobplatform/mail';

/**
 * notifications' own settings, beside the common ones every subgraph has (NOTIFICATIONS_PORT,
 * NOTIFICATIONS_DATABASE_URL, NATS_URL, ...: packages/service-runtime/src/subgraph-env.ts): the
 * mail settings every sending service reads (SMTP_URL, MAIL_FROM, MAIL_*: packages/mail/src/settings.ts).
 */
export const notificationsSettings = z
  .object({
    ...mailSettings.shape,
    NODE_ENV: envSchemas.nodeEnv,
  })
  .superRefine((env, ctx) => checkMailSettings(env, ctx));

export type NotificationsSettings = z.infer<typeof notificationsSettings>;
