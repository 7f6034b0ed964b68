-- DropTable
DROP TABLE "notifications_items";

-- CreateTable
CREATE TABLE "notifications" (
    "id" BIGSERIAL NOT NULL,
    "user_id" BIGINT NOT NULL,
    "title" VARCHAR(255) NOT NULL,
    "message" TEXT NOT NULL,
    "notification_type" VARCHAR(20) NOT NULL,
    "status" VARCHAR(20) NOT NULL DEFAULT 'pending',
    "event" VARCHAR(50) NOT NULL,
    "metadata" JSONB,
    "source_event_id" CHAR(26) NOT NULL,
    "outbound_mail_id" CHAR(26),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sent_at" TIMESTAMPTZ(3),
    "read_at" TIMESTAMPTZ(3),

    CONSTRAINT "notifications_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "notification_templates" (
    "id" BIGSERIAL NOT NULL,
    "name" VARCHAR(100) NOT NULL,
    "event" VARCHAR(50) NOT NULL,
    "notification_type" VARCHAR(20) NOT NULL,
    "subject" VARCHAR(255) NOT NULL,
    "body" TEXT NOT NULL,
    "is_active" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "notification_templates_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "user_notification_preferences" (
    "id" BIGSERIAL NOT NULL,
    "user_id" BIGINT NOT NULL,
    "notification_type" VARCHAR(20) NOT NULL,
    "is_enabled" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "user_notification_preferences_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "recipient_contacts" (
    "user_id" BIGINT NOT NULL,
    "email" VARCHAR(254) NOT NULL,
    "is_verified" BOOLEAN NOT NULL DEFAULT false,
    "version" BIGINT NOT NULL,

    CONSTRAINT "recipient_contacts_pkey" PRIMARY KEY ("user_id")
);

-- CreateTable
CREATE TABLE "job_replicas" (
    "id" BIGINT NOT NULL,
    "company_id" BIGINT NOT NULL,
    "title" VARCHAR(255) NOT NULL,
    "version" BIGINT NOT NULL,

    CONSTRAINT "job_replicas_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "company_replicas" (
    "id" BIGINT NOT NULL,
    "name" VARCHAR(255) NOT NULL,
    "version" BIGINT NOT NULL,

    CONSTRAINT "company_replicas_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "notifications_user_id_id_idx" ON "notifications"("user_id", "id" DESC);

-- CreateIndex
CREATE INDEX "notifications_user_id_notification_type_id_idx" ON "notifications"("user_id", "notification_type", "id" DESC);

-- CreateIndex
CREATE INDEX "notifications_outbound_mail_id_idx" ON "notifications"("outbound_mail_id");

-- CreateIndex
CREATE UNIQUE INDEX "notifications_source_event_id_user_id_notification_type_key" ON "notifications"("source_event_id", "user_id", "notification_type");

-- CreateIndex
CREATE UNIQUE INDEX "notification_templates_name_key" ON "notification_templates"("name");

-- CreateIndex
CREATE UNIQUE INDEX "notification_templates_event_notification_type_key" ON "notification_templates"("event", "notification_type");

-- CreateIndex
CREATE UNIQUE INDEX "user_notification_preferences_user_id_notification_type_key" ON "user_notification_preferences"("user_id", "notification_type");

-- Unread in-app notifications: unreadCount, unreadOnly and markAllNotificationsRead read only these.
CREATE INDEX "notifications_unread_in_app_idx" ON "notifications"("user_id", "id" DESC) WHERE "notification_type" = 'in_app' AND "status" = 'sent';

-- By hand: what Prisma cannot say.
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_notification_type_check" CHECK ("notification_type" IN ('email', 'push', 'sms', 'in_app'));
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_status_check" CHECK ("status" IN ('pending', 'sent', 'failed', 'read'));
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_event_check" CHECK ("event" IN ('application_submitted', 'application_status_changed', 'application_withdrawn', 'interview_scheduled', 'interview_rescheduled', 'interview_cancelled', 'interview_completed'));
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_title_check" CHECK (char_length(btrim("title")) > 0);
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_metadata_check" CHECK ("metadata" IS NULL OR jsonb_typeof("metadata") = 'object');
-- Only an in-app notification is read, and it is read exactly when it has a read time.
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_read_check" CHECK (("status" = 'read') = ("read_at" IS NOT NULL) AND ("status" <> 'read' OR "notification_type" = 'in_app'));
-- Delivered (sent, or sent and then read) exactly when it has a send time.
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_sent_check" CHECK (("status" IN ('sent', 'read')) = ("sent_at" IS NOT NULL));
ALTER TABLE "notification_templates" ADD CONSTRAINT "notification_templates_notification_type_check" CHECK ("notification_type" IN ('email', 'in_app'));
ALTER TABLE "notification_templates" ADD CONSTRAINT "notification_templates_event_check" CHECK ("event" IN ('application_submitted', 'application_status_changed', 'application_withdrawn', 'interview_scheduled', 'interview_rescheduled', 'interview_cancelled', 'interview_completed'));
ALTER TABLE "notification_templates" ADD CONSTRAINT "notification_templates_name_check" CHECK ("name" = "event" || '.' || "notification_type");
ALTER TABLE "notification_templates" ADD CONSTRAINT "notification_templates_subject_check" CHECK (char_length(btrim("subject")) > 0);
ALTER TABLE "notification_templates" ADD CONSTRAINT "notification_templates_body_check" CHECK (char_length(btrim("body")) > 0 AND char_length("body") <= 20000);
ALTER TABLE "user_notification_preferences" ADD CONSTRAINT "user_notification_preferences_notification_type_check" CHECK ("notification_type" IN ('email', 'push', 'sms', 'in_app'));
