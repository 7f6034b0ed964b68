-- CreateTable
CREATE TABLE "outbound_mail" (
    "id" CHAR(26) NOT NULL,
    "kind" VARCHAR(50) NOT NULL,
    "user_id" BIGINT,
    "recipient" VARCHAR(254) NOT NULL,
    "subject" VARCHAR(998) NOT NULL,
    "text_body" TEXT,
    "html_body" TEXT,
    "status" VARCHAR(20) NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),
    "redacted_at" TIMESTAMPTZ(3),

    CONSTRAINT "outbound_mail_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "outbound_mail_status_next_attempt_at_idx" ON "outbound_mail"("status", "next_attempt_at");

-- CreateIndex
CREATE INDEX "outbound_mail_finished_at_idx" ON "outbound_mail"("finished_at");

-- CreateIndex
CREATE INDEX "outbound_mail_user_id_idx" ON "outbound_mail"("user_id");

-- CreateIndex: email rows waiting for their mail's outcome.
CREATE INDEX "notifications_pending_email_idx" ON "notifications"("id") WHERE (((notification_type)::text = 'email'::text) AND ((status)::text = 'pending'::text));

-- Written by hand: what Prisma cannot express (as packages/mail/prisma/outbound-mail.prisma asks).
ALTER TABLE "outbound_mail" ADD CONSTRAINT "outbound_mail_status_check" CHECK ("status" IN ('pending', 'sent', 'failed'));
ALTER TABLE "outbound_mail" ADD CONSTRAINT "outbound_mail_attempts_check" CHECK ("attempts" >= 0);
