-- Each search process holds the open jobs of search_indexes in memory (job-text-index.ts) and, before
-- each search, reads the rows written since it last looked: by a transaction at or after the oldest
-- one still running then (changed_xid, set on insert by the default and on update by the trigger).
-- A DELETE or TRUNCATE, which only an operator or a test does (closed jobs keep their row), moves
-- search_index_generation on, and every process loads the table again; so does a new table (the
-- rebuild's swap), which each process tells by its oid.

-- AlterTable
ALTER TABLE "search_indexes" ADD COLUMN     "changed_xid" xid8 NOT NULL DEFAULT pg_current_xact_id();

-- CreateTable
CREATE TABLE "search_index_generation" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "generation" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "search_index_generation_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "search_index_generation_one_row" CHECK ("id" = 1)
);

INSERT INTO "search_index_generation" ("id", "generation") VALUES (1, 0);

-- CreateIndex
CREATE INDEX "search_indexes_changed_xid_idx" ON "search_indexes"("changed_xid");

-- The saved searches' trigger function sets nothing particular to them: both tables use it.
ALTER FUNCTION saved_search_set_changed_xid() RENAME TO set_changed_xid;

CREATE TRIGGER search_indexes_set_changed_xid BEFORE UPDATE ON search_indexes FOR EACH ROW EXECUTE FUNCTION set_changed_xid();

CREATE FUNCTION search_index_next_generation() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
BEGIN
  UPDATE search_index_generation SET generation = generation + 1 WHERE id = 1;
  RETURN NULL;
END $$;

CREATE TRIGGER search_indexes_deleted AFTER DELETE ON search_indexes FOR EACH STATEMENT EXECUTE FUNCTION search_index_next_generation();
CREATE TRIGGER search_indexes_truncated AFTER TRUNCATE ON search_indexes FOR EACH STATEMENT EXECUTE FUNCTION search_index_next_generation();
