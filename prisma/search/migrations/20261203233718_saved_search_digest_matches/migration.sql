-- A job's DAILY and WEEKLY matches become one row per job and frequency, holding the saved searches'
-- ids, instead of a row per saved search (hundreds and more for each new job).

-- CreateTable
CREATE TABLE "saved_search_digest_matches" (
    "job_id" BIGINT NOT NULL,
    "alert_frequency" VARCHAR(10) NOT NULL,
    "saved_search_ids" BIGINT[],
    "matched_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "saved_search_digest_matches_pkey" PRIMARY KEY ("job_id","alert_frequency")
);

-- CreateIndex
CREATE INDEX "saved_search_digest_matches_alert_frequency_matched_at_idx" ON "saved_search_digest_matches"("alert_frequency", "matched_at");

-- The matches still waiting for their digest move over, grouped by job and frequency.
INSERT INTO "saved_search_digest_matches" ("job_id", "alert_frequency", "saved_search_ids", "matched_at")
SELECT m."job_id", s."alert_frequency", array_agg(m."saved_search_id" ORDER BY m."saved_search_id"), min(m."matched_at")
  FROM "saved_search_matches" m JOIN "saved_searches" s ON s."id" = m."saved_search_id"
 WHERE s."alert_frequency" IN ('daily', 'weekly')
 GROUP BY m."job_id", s."alert_frequency";

-- Deleting saved searches now only logs the deletions for the matchers (a deleted search's id stays
-- in its jobs' rows until their digest, which leaves it out), so the trigger and its function are
-- renamed for what they do. Logged deletions older than a day go.
CREATE FUNCTION saved_search_log_deletions() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
BEGIN
  INSERT INTO saved_search_deletions (saved_search_id) SELECT id FROM deleted_saved_searches
    ON CONFLICT (saved_search_id) DO UPDATE SET deleted_xid = excluded.deleted_xid, deleted_at = excluded.deleted_at;
  DELETE FROM saved_search_deletions WHERE deleted_at < now() - interval '1 day';
  RETURN NULL;
END $$;

DROP TRIGGER saved_searches_delete_matches ON saved_searches;
DROP FUNCTION saved_search_delete_matches();
CREATE TRIGGER saved_searches_log_deletions AFTER DELETE ON saved_searches
  REFERENCING OLD TABLE AS deleted_saved_searches FOR EACH STATEMENT EXECUTE FUNCTION saved_search_log_deletions();

-- DropTable
DROP TABLE "saved_search_matches";
