/**
 * The SQL for the tables in packages/events/prisma/event-tables.prisma, as Prisma Migrate writes it,
 * for databases that do not come from a Prisma migration (tests, benchmarks). A test keeps the two
 * in step.
 */
export const eventTablesSql = `
CREATE TABLE "event_outbox" (
    "position" BIGSERIAL NOT NULL,
    "id" CHAR(26) NOT NULL,
    "subject" VARCHAR(200) NOT NULL,
    "source" VARCHAR(50) NOT NULL,
    "aggregate_type" VARCHAR(50) NOT NULL,
    "aggregate_id" VARCHAR(100) NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "traceparent" VARCHAR(55) NOT NULL,
    "tracestate" VARCHAR(512),
    "data" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "published_at" TIMESTAMPTZ(3),
    "publish_attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,

    CONSTRAINT "event_outbox_pkey" PRIMARY KEY ("position")
);

CREATE TABLE "processed_events" (
    "consumer" VARCHAR(100) NOT NULL,
    "event_id" CHAR(26) NOT NULL,
    "subject" VARCHAR(200) NOT NULL,
    "processed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "processed_events_pkey" PRIMARY KEY ("consumer","event_id")
);

CREATE UNIQUE INDEX "event_outbox_id_key" ON "event_outbox"("id");

CREATE INDEX "event_outbox_published_at_position_idx" ON "event_outbox"("published_at", "position");

CREATE INDEX "event_outbox_aggregate_type_aggregate_id_position_idx" ON "event_outbox"("aggregate_type", "aggregate_id", "position");

CREATE INDEX "processed_events_processed_at_idx" ON "processed_events"("processed_at");
`;

/**
 * The channel the relay LISTENs on. The outbox writer notifies it in the statement that inserts the
 * events, so there is no trigger to install: PostgreSQL delivers the notification at commit, never
 * for a rollback, and folds identical notifications of one transaction into one. (A trigger would
 * need a PL/pgSQL function, which migrations applied statement by statement, split at semicolons,
 * cannot create.)
 */
export const outboxChannel = 'event_outbox';

/**
 * The advisory lock (bigint key, the ASCII of "outbox:i") by which writers learn whether a relay
 * needs their NOTIFY. A notifying commit holds a lock that PostgreSQL shares across the whole
 * cluster from before its WAL flush until after it (async.c, PreCommit_Notify), so notifying
 * transactions commit one at a time: on this machine 8 writers managed about 1,000 commits/s with
 * a NOTIFY each and 3,400 without. Hence:
 * - a relay that goes to sleep first takes this lock exclusively, on its LISTEN connection (so it
 *   holds the lock only while it can hear), then looks at the outbox once more;
 * - a writer tries to take it shared for the rest of its transaction. When that fails a relay is
 *   asleep (or about to be), and the writer sends NOTIFY. When it succeeds no relay is asleep with
 *   the lock: the writer sends nothing, and the relay, which keeps polling until it holds the
 *   lock, cannot get it before this transaction has ended, so its last look sees the event.
 * The key lies far outside int4, where hashtext()-keyed locks of the services live.
 */
export const outboxIdleLockKey = '8031453476610914921';

/** The SQL for packages/events/prisma/user-replica.prisma. */
export const userReplicaTableSql = `
CREATE TABLE "user_replicas" (
    "id" BIGINT NOT NULL,
    "username" VARCHAR(150),
    "first_name" VARCHAR(150),
    "last_name" VARCHAR(150),
    "user_type" VARCHAR(20),
    "is_active" BOOLEAN NOT NULL DEFAULT false,
    "deleted_at" TIMESTAMPTZ(3),
    "version" BIGINT NOT NULL,

    CONSTRAINT "user_replicas_pkey" PRIMARY KEY ("id")
);
`;
