-- AlterTable
ALTER TABLE "saved_searches" ADD COLUMN     "changed_xid" xid8 NOT NULL DEFAULT pg_current_xact_id();

-- CreateTable
CREATE TABLE "saved_search_deletions" (
    "saved_search_id" BIGINT NOT NULL,
    "deleted_xid" xid8 NOT NULL DEFAULT pg_current_xact_id(),
    "deleted_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "saved_search_deletions_pkey" PRIMARY KEY ("saved_search_id")
);

-- CreateIndex
CREATE INDEX "saved_search_deletions_deleted_xid_idx" ON "saved_search_deletions"("deleted_xid");

-- CreateIndex
CREATE INDEX "saved_search_deletions_deleted_at_idx" ON "saved_search_deletions"("deleted_at");

-- CreateIndex
CREATE INDEX "saved_searches_changed_xid_idx" ON "saved_searches"("changed_xid");

-- Each search process matches new jobs against the saved searches it holds in memory, and before
-- each match reads what changed since it last looked: the rows written by a transaction at or
-- after the oldest one still running then (changed_xid), and the deletions logged below.
CREATE FUNCTION saved_search_set_changed_xid() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
BEGIN
  NEW.changed_xid := pg_current_xact_id();
  RETURN NEW;
END $$;

CREATE TRIGGER saved_searches_set_changed_xid BEFORE UPDATE ON saved_searches FOR EACH ROW EXECUTE FUNCTION saved_search_set_changed_xid();

-- Deleting saved searches deletes their matches, as before, and logs the deletions for the
-- matchers; deletions logged more than a day ago go (a matcher that has not looked for an hour
-- loads everything again).
CREATE OR REPLACE FUNCTION saved_search_delete_matches() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
BEGIN
  DELETE FROM saved_search_matches m USING deleted_saved_searches d WHERE m.saved_search_id = d.id;
  INSERT INTO saved_search_deletions (saved_search_id) SELECT id FROM deleted_saved_searches
    ON CONFLICT (saved_search_id) DO UPDATE SET deleted_xid = excluded.deleted_xid, deleted_at = excluded.deleted_at;
  DELETE FROM saved_search_deletions WHERE deleted_at < now() - interval '1 day';
  RETURN NULL;
END $$;
