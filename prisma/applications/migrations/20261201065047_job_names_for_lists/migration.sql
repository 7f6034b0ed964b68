-- What a list of applications shows of each job (Application.job's title, location and company
-- name, @provides) from applications' own copies, so that MyApplications needs no call to jobs:
-- job_replicas takes location and company_name from jobs.job.* events, and company_replicas keeps
-- companies' names from jobs.company.created/updated.v1 (a rename writes no job event).
-- Job copies written before this migration hold neither until their job's next event.
-- AlterTable
ALTER TABLE "job_replicas" ADD COLUMN     "company_name" VARCHAR(255),
ADD COLUMN     "location" VARCHAR(255);

-- CreateTable
CREATE TABLE "company_replicas" (
    "id" BIGINT NOT NULL,
    "name" VARCHAR(255) NOT NULL,
    "version" BIGINT NOT NULL,

    CONSTRAINT "company_replicas_pkey" PRIMARY KEY ("id")
);
