-- CreateTable
CREATE TABLE "notification_counts" (
    "user_id" BIGINT NOT NULL,
    "notification_type" VARCHAR(20) NOT NULL,
    "total" INTEGER NOT NULL DEFAULT 0,
    "unread" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "notification_counts_pkey" PRIMARY KEY ("user_id","notification_type")
);

-- Kept by the triggers below, one statement at a time (transition tables), so a consumer's batch
-- or markAllNotificationsRead costs one upsert per user and channel, not one per row. An unread
-- notification is an in_app row with status 'sent', as the partial index notifications_unread_in_app_idx.
CREATE FUNCTION "notification_counts_add"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  sign INTEGER := TG_ARGV[0]::INTEGER;
BEGIN
  INSERT INTO "notification_counts" ("user_id", "notification_type", "total", "unread")
  SELECT "user_id", "notification_type", sign * count(*), sign * count(*) FILTER (WHERE "notification_type" = 'in_app' AND "status" = 'sent')
  FROM "changed_rows" GROUP BY 1, 2 ORDER BY 1, 2
  ON CONFLICT ("user_id", "notification_type") DO UPDATE
    SET "total" = "notification_counts"."total" + EXCLUDED."total", "unread" = "notification_counts"."unread" + EXCLUDED."unread";
  RETURN NULL;
END $$;

CREATE FUNCTION "notification_counts_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "notification_counts" ("user_id", "notification_type", "total", "unread")
  SELECT "user_id", "notification_type", sum("total"), sum("unread") FROM (
    SELECT "user_id", "notification_type", 1 AS "total", ("notification_type" = 'in_app' AND "status" = 'sent')::INTEGER AS "unread" FROM "new_rows"
    UNION ALL
    SELECT "user_id", "notification_type", -1, -(("notification_type" = 'in_app' AND "status" = 'sent')::INTEGER) FROM "old_rows"
  ) AS "delta"
  GROUP BY 1, 2 HAVING sum("total") <> 0 OR sum("unread") <> 0 ORDER BY 1, 2
  ON CONFLICT ("user_id", "notification_type") DO UPDATE
    SET "total" = "notification_counts"."total" + EXCLUDED."total", "unread" = "notification_counts"."unread" + EXCLUDED."unread";
  RETURN NULL;
END $$;

CREATE TRIGGER "notifications_counted_on_insert" AFTER INSERT ON "notifications"
  REFERENCING NEW TABLE AS "changed_rows" FOR EACH STATEMENT EXECUTE FUNCTION "notification_counts_add"('1');
CREATE TRIGGER "notifications_counted_on_delete" AFTER DELETE ON "notifications"
  REFERENCING OLD TABLE AS "changed_rows" FOR EACH STATEMENT EXECUTE FUNCTION "notification_counts_add"('-1');
CREATE TRIGGER "notifications_counted_on_update" AFTER UPDATE ON "notifications"
  REFERENCING OLD TABLE AS "old_rows" NEW TABLE AS "new_rows" FOR EACH STATEMENT EXECUTE FUNCTION "notification_counts_change"();

-- The notifications already there.
INSERT INTO "notification_counts" ("user_id", "notification_type", "total", "unread")
SELECT "user_id", "notification_type", count(*), count(*) FILTER (WHERE "notification_type" = 'in_app' AND "status" = 'sent')
FROM "notifications" GROUP BY 1, 2;
