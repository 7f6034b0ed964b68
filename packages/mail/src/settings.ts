import { z } from 'zod';

const ms = (fallback: number, min = 0) => z.coerce.number().int().min(min).default(fallback);

const MINUTE_MS = 60 * 1000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/**
 * The mail settings of a service that sends mail, beside its own (the service's env schema extends
 * it: `z.object({...}).extend(mailSettings.shape)`). Every sending service reads the same names.
 */
export const mailSettings = z.object({
  /**
   * smtp://user:password@host:port (smtps:// for TLS from the start; smtp:// upgrades with
   * STARTTLS when the server offers it). Required in production; elsewhere, without it, mail stays
   * queued until a courier with a transport runs.
   */
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\/[^\s]+$/, 'must be an smtp:// or smtps:// URL')
    .optional(),
  /** The sender: an address, or "Name <address>". */
  MAIL_FROM: z.string().min(3).default('Job Platform <no-reply@jobplatform.localhost>'),
  /** Attempts before a mail is marked failed. */
  MAIL_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(8),
  /** The first retry waits this long; each further one twice as long as the one before, up to MAIL_RETRY_MAX_MS. */
  MAIL_RETRY_BASE_MS: ms(30_000, 1),
  MAIL_RETRY_MAX_MS: ms(HOUR_MS, 1),
  /** How often the courier looks for due mail. */
  MAIL_POLL_INTERVAL_MS: ms(1_000, 10),
  /** Mails one courier sends at once. */
  MAIL_BATCH_SIZE: z.coerce.number().int().min(1).max(100).default(10),
  /** Connecting, greeting and each SMTP exchange must answer within this; an attempt in progress is not taken by another courier before twice this. */
  MAIL_SEND_TIMEOUT_MS: ms(30_000, 100),
  /** Bodies of sent and failed mail are removed after this (a reset mail's body holds a one-time link). */
  MAIL_BODY_RETENTION_MS: ms(HOUR_MS),
  /** Sent and failed mail is deleted after this. */
  MAIL_RETENTION_MS: ms(30 * DAY_MS),
});

export type MailSettings = z.infer<typeof mailSettings>;

/** For the service's superRefine: production refuses to start without a way to send mail. */
export function checkMailSettings(env: { NODE_ENV?: string; SMTP_URL?: string | undefined }, ctx: z.RefinementCtx): void {
  if (env.NODE_ENV === 'production' && !env.SMTP_URL) ctx.addIssue({ code: 'custom', path: ['SMTP_URL'], message: 'is required in production' });
}
