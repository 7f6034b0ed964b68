-- Soft delete: deleteJob marks a job instead of removing its row, so that other services'
-- references to it (an application's job) keep resolving. A deleted job keeps its category and
-- skill links (the job as it was), leaves every list and job(id), and cannot be changed again.
-- AlterTable
ALTER TABLE "jobs" ADD COLUMN     "deleted_at" TIMESTAMP(3);

-- A deleted job is closed for good: lists of open jobs are right without looking at deleted_at,
-- and nothing can reopen a deleted job.
ALTER TABLE "jobs" ADD CONSTRAINT "jobs_deleted_is_closed_check" CHECK ("deleted_at" IS NULL OR NOT "is_active");

-- The indexes that lists and counts read alone (index-only scans: the company and employer pages
-- and counts, and totalCount of jobs(filter:)) hold only jobs that are not deleted, so that the
-- `deleted_at IS NULL` every list now says is answered from the index, without visiting rows.
-- New indexes first under a temporary name, then the old ones go and the new take their names:
-- no moment without an index for those lists. Each build blocks writes to jobs while it runs
-- (about a second for 100,000 jobs).
-- CreateIndex
CREATE INDEX "jobs_company_id_created_at_id_is_active_partial_idx" ON "jobs"("company_id", "created_at" DESC, "id" DESC, "is_active") WHERE (deleted_at IS NULL);

-- CreateIndex
CREATE INDEX "jobs_employer_id_created_at_id_is_active_partial_idx" ON "jobs"("employer_id", "created_at" DESC, "id" DESC, "is_active") WHERE (deleted_at IS NULL);

-- CreateIndex
CREATE INDEX "jobs_filter_count_partial_idx" ON "jobs"("is_active", "salary_currency", "job_type", "experience_level", "is_remote", "salary_min", "salary_max") WHERE (deleted_at IS NULL);

-- DropIndex
DROP INDEX "jobs_company_id_created_at_id_is_active_idx";

-- DropIndex
DROP INDEX "jobs_employer_id_created_at_id_is_active_idx";

-- DropIndex
DROP INDEX "jobs_filter_count_idx";

-- RenameIndex
ALTER INDEX "jobs_company_id_created_at_id_is_active_partial_idx" RENAME TO "jobs_company_id_created_at_id_is_active_idx";

-- RenameIndex
ALTER INDEX "jobs_employer_id_created_at_id_is_active_partial_idx" RENAME TO "jobs_employer_id_created_at_id_is_active_idx";

-- RenameIndex
ALTER INDEX "jobs_filter_count_partial_idx" RENAME TO "jobs_filter_count_idx";
