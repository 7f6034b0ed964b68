import { Counter, Gauge, type Registry } from 'prom-client';
import type pg from 'pg';

export type MailMetrics = {
  sent: Counter<'kind'>;
  failed: Counter<'kind'>;
  retried: Counter<'kind'>;
  /** Takes the metrics off the registry (the courier stopped). */
  remove(): void;
};

const statuses = ['pending', 'sent', 'failed'] as const;

/**
 * Prometheus metrics of the courier, on the service's registry. The counters count what this
 * process did, labelled by the mail's kind (the service's own fixed set); the gauges are read from
 * the send queue when scraped, so every replica reports the same queue.
 */
export function createMailMetrics(pool: pg.Pool, registry: Registry): MailMetrics {
  const counter = (name: string, help: string) => new Counter({ name, help, labelNames: ['kind'] as const, registers: [registry] });
  const metrics = {
    sent: counter('mail_sent_total', 'Mails this process delivered to the SMTP server'),
    failed: counter('mail_failed_total', 'Mails this process gave up on (attempts exhausted, or the recipient refused for good)'),
    retried: counter('mail_retried_total', 'Failed delivery attempts that this process scheduled again with backoff'),
  };
  const gauges = [
    new Gauge({
      name: 'mail_queue_messages',
      help: 'Mails in the send queue by status: pending (due or waiting for a retry), sent and failed (kept until their retention ends)',
      labelNames: ['status'] as const,
      registers: [registry],
      async collect() {
        const { rows } = await pool.query<{ status: string; n: number }>('SELECT "status", count(*)::int AS "n" FROM "outbound_mail" GROUP BY "status"');
        for (const status of statuses) this.set({ status }, rows.find((row) => row.status === status)?.n ?? 0);
      },
    }),
    new Gauge({
      name: 'mail_queue_oldest_pending_seconds',
      help: 'Age of the oldest mail neither sent nor given up on (0 when there is none)',
      registers: [registry],
      async collect() {
        const { rows } = await pool.query<{ age: number | null }>(
          `SELECT extract(epoch FROM now() - min("created_at"))::float AS "age" FROM "outbound_mail" WHERE "status" = 'pending'`,
        );
        this.set(Math.max(0, rows[0]?.age ?? 0));
      },
    }),
  ];
  return {
    ...metrics,
    remove() {
      for (const metric of [...Object.values(metrics), ...gauges]) registry.removeSingleMetric((metric as unknown as { name: string }).name);
    },
  };
}
