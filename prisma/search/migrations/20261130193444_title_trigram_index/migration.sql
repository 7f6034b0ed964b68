-- Titles by prefix (searchSuggestions) and by similarity (searchSuggestions, and searchCompanies by
-- a misspelt name): a trigram index serves both LIKE 'abc%' and the <% operator.
CREATE INDEX "search_indexes_title_trgm_idx" ON "search_indexes" USING gin (search_fold("title") gin_trgm_ops) WHERE "is_active";
