import { enqueueMail, type MailMessage } from '@jobplatform/mail';
import type { Prisma, User as UserRow } from './generated/prisma/client.js';
import { EMAIL_VERIFICATION_TTL_MS, PASSWORD_RESET_TTL_MS } from './secret-tokens.js';
import type { UserEventSink } from './user-events.js';

/** The mails users sends itself: those that carry a one-time token. */
export type AccountMailKind = 'email_verification' | 'password_reset';

type Rendered = Pick<MailMessage, 'subject' | 'text'>;

/** 24 hours, 1 hour. */
function lifetime(ms: number): string {
  const hours = Math.round(ms / (60 * 60 * 1000));
  return `${hours} hour${hours === 1 ? '' : 's'}`;
}

/** The web client's page for a token: <WEB_APP_URL>/verify-email?token=... */
function linkTo(webAppUrl: string, page: string, token: string): string {
  const url = new URL(page, webAppUrl.endsWith('/') ? webAppUrl : `${webAppUrl}/`);
  url.searchParams.set('token', token);
  return url.toString();
}

/** What differs between the two mails; the rest (link, code, expiry) is the same. */
const templates: Record<AccountMailKind, { subject: string; ask: string; page: string; ttlMs: number; ignore: string }> = {
  email_verification: {
    subject: 'Confirm your email address',
    ask: 'please confirm that this is your email address by opening this link:',
    page: 'verify-email',
    ttlMs: EMAIL_VERIFICATION_TTL_MS,
    ignore: 'If you did not create an account, ignore this mail.',
  },
  password_reset: {
    subject: 'Reset your password',
    ask: 'someone (we hope you) asked to reset the password of your account. Choose a new one here:',
    page: 'reset-password',
    ttlMs: PASSWORD_RESET_TTL_MS,
    ignore: 'If you did not ask for it, ignore this mail: your password stays as it is.',
  },
};

/** Subject and plain-text body of an account mail; the token appears in the link and on its own. */
export function renderAccountMail(kind: AccountMailKind, user: UserRow, token: string, webAppUrl: string): Rendered {
  const template = templates[kind];
  return {
    subject: template.subject,
    text: [
      `Hello ${user.firstName || user.username},`,
      '',
      template.ask,
      '',
      linkTo(webAppUrl, template.page, token),
      '',
      `Or enter this code in the app: ${token}`,
      '',
      `The link works once and expires in ${lifetime(template.ttlMs)}. ${template.ignore}`,
    ].join('\n'),
  };
}

export type AccountMailer = {
  /**
   * Queues the mail in users_db's send queue, in the transaction that issued the token, and
   * records users.user.mail_requested.v1 (who, which kind, the queued mail's id; never the
   * address or the token). users' courier sends it.
   */
  queue(tx: Prisma.TransactionClient, kind: AccountMailKind, user: UserRow, token: string): Promise<void>;
};

export function createAccountMailer(options: { webAppUrl: string; events: UserEventSink }): AccountMailer {
  return {
    async queue(tx, kind, user, token) {
      const { id } = await enqueueMail(tx, { kind, to: user.email, userId: user.id, ...renderAccountMail(kind, user, token, options.webAppUrl) });
      await options.events.record(tx, { type: 'mail_requested', userId: user.id, kind, requestId: id });
    },
  };
}
