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
  /**
   * Any number of events in one statement, in the order given: they go as one array per column, so
   * PostgreSQL's limit on parameters does not apply and callers need not slice them.
   */
  recordMany(tx: SqlClient, events: readonly OutboxEvent[]): Promise<EventEnvelope[]>;
};

/**
 * The outbox insert, one text whatever the number of events: a column per array parameter, taken
 * apart by unnest in the order given. A text with a row of placeholders per event would be a new
 * statement for every batch size, each taking one of the service's prepared-statement names
 * (createLeanSql) until its busiest reads went unprepared and were planned on every call.
 *
 * It inserts the events and, only when a relay sleeps (it then holds the idle lock exclusively),
 * asks for a NOTIFY at commit. Notifying commits are serialised cluster-wide, so while the relays
 * are polling anyway the writers leave it out (see outboxIdleLockKey). The uncorrelated sub-select
 * runs once per statement, however many events it inserts.
 */
const INSERT_EVENTS = `WITH "inserted" AS (
    INSERT INTO "event_outbox" ("id", "subject", "source", "aggregate_type", "aggregate_id", "occurred_at", "traceparent", "tracestate", "data")
    SELECT "id", "subject", "source", "aggregate_type", "aggregate_id", "occurred_at", "traceparent", "tracestate", "data"::jsonb
      FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::text[], $8::text[], $9::text[])
           WITH ORDINALITY AS "event" ("id", "subject", "source", "aggregate_type", "aggregate_id", "occurred_at", "traceparent", "tracestate", "data", "at")
     ORDER BY "at"
    RETURNING 1
  )
  SELECT count(*)::int AS "events",
         (SELECT CASE WHEN pg_try_advisory_xact_lock_shared(${outboxIdleLockKey}) THEN false
                      ELSE pg_notify('${outboxChannel}', '') IS NOT NULL END) AS "notified"
    FROM "inserted"`;

/** The outbox of one service; `source` is the service's name and appears in every envelope. */
export function createOutbox(options: { source: string }): Outbox {
  const recordMany = async (tx: SqlClient, events: readonly OutboxEvent[]) => {
    if (events.length === 0) return [];
    const envelopes = events.map(({ subject, data, ...rest }) => createEnvelope(options.source, subject, data as never, rest));
    const column = <T>(of: (envelope: EventEnvelope) => T) => envelopes.map(of);
    await queryRows(tx, INSERT_EVENTS, [
      column((envelope) => envelope.id),
      column((envelope) => envelope.type),
      column((envelope) => envelope.source),
      column((envelope) => contractFor(envelope.type).aggregate),
      column((envelope) => envelope.aggregateId),
      column((envelope) => envelope.occurredAt),
      column((envelope) => envelope.traceparent),
      column((envelope) => envelope.tracestate ?? null),
      column((envelope) => JSON.stringify(envelope.data)),
    ]);
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
