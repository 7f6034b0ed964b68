-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- Trigram index support for case-insensitive substring search on jobs.location.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- CreateTable
CREATE TABLE "companies" (
    "id" BIGSERIAL NOT NULL,
    "name" VARCHAR(255) NOT NULL,
    "description" TEXT,
    "website" VARCHAR(255),
    "logo" VARCHAR(255),
    "industry" VARCHAR(100),
    "size" VARCHAR(50),
    "founded_year" INTEGER,
    "location" VARCHAR(255),
    "is_verified" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "companies_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "company_members" (
    "id" BIGSERIAL NOT NULL,
    "company_id" BIGINT NOT NULL,
    "user_id" BIGINT NOT NULL,
    "role" VARCHAR(20) NOT NULL DEFAULT 'member',
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "company_members_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "jobs" (
    "id" BIGSERIAL NOT NULL,
    "title" VARCHAR(255) NOT NULL,
    "description" TEXT NOT NULL,
    "requirements" TEXT,
    "responsibilities" TEXT,
    "company_id" BIGINT NOT NULL,
    "employer_id" BIGINT NOT NULL,
    "job_type" VARCHAR(50) NOT NULL DEFAULT 'full_time',
    "experience_level" VARCHAR(50) NOT NULL DEFAULT 'entry',
    "salary_min" DECIMAL(10,2),
    "salary_max" DECIMAL(10,2),
    "salary_currency" VARCHAR(3) NOT NULL DEFAULT 'USD',
    "location" VARCHAR(255),
    "is_remote" BOOLEAN NOT NULL DEFAULT false,
    "is_active" BOOLEAN NOT NULL DEFAULT true,
    "application_deadline" DATE,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "jobs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "job_categories" (
    "id" BIGSERIAL NOT NULL,
    "name" VARCHAR(100) NOT NULL,
    "description" TEXT,
    "parent_id" BIGINT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "job_categories_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "job_categories_jobs" (
    "id" BIGSERIAL NOT NULL,
    "job_id" BIGINT NOT NULL,
    "category_id" BIGINT NOT NULL,

    CONSTRAINT "job_categories_jobs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "job_skills" (
    "id" BIGSERIAL NOT NULL,
    "name" VARCHAR(100) NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "job_skills_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "job_skills_jobs" (
    "id" BIGSERIAL NOT NULL,
    "job_id" BIGINT NOT NULL,
    "skill_id" BIGINT NOT NULL,
    "is_required" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "job_skills_jobs_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "company_members_user_id_idx" ON "company_members"("user_id");

-- CreateIndex
CREATE UNIQUE INDEX "company_members_company_id_user_id_key" ON "company_members"("company_id", "user_id");

-- CreateIndex
CREATE INDEX "jobs_is_active_created_at_id_idx" ON "jobs"("is_active", "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "jobs_company_id_created_at_id_idx" ON "jobs"("company_id", "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "jobs_employer_id_created_at_id_idx" ON "jobs"("employer_id", "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "jobs_is_active_job_type_created_at_idx" ON "jobs"("is_active", "job_type", "created_at" DESC);

-- CreateIndex
CREATE INDEX "jobs_is_active_experience_level_created_at_idx" ON "jobs"("is_active", "experience_level", "created_at" DESC);

-- CreateIndex
CREATE INDEX "jobs_is_active_is_remote_created_at_idx" ON "jobs"("is_active", "is_remote", "created_at" DESC);

-- CreateIndex
CREATE INDEX "jobs_salary_max_idx" ON "jobs"("salary_max");

-- CreateIndex
CREATE INDEX "jobs_salary_min_idx" ON "jobs"("salary_min");

-- CreateIndex
CREATE INDEX "jobs_location_trgm_idx" ON "jobs" USING GIN ("location" gin_trgm_ops);

-- CreateIndex
CREATE UNIQUE INDEX "job_categories_name_key" ON "job_categories"("name");

-- CreateIndex
CREATE INDEX "job_categories_parent_id_idx" ON "job_categories"("parent_id");

-- CreateIndex
CREATE INDEX "job_categories_jobs_category_id_job_id_idx" ON "job_categories_jobs"("category_id", "job_id");

-- CreateIndex
CREATE UNIQUE INDEX "job_categories_jobs_job_id_category_id_key" ON "job_categories_jobs"("job_id", "category_id");

-- CreateIndex
CREATE UNIQUE INDEX "job_skills_name_key" ON "job_skills"("name");

-- CreateIndex
CREATE INDEX "job_skills_jobs_skill_id_job_id_idx" ON "job_skills_jobs"("skill_id", "job_id");

-- CreateIndex
CREATE UNIQUE INDEX "job_skills_jobs_job_id_skill_id_key" ON "job_skills_jobs"("job_id", "skill_id");

-- AddForeignKey
ALTER TABLE "company_members" ADD CONSTRAINT "company_members_company_id_fkey" FOREIGN KEY ("company_id") REFERENCES "companies"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "jobs" ADD CONSTRAINT "jobs_company_id_fkey" FOREIGN KEY ("company_id") REFERENCES "companies"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "job_categories" ADD CONSTRAINT "job_categories_parent_id_fkey" FOREIGN KEY ("parent_id") REFERENCES "job_categories"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "job_categories_jobs" ADD CONSTRAINT "job_categories_jobs_job_id_fkey" FOREIGN KEY ("job_id") REFERENCES "jobs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "job_categories_jobs" ADD CONSTRAINT "job_categories_jobs_category_id_fkey" FOREIGN KEY ("category_id") REFERENCES "job_categories"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "job_skills_jobs" ADD CONSTRAINT "job_skills_jobs_job_id_fkey" FOREIGN KEY ("job_id") REFERENCES "jobs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "job_skills_jobs" ADD CONSTRAINT "job_skills_jobs_skill_id_fkey" FOREIGN KEY ("skill_id") REFERENCES "job_skills"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Constraints Prisma cannot express.
ALTER TABLE "companies" ADD CONSTRAINT "companies_size_check" CHECK ("size" IN ('startup', 'small', 'medium', 'large'));
ALTER TABLE "companies" ADD CONSTRAINT "companies_founded_year_check" CHECK ("founded_year" BETWEEN 1600 AND 2200);
ALTER TABLE "company_members" ADD CONSTRAINT "company_members_role_check" CHECK ("role" IN ('owner', 'member'));
ALTER TABLE "jobs" ADD CONSTRAINT "jobs_job_type_check" CHECK ("job_type" IN ('full_time', 'part_time', 'contract', 'internship', 'freelance'));
ALTER TABLE "jobs" ADD CONSTRAINT "jobs_experience_level_check" CHECK ("experience_level" IN ('entry', 'mid', 'senior', 'executive'));
ALTER TABLE "jobs" ADD CONSTRAINT "jobs_salary_range_check" CHECK ("salary_min" >= 0 AND "salary_max" >= 0 AND ("salary_min" IS NULL OR "salary_max" IS NULL OR "salary_min" <= "salary_max"));
ALTER TABLE "jobs" ADD CONSTRAINT "jobs_salary_currency_check" CHECK ("salary_currency" ~ '^[A-Z]{3}$');
ALTER TABLE "job_categories" ADD CONSTRAINT "job_categories_not_own_parent_check" CHECK ("parent_id" <> "id");

-- Category and skill names are unique regardless of case ("Python" and "python" are one skill).
CREATE UNIQUE INDEX "job_categories_name_lower_key" ON "job_categories" (lower("name"));
CREATE UNIQUE INDEX "job_skills_name_lower_key" ON "job_skills" (lower("name"));

-- The category tree can never form a cycle. The service checks first (answering BAD_USER_INPUT)
-- under an advisory lock that serialises tree changes, and this CHECK refuses any write that would
-- put a category under itself or one of its descendants, whoever makes it.
-- (A SQL function, not PL/pgSQL: migrations are applied statement by statement, split at semicolons.)
CREATE FUNCTION "job_category_is_own_ancestor"(category_id BIGINT, new_parent_id BIGINT) RETURNS BOOLEAN
LANGUAGE sql STABLE AS $$
  WITH RECURSIVE ancestors(id, depth) AS (
    SELECT new_parent_id, 1
    UNION ALL
    SELECT c.parent_id, a.depth + 1
    FROM job_categories c JOIN ancestors a ON c.id = a.id
    WHERE c.parent_id IS NOT NULL AND a.depth < 1000
  )
  SELECT EXISTS (SELECT 1 FROM ancestors WHERE id = category_id)
$$;

ALTER TABLE "job_categories" ADD CONSTRAINT "job_categories_acyclic_check"
  CHECK ("parent_id" IS NULL OR NOT "job_category_is_own_ancestor"("id", "parent_id"));
