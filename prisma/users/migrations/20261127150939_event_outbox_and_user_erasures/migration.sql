-- AlterTable
ALTER TABLE "users" ADD COLUMN     "erased_at" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "user_erasures" (
    "user_id" BIGINT NOT NULL,
    "requested_at" TIMESTAMP(3) NOT NULL,
    "status" VARCHAR(20) NOT NULL DEFAULT 'pending',
    "participants" VARCHAR(50)[],
    "attempts" INTEGER NOT NULL DEFAULT 1,
    "last_attempt_at" TIMESTAMP(3) NOT NULL,
    "last_error" TEXT,
    "completed_at" TIMESTAMP(3),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "user_erasures_pkey" PRIMARY KEY ("user_id")
);

-- CreateTable
CREATE TABLE "user_erasure_completions" (
    "user_id" BIGINT NOT NULL,
    "service" VARCHAR(50) NOT NULL,
    "completed_at" TIMESTAMP(3) NOT NULL,
    "event_id" CHAR(26) NOT NULL,
    "summary" JSONB NOT NULL,
    "received_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "user_erasure_completions_pkey" PRIMARY KEY ("user_id","service")
);

-- CreateTable
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

-- CreateTable
CREATE TABLE "processed_events" (
    "consumer" VARCHAR(100) NOT NULL,
    "event_id" CHAR(26) NOT NULL,
    "subject" VARCHAR(200) NOT NULL,
    "processed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "processed_events_pkey" PRIMARY KEY ("consumer","event_id")
);

-- CreateIndex
CREATE INDEX "user_erasures_status_last_attempt_at_idx" ON "user_erasures"("status", "last_attempt_at");

-- CreateIndex
CREATE UNIQUE INDEX "event_outbox_id_key" ON "event_outbox"("id");

-- CreateIndex
CREATE INDEX "event_outbox_published_at_position_idx" ON "event_outbox"("published_at", "position");

-- CreateIndex
CREATE INDEX "event_outbox_aggregate_type_aggregate_id_position_idx" ON "event_outbox"("aggregate_type", "aggregate_id", "position");

-- CreateIndex
CREATE INDEX "processed_events_processed_at_idx" ON "processed_events"("processed_at");

-- AddForeignKey
ALTER TABLE "user_erasures" ADD CONSTRAINT "user_erasures_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "user_erasure_completions" ADD CONSTRAINT "user_erasure_completions_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "user_erasures"("user_id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Constraints Prisma cannot express.
ALTER TABLE "user_erasures" ADD CONSTRAINT "user_erasures_status_check" CHECK ("status" IN ('pending', 'completed', 'stuck'));
