-- totalCount of jobs(filter:) as an index-only scan: every scalar filter column in one index.
-- The company and employer indexes gain is_active as a last key column, so that Company.jobs and
-- User.postedJobs count and page open jobs from the index alone. New indexes first, then the old
-- ones go: no moment without an index for those lists. Each build blocks writes to jobs while it
-- runs (about a second for 100,000 jobs).

-- CreateIndex
CREATE INDEX "jobs_filter_count_idx" ON "jobs"("is_active", "salary_currency", "job_type", "experience_level", "is_remote", "salary_min", "salary_max");

-- CreateIndex
CREATE INDEX "jobs_company_id_created_at_id_is_active_idx" ON "jobs"("company_id", "created_at" DESC, "id" DESC, "is_active");

-- CreateIndex
CREATE INDEX "jobs_employer_id_created_at_id_is_active_idx" ON "jobs"("employer_id", "created_at" DESC, "id" DESC, "is_active");

-- DropIndex
DROP INDEX "jobs_company_id_created_at_id_idx";

-- DropIndex
DROP INDEX "jobs_employer_id_created_at_id_idx";
