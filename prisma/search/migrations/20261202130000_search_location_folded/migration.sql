-- AlterTable
ALTER TABLE "search_indexes" ADD COLUMN "location_folded" TEXT;

-- The location as the location filter compares it: search_fold(location), lower case without
-- accents. Folding it in the filter called unaccent once per job read, which for a broad search
-- (tens of thousands of jobs matching its words) was a large part of the statement. Every write of
-- search_indexes sets it beside location, as it sets search_vector.
UPDATE "search_indexes" SET "location_folded" = search_fold("location") WHERE "location" IS NOT NULL;

-- "Location contains" by trigrams, on the stored column instead of the expression.
DROP INDEX "search_indexes_location_idx";
CREATE INDEX "search_indexes_location_idx" ON "search_indexes" USING gin ("location_folded" gin_trgm_ops) WHERE "is_active";
