import pg from 'pg';
import type { Registry } from 'prom-client';
import type { Logger } from '@jobplatform/config';
import { createMailMetrics } from './mail-metrics.js';
import type { MailSettings } from './settings.js';
import { createSmtpTransport, MailDeliveryError, type MailTransport } from './transport.js';

export type CourierSettings = Pick<
  MailSettings,
  | 'SMTP_URL'
  | 'MAIL_FROM'
  | 'MAIL_MAX_ATTEMPTS'
  | 'MAIL_RETRY_BASE_MS'
  | 'MAIL_RETRY_MAX_MS'
  | 'MAIL_POLL_INTERVAL_MS'
  | 'MAIL_BATCH_SIZE'
  | 'MAIL_SEND_TIMEOUT_MS'
  | 'MAIL_BODY_RETENTION_MS'
  | 'MAIL_RETENTION_MS'
>;

export type CourierOptions = {
  /** The service's own database, which holds outbound_mail. */
  databaseUrl: string;
  settings: CourierSettings;
  logger: Logger;
  /** The service's metrics registry (its /metrics). */
  registry: Registry;
  /** Instead of SMTP_URL's. */
  transport?: MailTransport;
  /** How often finished mail is redacted and deleted; at most this late. */
  retentionIntervalMs?: number;
};

export type CourierRound = { sent: number; retried: number; failed: number };

export type Courier = {
  /** Looks for due mail now instead of at the next poll. */
  wake(): void;
  /** One round: claim due mail, send it, record the outcome. */
  deliverDue(): Promise<CourierRound>;
  /** Removes bodies and then rows of finished mail past their retention. */
  applyRetention(): Promise<{ redacted: number; deleted: number }>;
  /** Finishes the round in progress, then closes the transport and the courier's connections. */
  stop(): Promise<void>;
};

type ClaimedRow = { id: string; kind: string; recipient: string; subject: string; text_body: string | null; html_body: string | null; attempts: number };

/** Exponential backoff with ±20 % jitter, so that mail failed together is not retried together. */
export function retryDelayMs(attempt: number, settings: Pick<CourierSettings, 'MAIL_RETRY_BASE_MS' | 'MAIL_RETRY_MAX_MS'>, random = Math.random): number {
  const base = Math.min(settings.MAIL_RETRY_BASE_MS * 2 ** Math.max(0, attempt - 1), settings.MAIL_RETRY_MAX_MS);
  return Math.round(base * (0.8 + 0.4 * random()));
}

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error)).slice(0, 1000);

/**
 * The service's courier: sends what enqueueMail queued. Each round claims due rows with
 * FOR UPDATE SKIP LOCKED, so replicas share the queue without sending a mail twice, and pushes
 * their next_attempt_at past the send timeout before sending, outside any transaction: a courier
 * that dies mid-send leaves the mail due again for another. A failed attempt is retried with
 * exponential backoff until MAIL_MAX_ATTEMPTS, then the mail is marked failed (at once when the
 * server refused the recipient for good). Finished mail loses its bodies after
 * MAIL_BODY_RETENTION_MS and its row after MAIL_RETENTION_MS. Without SMTP_URL (and no transport
 * given) it sends nothing and only keeps the queue's retention and metrics.
 */
export async function startCourier(options: CourierOptions): Promise<Courier> {
  const { settings, logger } = options;
  const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 2 });
  pool.on('error', (error) => logger.warn({ err: error }, 'mail courier: idle database connection lost'));
  const transport =
    options.transport ??
    (settings.SMTP_URL
      ? createSmtpTransport({ url: settings.SMTP_URL, from: settings.MAIL_FROM, timeoutMs: settings.MAIL_SEND_TIMEOUT_MS, maxConnections: settings.MAIL_BATCH_SIZE })
      : undefined);
  if (!transport) logger.warn('SMTP_URL is not set: mail stays queued (outbound_mail) until a courier with a transport runs');
  const metrics = createMailMetrics(pool, options.registry);
  const retentionIntervalMs = options.retentionIntervalMs ?? 60_000;
  // An attempt in progress keeps its mail this long; after that another courier may take it.
  const leaseMs = 2 * settings.MAIL_SEND_TIMEOUT_MS + 5_000;

  const claim = async (): Promise<ClaimedRow[]> => {
    const { rows } = await pool.query<ClaimedRow>(
      `WITH "due" AS (
         SELECT "id" FROM "outbound_mail"
          WHERE "status" = 'pending' AND "next_attempt_at" <= now()
          ORDER BY "next_attempt_at"
          LIMIT $1
          FOR UPDATE SKIP LOCKED
       )
       UPDATE "outbound_mail" AS "m"
          SET "attempts" = "m"."attempts" + 1, "next_attempt_at" = now() + make_interval(secs => $2::float / 1000)
         FROM "due" WHERE "m"."id" = "due"."id"
       RETURNING "m"."id", "m"."kind", "m"."recipient", "m"."subject", "m"."text_body", "m"."html_body", "m"."attempts"`,
      [settings.MAIL_BATCH_SIZE, leaseMs],
    );
    return rows;
  };

  // The attempts condition: a courier whose lease ran out records nothing over the next one's attempt.
  const finish = (row: ClaimedRow, status: 'sent' | 'failed', error: string | null) =>
    pool.query(
      `UPDATE "outbound_mail"
          SET "status" = $3, "finished_at" = now(), "last_error" = $4,
              "text_body" = CASE WHEN $5 THEN NULL ELSE "text_body" END,
              "html_body" = CASE WHEN $5 THEN NULL ELSE "html_body" END,
              "redacted_at" = CASE WHEN $5 THEN now() ELSE NULL END
        WHERE "id" = $1 AND "attempts" = $2 AND "status" = 'pending'`,
      [row.id, row.attempts, status, error, settings.MAIL_BODY_RETENTION_MS === 0],
    );

  const retryLater = (row: ClaimedRow, error: string) =>
    pool.query(
      `UPDATE "outbound_mail" SET "next_attempt_at" = now() + make_interval(secs => $3::float / 1000), "last_error" = $4 WHERE "id" = $1 AND "attempts" = $2 AND "status" = 'pending'`,
      [row.id, row.attempts, retryDelayMs(row.attempts, settings), error],
    );

  const deliver = async (row: ClaimedRow, round: CourierRound): Promise<void> => {
    const log = { mailId: row.id, kind: row.kind, attempt: row.attempts };
    if (row.attempts > settings.MAIL_MAX_ATTEMPTS) {
      // Its last attempt was claimed by a courier that never recorded the outcome.
      await finish(row, 'failed', 'no outcome recorded for the last attempt');
      metrics.failed.inc({ kind: row.kind });
      round.failed += 1;
      logger.error(log, 'mail failed: the last attempt never finished');
      return;
    }
    try {
      await transport!.send({ id: row.id, to: row.recipient, subject: row.subject, text: row.text_body, html: row.html_body });
    } catch (error) {
      const permanent = error instanceof MailDeliveryError && error.permanent;
      const reason = describe(error);
      if (permanent || row.attempts >= settings.MAIL_MAX_ATTEMPTS) {
        await finish(row, 'failed', reason);
        metrics.failed.inc({ kind: row.kind });
        round.failed += 1;
        logger.error({ ...log, err: error }, permanent ? 'mail failed: the server refused the recipient' : `mail failed after ${row.attempts} attempts`);
      } else {
        await retryLater(row, reason);
        metrics.retried.inc({ kind: row.kind });
        round.retried += 1;
        logger.warn({ ...log, err: error }, 'mail delivery failed; retrying with backoff');
      }
      return;
    }
    await finish(row, 'sent', null);
    metrics.sent.inc({ kind: row.kind });
    round.sent += 1;
    logger.debug(log, 'mail sent');
  };

  const deliverDue = async (): Promise<CourierRound> => {
    const round: CourierRound = { sent: 0, retried: 0, failed: 0 };
    if (!transport) return round;
    const claimed = await claim();
    await Promise.all(claimed.map((row) => deliver(row, round)));
    if (claimed.length === settings.MAIL_BATCH_SIZE) wake();
    return round;
  };

  const applyRetention = async () => {
    const redacted = await pool.query(
      `UPDATE "outbound_mail" SET "text_body" = NULL, "html_body" = NULL, "redacted_at" = now()
        WHERE "status" <> 'pending' AND "redacted_at" IS NULL AND "finished_at" <= now() - make_interval(secs => $1::float / 1000)`,
      [settings.MAIL_BODY_RETENTION_MS],
    );
    const deleted = await pool.query(`DELETE FROM "outbound_mail" WHERE "status" <> 'pending' AND "finished_at" <= now() - make_interval(secs => $1::float / 1000)`, [
      settings.MAIL_RETENTION_MS,
    ]);
    return { redacted: redacted.rowCount ?? 0, deleted: deleted.rowCount ?? 0 };
  };

  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let lastRetentionAt = 0;

  const runRound = async () => {
    try {
      if (Date.now() - lastRetentionAt >= retentionIntervalMs) {
        lastRetentionAt = Date.now();
        await applyRetention();
      }
      await deliverDue();
    } catch (error) {
      logger.error({ err: error }, 'mail courier round failed; trying again at the next poll');
    }
  };

  function schedule(delayMs: number) {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      running = runRound().finally(() => {
        running = undefined;
        const next = again ? 0 : settings.MAIL_POLL_INTERVAL_MS;
        again = false;
        schedule(next);
      });
    }, delayMs);
    timer.unref();
  }

  function wake() {
    if (running) again = true;
    else schedule(0);
  }

  schedule(0);
  return {
    wake,
    deliverDue,
    applyRetention,
    async stop() {
      if (stopped) return;
      stopped = true;
      clearTimeout(timer);
      await running;
      transport?.close();
      metrics.remove();
      await pool.end();
    },
  };
}

/** The courier as a part of a service on the kit (SubgraphDefinition.parts). */
export function courierPart(options: CourierOptions): { name: string; start: () => Promise<Courier> } {
  return { name: 'mail courier', start: () => startCourier(options) };
}
