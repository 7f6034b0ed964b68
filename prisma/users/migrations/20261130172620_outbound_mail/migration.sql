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

-- Written by hand: what Prisma cannot express.
ALTER TABLE "outbound_mail" ADD CONSTRAINT "outbound_mail_status_check" CHECK ("status" IN ('pending', 'sent', 'failed'));
ALTER TABLE "outbound_mail" ADD CONSTRAINT "outbound_mail_attempts_check" CHECK ("attempts" >= 0);

-- users.user.verification_requested.v1 and users.user.password_reset_requested.v1 carried the
-- one-time token and the email in clear, and are retired: users now queues and sends the mail
-- itself. Their outbox rows, published or not, go with them. (Messages already on the streams are
-- removed by purgeRetiredSubjects, which `npm run migrate` and `npm start` run.)
DELETE FROM "event_outbox" WHERE "subject" IN ('users.user.verification_requested.v1', 'users.user.password_reset_requested.v1');
