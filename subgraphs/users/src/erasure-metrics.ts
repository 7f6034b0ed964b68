import { Counter, Gauge, Registry } from 'prom-client';
import type { UsersDb } from './db.js';

export type ErasureMetrics = {
  registry: Registry;
  /** users.user.deleted.v1 published again for a saga that waited too long. */
  republished: Counter;
  /** Sagas this process marked stuck. */
  stuck: Counter;
  /** Sagas this process completed (account erased). */
  completed: Counter;
};

const statuses = ['pending', 'stuck', 'completed'] as const;

/**
 * Prometheus metrics of the account-erasure saga. The gauges are read from users_db when scraped,
 * so every replica reports the same totals; the counters count what this process did.
 */
export function createErasureMetrics(db: UsersDb, registry: Registry): ErasureMetrics {
  new Gauge({
    name: 'user_erasures',
    help: 'Account erasures in users_db by status: pending (waiting for participants), stuck (needs an operator), completed',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      const counts = await db.userErasure.groupBy({ by: ['status'], _count: { _all: true } });
      for (const status of statuses) this.set({ status }, counts.find((row) => row.status === status)?._count._all ?? 0);
    },
  });
  new Gauge({
    name: 'user_erasure_oldest_pending_seconds',
    help: 'Age of the oldest account erasure that is pending or stuck (0 when there is none)',
    registers: [registry],
    async collect() {
      const oldest = await db.userErasure.aggregate({ where: { status: { in: ['pending', 'stuck'] } }, _min: { requestedAt: true } });
      const requestedAt = oldest._min.requestedAt;
      this.set(requestedAt ? Math.max(0, (Date.now() - requestedAt.getTime()) / 1000) : 0);
    },
  });
  return {
    registry,
    republished: new Counter({ name: 'user_erasure_republished_total', help: 'users.user.deleted.v1 published again for an erasure that waited too long', registers: [registry] }),
    stuck: new Counter({ name: 'user_erasure_stuck_total', help: 'Account erasures marked stuck after the last re-publication went unanswered', registers: [registry] }),
    completed: new Counter({ name: 'user_erasure_completed_total', help: 'Account erasures completed (every participant replied, account erased)', registers: [registry] }),
  };
}
