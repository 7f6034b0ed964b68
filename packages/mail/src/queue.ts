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

/** An id for a mail to be queued later in the same transaction, for a row that refers to it first. */
export const newMailId = (): string => ulid();

/**
 * One text whatever the number of mails (a column per array parameter, taken apart by unnest), so
 * that it is one prepared statement, not one per number of mails (see createLeanSql's names).
 */
const INSERT_MAILS = `INSERT INTO "outbound_mail" ("id", "kind", "user_id", "recipient", "subject", "text_body", "html_body")
  SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[])`;

/**
 * Queues mails through `tx`, the transaction that makes the change asking for them, in one
 * statement: all commit, or none does. The service's courier sends them once committed. A message
 * may bring its id (newMailId); the others get one.
 */
export async function enqueueMails(tx: SqlClient, messages: readonly (MailMessage & { id?: string })[]): Promise<QueuedMail[]> {
  if (messages.length === 0) return [];
  for (const message of messages) {
    if (!kindPattern.test(message.kind)) throw new Error(`enqueueMail: kind "${message.kind}" must match ${kindPattern}`);
    if (/[\r\n]/.test(message.subject) || /[\r\n]/.test(message.to)) throw new Error('enqueueMail: subject and recipient must be single lines');
  }
  const ids = messages.map((message) => message.id ?? ulid());
  const column = <T>(of: (message: MailMessage) => T) => messages.map(of);
  await queryRows(tx, INSERT_MAILS, [
    ids,
    column((message) => message.kind),
    column((message) => message.userId?.toString() ?? null),
    column((message) => message.to),
    column((message) => message.subject),
    column((message) => message.text),
    column((message) => message.html ?? null),
  ]);
  return ids.map((id) => ({ id }));
}

/** Queues one mail (enqueueMails). */
export async function enqueueMail(tx: SqlClient, message: MailMessage): Promise<QueuedMail> {
  const [queued] = await enqueueMails(tx, [message]);
  return queued!;
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
