-- A match now stays only until it is sent: a digest deletes the rows it carries, and an INSTANT
-- match gets no row (its alert goes to the outbox with the job's index). The rows already sent have
-- no reader, so they go first; dropping notified_at drops the partial index of pending rows with it.
DELETE FROM "saved_search_matches" WHERE "notified_at" IS NOT NULL;

-- AlterTable
ALTER TABLE "saved_search_matches" DROP COLUMN "notified_at";

-- CreateIndex
CREATE INDEX "saved_search_matches_matched_at_idx" ON "saved_search_matches"("matched_at");
