-- CreateTable
CREATE TABLE "job_application_counts" (
    "job_id" BIGINT NOT NULL,
    "status" VARCHAR(50) NOT NULL,
    "total" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "job_application_counts_pkey" PRIMARY KEY ("job_id","status")
);

-- CreateTable
CREATE TABLE "applicant_application_counts" (
    "applicant_id" BIGINT NOT NULL,
    "status" VARCHAR(50) NOT NULL,
    "total" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "applicant_application_counts_pkey" PRIMARY KEY ("applicant_id","status")
);

-- Kept by the triggers below, one statement at a time (transition tables), so closing a job or
-- erasing an applicant costs one upsert per job or applicant and status, not one per row. Every
-- statement takes the job rows before the applicant rows, each in key order, so that two writers
-- never wait for each other in opposite orders.
CREATE FUNCTION "application_counts_add"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  sign INTEGER := TG_ARGV[0]::INTEGER;
BEGIN
  INSERT INTO "job_application_counts" ("job_id", "status", "total")
  SELECT "job_id", "status", sign * count(*) FROM "changed_rows" GROUP BY 1, 2 ORDER BY 1, 2
  ON CONFLICT ("job_id", "status") DO UPDATE SET "total" = "job_application_counts"."total" + EXCLUDED."total";
  INSERT INTO "applicant_application_counts" ("applicant_id", "status", "total")
  SELECT "applicant_id", "status", sign * count(*) FROM "changed_rows" GROUP BY 1, 2 ORDER BY 1, 2
  ON CONFLICT ("applicant_id", "status") DO UPDATE SET "total" = "applicant_application_counts"."total" + EXCLUDED."total";
  RETURN NULL;
END $$;

-- An update moves each changed row from its old (job, applicant, status) to its new one; rows whose
-- three are unchanged (most updates: updated_at alone) cancel out and write nothing.
CREATE FUNCTION "application_counts_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "job_application_counts" ("job_id", "status", "total")
  SELECT "job_id", "status", sum("delta") FROM (
    SELECT "job_id", "status", 1 AS "delta" FROM "new_rows"
    UNION ALL
    SELECT "job_id", "status", -1 FROM "old_rows"
  ) AS "moved"
  GROUP BY 1, 2 HAVING sum("delta") <> 0 ORDER BY 1, 2
  ON CONFLICT ("job_id", "status") DO UPDATE SET "total" = "job_application_counts"."total" + EXCLUDED."total";
  INSERT INTO "applicant_application_counts" ("applicant_id", "status", "total")
  SELECT "applicant_id", "status", sum("delta") FROM (
    SELECT "applicant_id", "status", 1 AS "delta" FROM "new_rows"
    UNION ALL
    SELECT "applicant_id", "status", -1 FROM "old_rows"
  ) AS "moved"
  GROUP BY 1, 2 HAVING sum("delta") <> 0 ORDER BY 1, 2
  ON CONFLICT ("applicant_id", "status") DO UPDATE SET "total" = "applicant_application_counts"."total" + EXCLUDED."total";
  RETURN NULL;
END $$;

CREATE TRIGGER "applications_counted_on_insert" AFTER INSERT ON "applications"
  REFERENCING NEW TABLE AS "changed_rows" FOR EACH STATEMENT EXECUTE FUNCTION "application_counts_add"('1');
CREATE TRIGGER "applications_counted_on_delete" AFTER DELETE ON "applications"
  REFERENCING OLD TABLE AS "changed_rows" FOR EACH STATEMENT EXECUTE FUNCTION "application_counts_add"('-1');
CREATE TRIGGER "applications_counted_on_update" AFTER UPDATE ON "applications"
  REFERENCING OLD TABLE AS "old_rows" NEW TABLE AS "new_rows" FOR EACH STATEMENT EXECUTE FUNCTION "application_counts_change"();

-- The applications already there.
INSERT INTO "job_application_counts" ("job_id", "status", "total")
SELECT "job_id", "status", count(*) FROM "applications" GROUP BY 1, 2;
INSERT INTO "applicant_application_counts" ("applicant_id", "status", "total")
SELECT "applicant_id", "status", count(*) FROM "applications" GROUP BY 1, 2;
