-- CreateTable
CREATE TABLE "token_revocations" (
    "id" BIGSERIAL NOT NULL,
    "session_id" UUID,
    "user_id" BIGINT NOT NULL,
    "not_before" TIMESTAMPTZ(3) NOT NULL,
    "reason" VARCHAR(50) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "token_revocations_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "token_revocations_created_at_idx" ON "token_revocations"("created_at");

-- What ended the tokens (Prisma cannot express CHECK constraints).
ALTER TABLE "token_revocations" ADD CONSTRAINT "token_revocations_reason_check"
  CHECK ("reason" IN ('logout', 'reuse_detected', 'password_changed', 'password_reset', 'account_deleted'));
