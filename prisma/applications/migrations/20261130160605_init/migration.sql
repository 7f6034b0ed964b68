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
CREATE TABLE "applications" (
    "id" BIGSERIAL NOT NULL,
    "job_id" BIGINT NOT NULL,
    "applicant_id" BIGINT NOT NULL,
    "employer_id" BIGINT NOT NULL,
    "status" VARCHAR(50) NOT NULL DEFAULT 'pending',
    "cover_letter" TEXT,
    "expected_salary" DECIMAL(10,2),
    "availability_date" DATE,
    "is_active" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "applications_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "application_attachments" (
    "id" BIGSERIAL NOT NULL,
    "application_id" BIGINT NOT NULL,
    "file_name" VARCHAR(255) NOT NULL,
    "file_type" VARCHAR(100) NOT NULL,
    "file_size" INTEGER NOT NULL,
    "storage_key" VARCHAR(500) NOT NULL,
    "upload_status" VARCHAR(20) NOT NULL DEFAULT 'pending',
    "upload_expires_at" TIMESTAMPTZ(3) NOT NULL,
    "uploaded_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "application_attachments_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "application_status_history" (
    "id" BIGSERIAL NOT NULL,
    "application_id" BIGINT NOT NULL,
    "status" VARCHAR(50) NOT NULL,
    "notes" TEXT,
    "changed_by" BIGINT,
    "actor_kind" VARCHAR(20) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "application_status_history_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "interviews" (
    "id" BIGSERIAL NOT NULL,
    "application_id" BIGINT NOT NULL,
    "interview_type" VARCHAR(50) NOT NULL DEFAULT 'phone',
    "scheduled_at" TIMESTAMPTZ(3) NOT NULL,
    "duration_minutes" INTEGER NOT NULL DEFAULT 60,
    "location" VARCHAR(255),
    "notes" TEXT,
    "status" VARCHAR(50) NOT NULL DEFAULT 'scheduled',
    "cancellation_reason" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "interviews_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "job_replicas" (
    "id" BIGINT NOT NULL,
    "company_id" BIGINT NOT NULL,
    "employer_id" BIGINT NOT NULL,
    "title" VARCHAR(255) NOT NULL,
    "is_active" BOOLEAN NOT NULL,
    "application_deadline" DATE,
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
CREATE TABLE "applicant_contacts" (
    "user_id" BIGINT NOT NULL,
    "email" VARCHAR(254) NOT NULL,
    "first_name" VARCHAR(150),
    "last_name" VARCHAR(150),
    "version" BIGINT NOT NULL,

    CONSTRAINT "applicant_contacts_pkey" PRIMARY KEY ("user_id")
);

-- CreateTable
CREATE TABLE "user_replicas" (
    "id" BIGINT NOT NULL,
    "username" VARCHAR(150),
    "user_type" VARCHAR(20),
    "is_active" BOOLEAN NOT NULL DEFAULT false,
    "deleted_at" TIMESTAMPTZ(3),
    "version" BIGINT NOT NULL,

    CONSTRAINT "user_replicas_pkey" PRIMARY KEY ("id")
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
CREATE INDEX "applications_job_id_created_at_id_idx" ON "applications"("job_id", "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "applications_job_id_status_created_at_id_idx" ON "applications"("job_id", "status", "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "applications_applicant_id_created_at_id_idx" ON "applications"("applicant_id", "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "applications_applicant_id_status_created_at_id_idx" ON "applications"("applicant_id", "status", "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "applications_job_id_is_active_idx" ON "applications"("job_id", "is_active");

-- CreateIndex
CREATE UNIQUE INDEX "applications_job_id_applicant_id_key" ON "applications"("job_id", "applicant_id");

-- CreateIndex
CREATE UNIQUE INDEX "application_attachments_storage_key_key" ON "application_attachments"("storage_key");

-- CreateIndex
CREATE INDEX "application_attachments_application_id_created_at_idx" ON "application_attachments"("application_id", "created_at");

-- CreateIndex
CREATE INDEX "application_attachments_upload_status_upload_expires_at_idx" ON "application_attachments"("upload_status", "upload_expires_at");

-- CreateIndex
CREATE INDEX "application_status_history_application_id_created_at_id_idx" ON "application_status_history"("application_id", "created_at", "id");

-- CreateIndex
CREATE INDEX "application_status_history_changed_by_idx" ON "application_status_history"("changed_by");

-- CreateIndex
CREATE INDEX "interviews_application_id_scheduled_at_idx" ON "interviews"("application_id", "scheduled_at");

-- CreateIndex
CREATE INDEX "job_replicas_company_id_idx" ON "job_replicas"("company_id");

-- CreateIndex
CREATE INDEX "job_replicas_employer_id_idx" ON "job_replicas"("employer_id");

-- CreateIndex
CREATE INDEX "company_member_replicas_user_id_is_member_idx" ON "company_member_replicas"("user_id", "is_member");

-- AddForeignKey
ALTER TABLE "applications" ADD CONSTRAINT "applications_job_id_fkey" FOREIGN KEY ("job_id") REFERENCES "job_replicas"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "application_attachments" ADD CONSTRAINT "application_attachments_application_id_fkey" FOREIGN KEY ("application_id") REFERENCES "applications"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "application_status_history" ADD CONSTRAINT "application_status_history_application_id_fkey" FOREIGN KEY ("application_id") REFERENCES "applications"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "interviews" ADD CONSTRAINT "interviews_application_id_fkey" FOREIGN KEY ("application_id") REFERENCES "applications"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- What Prisma cannot express: the seed's value lists and ranges, checked by the database too.
ALTER TABLE "applications" ADD CONSTRAINT "applications_status_check" CHECK ("status" IN ('pending', 'reviewing', 'shortlisted', 'interviewing', 'offered', 'hired', 'rejected', 'withdrawn'));
ALTER TABLE "applications" ADD CONSTRAINT "applications_expected_salary_check" CHECK ("expected_salary" IS NULL OR "expected_salary" >= 0);
ALTER TABLE "applications" ADD CONSTRAINT "applications_cover_letter_check" CHECK ("cover_letter" IS NULL OR char_length("cover_letter") <= 10000);
ALTER TABLE "application_status_history" ADD CONSTRAINT "application_status_history_status_check" CHECK ("status" IN ('pending', 'reviewing', 'shortlisted', 'interviewing', 'offered', 'hired', 'rejected', 'withdrawn'));
ALTER TABLE "application_status_history" ADD CONSTRAINT "application_status_history_actor_kind_check" CHECK ("actor_kind" IN ('applicant', 'employer', 'system'));
ALTER TABLE "application_attachments" ADD CONSTRAINT "application_attachments_upload_status_check" CHECK ("upload_status" IN ('pending', 'uploaded'));
ALTER TABLE "application_attachments" ADD CONSTRAINT "application_attachments_file_size_check" CHECK ("file_size" BETWEEN 1 AND 10485760);
ALTER TABLE "interviews" ADD CONSTRAINT "interviews_interview_type_check" CHECK ("interview_type" IN ('phone', 'video', 'in_person'));
ALTER TABLE "interviews" ADD CONSTRAINT "interviews_status_check" CHECK ("status" IN ('scheduled', 'completed', 'cancelled', 'rescheduled'));
ALTER TABLE "interviews" ADD CONSTRAINT "interviews_duration_minutes_check" CHECK ("duration_minutes" BETWEEN 15 AND 480);
