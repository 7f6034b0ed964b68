import { createTransport } from 'nodemailer';

/** One mail as the courier hands it over. */
export type OutgoingMail = { id: string; to: string; subject: string; text: string | null; html: string | null };

/** Where mail goes: SMTP in every environment (tests and `npm start` run a catcher, never a mock). */
export type MailTransport = {
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
};

/** Why an attempt failed, and whether trying again could help. */
export class MailDeliveryError extends Error {
  override name = 'MailDeliveryError';
  constructor(
    message: string,
    /** The server refused the recipient for good (5xx on RCPT TO): retrying cannot help. */
    readonly permanent: boolean,
  ) {
    super(message);
  }
}

type NodemailerError = Error & { code?: string; responseCode?: number };

/** The domain of the sender address, for Message-IDs. */
function domainOf(from: string): string {
  const address = /<([^>]+)>/.exec(from)?.[1] ?? from;
  return address.split('@')[1]?.trim() || 'localhost';
}

/**
 * nodemailer over SMTP: smtp://[user:password@]host[:port] (STARTTLS when the server offers it) or
 * smtps:// (TLS from the start). Connections are pooled; each exchange must answer within
 * timeoutMs. The Message-ID is the queue row's id, so a mail sent twice (a courier that died
 * between sending and recording it) reads as one in the recipient's client.
 */
export function createSmtpTransport(options: { url: string; from: string; timeoutMs: number; maxConnections?: number }): MailTransport {
  const url = new URL(options.url);
  const secure = url.protocol === 'smtps:';
  const transporter = createTransport(
    {
      pool: true,
      maxConnections: options.maxConnections ?? 5,
      host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: url.port ? Number(url.port) : secure ? 465 : 587,
      secure,
      ...(url.username ? { auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } } : {}),
      connectionTimeout: options.timeoutMs,
      greetingTimeout: options.timeoutMs,
      socketTimeout: options.timeoutMs,
    },
    { from: options.from },
  );
  const domain = domainOf(options.from);
  return {
    async send(mail) {
      try {
        await transporter.sendMail({
          to: mail.to,
          subject: mail.subject,
          ...(mail.text !== null ? { text: mail.text } : {}),
          ...(mail.html !== null ? { html: mail.html } : {}),
          messageId: `<${mail.id.toLowerCase()}@${domain}>`,
        });
      } catch (error) {
        const failure = error as NodemailerError;
        const refused = failure.code === 'EENVELOPE' && typeof failure.responseCode === 'number' && failure.responseCode >= 500;
        throw new MailDeliveryError(failure.message, refused);
      }
    },
    close: () => transporter.close(),
  };
}
