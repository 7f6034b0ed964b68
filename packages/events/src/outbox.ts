import { contractFor, type EventInput, type EventSubject } from './contracts/index.js';
import { createEnvelope, type CreateEnvelopeOptions, type EventEnvelope } from './envelope.js';
import { outboxChannel, outboxIdleLockKey } from './event-tables-sql.js';
import { queryRows, type SqlClient } from './sql-client.js';

export type OutboxEvent<S extends EventSubject = EventSubject> = S extends EventSubject ? { subject: S; data: EventInput<S> } & CreateEnvelopeOptions : never;

export type Outbox = {
  /**
   * Validates the event against its contract and inserts it into event_outbox through `tx`, the
   * transaction that makes the change it describes: both commit, or neither does. Write it after
   * the change to the aggregate's own row, so that the row lock orders concurrent writers and the
   * outbox positions follow commit order for that aggregate.
   */
  record<S extends EventSubject>(tx: SqlClient, subject: S, data: EventInput<S>, options?: CreateEnvelopeOptions): Promise<EventEnvelope<S>>;
  /** Several events in one statement, in the order given. */
  recordMany(tx: SqlClient, events: readonly OutboxEvent[]): Promise<EventEnvelope[]>;
};

const COLUMNS = 9;

/** The outbox of one service; `source` is the service's name and appears in every envelope. */
export function createOutbox(options: { source: string }): Outbox {
  const recordMany = async (tx: SqlClient, events: readonly OutboxEvent[]) => {
    if (events.length === 0) return [];
    const envelopes = events.map(({ subject, data, ...rest }) => createEnvelope(options.source, subject, data as never, rest));
    const values: unknown[] = [];
    const rows = envelopes.map((envelope, i) => {
      const at = i * COLUMNS;
      values.push(
        envelope.id,
        envelope.type,
        envelope.source,
        contractFor(envelope.type).aggregate,
        envelope.aggregateId,
        envelope.occurredAt,
        envelope.traceparent,
        envelope.tracestate ?? null,
        JSON.stringify(envelope.data),
      );
      return `($${at + 1}, $${at + 2}, $${at + 3}, $${at + 4}, $${at + 5}, $${at + 6}::timestamptz, $${at + 7}, $${at + 8}, $${at + 9}::jsonb)`;
    });
    // One statement inserts the events and, only when a relay sleeps (it then holds the idle lock
    // exclusively), asks for a NOTIFY at commit. Notifying commits are serialised cluster-wide, so
    // while the relays are polling anyway the writers leave it out (see outboxIdleLockKey). The
    // uncorrelated sub-select runs once per statement, however many events it inserts.
    await queryRows(
      tx,
      `WITH "inserted" AS (
         INSERT INTO "event_outbox" ("id", "subject", "source", "aggregate_type", "aggregate_id", "occurred_at", "traceparent", "tracestate", "data")
         VALUES ${rows.join(', ')} RETURNING 1
       )
       SELECT count(*)::int AS "events",
              (SELECT CASE WHEN pg_try_advisory_xact_lock_shared(${outboxIdleLockKey}) THEN false
                           ELSE pg_notify('${outboxChannel}', '') IS NOT NULL END) AS "notified"
         FROM "inserted"`,
      values,
    );
    return envelopes;
  };
  return {
    async record(tx, subject, data, recordOptions = {}) {
      const [envelope] = await recordMany(tx, [{ subject, data, ...recordOptions } as OutboxEvent]);
      return envelope as EventEnvelope<typeof subject>;
    },
    recordMany,
  };
}
