import { ulid } from 'ulid';
import { queryRows, type SqlClient } from '@jobplatform/events';

/** A mail to send, rendered by the service that asks for it. */
export type MailMessage = {
  /** From the service's own fixed set (email_verification, ...): it labels the courier's metrics. */
  kind: string;
  to: string;
  subject: string;
  text: string;
  html?: string;
  /** The account the mail is for, when it is one: account erasure deletes its mail (deleteMailOf). */
  userId?: bigint;
};

export type QueuedMail = { id: string };

/** Kinds become metric labels and log fields: short, lower-case words only. */
const kindPattern = /^[a-z][a-z0-9_]{0,49}$/;

/**
 * Queues a mail through `tx`, the transaction that makes the change asking for it: both commit,
 * or neither does. The service's courier sends it once committed.
 */
export async function enqueueMail(tx: SqlClient, message: MailMessage): Promise<QueuedMail> {
  if (!kindPattern.test(message.kind)) throw new Error(`enqueueMail: kind "${message.kind}" must match ${kindPattern}`);
  if (/[\r\n]/.test(message.subject) || /[\r\n]/.test(message.to)) throw new Error('enqueueMail: subject and recipient must be single lines');
  const id = ulid();
  await queryRows(
    tx,
    `INSERT INTO "outbound_mail" ("id", "kind", "user_id", "recipient", "subject", "text_body", "html_body") VALUES ($1, $2, $3::bigint, $4, $5, $6, $7) RETURNING "id"`,
    [id, message.kind, message.userId?.toString() ?? null, message.to, message.subject, message.text, message.html ?? null],
  );
  return { id };
}

/** Deletes every mail for an account, sent or not (account erasure). Returns how many. */
export async function deleteMailOf(tx: SqlClient, userId: bigint): Promise<number> {
  const rows = await queryRows<{ n: number }>(
    tx,
    `WITH "deleted" AS (DELETE FROM "outbound_mail" WHERE "user_id" = $1::bigint RETURNING 1) SELECT count(*)::int AS "n" FROM "deleted"`,
    [userId.toString()],
  );
  return rows[0]?.n ?? 0;
}
