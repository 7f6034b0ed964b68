-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

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

-- CreateTable
CREATE TABLE "analytics_events" (
    "id" BIGSERIAL NOT NULL,
    "event_type" VARCHAR(100) NOT NULL,
    "user_id" BIGINT,
    "session_id" VARCHAR(255),
    "properties" JSONB NOT NULL DEFAULT '{}',
    "timestamp" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "client_timestamp" TIMESTAMPTZ(3),

    CONSTRAINT "analytics_events_pkey" PRIMARY KEY ("id","timestamp"),
    -- The ingest refuses more than 4 KB of properties, and the table holds the line too.
    CONSTRAINT "analytics_events_properties_size" CHECK (octet_length("properties"::text) <= 4096),
    CONSTRAINT "analytics_events_properties_object" CHECK (jsonb_typeof("properties") = 'object')
) PARTITION BY RANGE ("timestamp");

-- CreateTable
CREATE TABLE "job_view_sessions" (
    "session_id" VARCHAR(255) NOT NULL,
    "job_id" BIGINT NOT NULL,
    "counted_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "job_view_sessions_pkey" PRIMARY KEY ("session_id","job_id")
);

-- CreateTable
CREATE TABLE "job_analytics" (
    "id" BIGSERIAL NOT NULL,
    "job_id" BIGINT NOT NULL,
    "metric_name" VARCHAR(100) NOT NULL,
    "metric_value" INTEGER NOT NULL DEFAULT 0,
    "metric_date" DATE NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "job_analytics_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "user_analytics" (
    "id" BIGSERIAL NOT NULL,
    "user_id" BIGINT NOT NULL,
    "metric_name" VARCHAR(100) NOT NULL,
    "metric_value" DECIMAL(15,2) NOT NULL DEFAULT 0,
    "metric_date" DATE NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "user_analytics_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "platform_analytics" (
    "id" BIGSERIAL NOT NULL,
    "metric_name" VARCHAR(100) NOT NULL,
    "metric_value" DECIMAL(15,2) NOT NULL DEFAULT 0,
    "metric_date" DATE NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "platform_analytics_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "job_replicas" (
    "id" BIGINT NOT NULL,
    "company_id" BIGINT NOT NULL,
    "employer_id" BIGINT NOT NULL,
    "is_active" BOOLEAN NOT NULL,
    "posted_at" TIMESTAMPTZ(3) NOT NULL,
    "closed_at" TIMESTAMPTZ(3),
    "deleted_at" TIMESTAMPTZ(3),
    "version" BIGINT NOT NULL,

    CONSTRAINT "job_replicas_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "company_member_replicas" (
    "company_id" BIGINT NOT NULL,
    "user_id" BIGINT NOT NULL,
    "is_member" BOOLEAN NOT NULL,
    "version" BIGINT NOT NULL,

    CONSTRAINT "company_member_replicas_pkey" PRIMARY KEY ("company_id","user_id")
);

-- CreateTable
CREATE TABLE "application_facts" (
    "application_id" BIGINT NOT NULL,
    "job_id" BIGINT NOT NULL,
    "submitted_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "application_facts_pkey" PRIMARY KEY ("application_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "event_outbox_id_key" ON "event_outbox"("id");

-- CreateIndex
CREATE INDEX "event_outbox_published_at_position_idx" ON "event_outbox"("published_at", "position");

-- CreateIndex
CREATE INDEX "event_outbox_aggregate_type_aggregate_id_position_idx" ON "event_outbox"("aggregate_type", "aggregate_id", "position");

-- CreateIndex
CREATE INDEX "processed_events_processed_at_idx" ON "processed_events"("processed_at");

-- CreateIndex
CREATE INDEX "analytics_events_timestamp_event_type_idx" ON "analytics_events"("timestamp", "event_type");

-- CreateIndex
CREATE INDEX "analytics_events_user_id_idx" ON "analytics_events"("user_id");

-- CreateIndex
CREATE INDEX "analytics_events_session_id_idx" ON "analytics_events"("session_id");

-- CreateIndex
CREATE INDEX "job_view_sessions_counted_at_idx" ON "job_view_sessions"("counted_at");

-- CreateIndex
CREATE UNIQUE INDEX "job_analytics_job_id_metric_name_metric_date_key" ON "job_analytics"("job_id", "metric_name", "metric_date");

-- CreateIndex
CREATE UNIQUE INDEX "user_analytics_user_id_metric_name_metric_date_key" ON "user_analytics"("user_id", "metric_name", "metric_date");

-- CreateIndex
CREATE UNIQUE INDEX "platform_analytics_metric_name_metric_date_key" ON "platform_analytics"("metric_name", "metric_date");

-- CreateIndex
CREATE INDEX "job_replicas_employer_id_posted_at_idx" ON "job_replicas"("employer_id", "posted_at");

-- Rollups count, and never below zero.
ALTER TABLE "job_analytics" ADD CONSTRAINT "job_analytics_metric_value_non_negative" CHECK ("metric_value" >= 0);
ALTER TABLE "user_analytics" ADD CONSTRAINT "user_analytics_metric_value_non_negative" CHECK ("metric_value" >= 0);
ALTER TABLE "platform_analytics" ADD CONSTRAINT "platform_analytics_metric_value_non_negative" CHECK ("metric_value" >= 0);

-- analytics_events has one partition per calendar month (UTC), analytics_events_YYYY_MM, and no
-- default partition: the service makes each month's partition ahead of time, and for any older month
-- it writes (a seed, a late platform event), under an advisory lock (subgraphs/analytics/src/partitions.ts),
-- retention drops whole months.
