-- DropForeignKey
ALTER TABLE "saved_search_matches" DROP CONSTRAINT "saved_search_matches_saved_search_id_fkey";

-- DropIndex
DROP INDEX "saved_search_matches_notified_at_matched_at_idx";

-- AlterTable
ALTER TABLE "saved_searches" DROP COLUMN "query_lexemes",
ADD COLUMN     "filter_keys" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "word_keys" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- A new job used to be tested against every alerting saved search sharing any lexeme with its
-- document, and against every filter-only one. Now each saved search is looked up by keys that
-- every job it matches must have: words (word_keys) or the values of one filter (filter_keys).

-- How often a lexeme occurs in the read model's documents, as ANALYZE last sampled it: 0 for a word
-- that is not among the most common ones (or before the first ANALYZE). Only the choice of keys
-- reads it, so stale statistics cost candidates, never matches.
CREATE FUNCTION search_lexeme_frequency(lexeme text) RETURNS real
  LANGUAGE sql STABLE PARALLEL SAFE STRICT
  AS $$ SELECT coalesce((
           SELECT f.freq FROM pg_stats st, unnest(st.most_common_elems::text::text[], st.most_common_elem_freqs) AS f(elem, freq)
           WHERE st.schemaname = current_schema() AND st.tablename = 'search_indexes' AND st.attname = 'search_vector' AND f.elem = lexeme
           LIMIT 1), 0) $$;

-- Lexemes of which every document matching the query holds at least one, chosen rare: '{}' when
-- none is necessary ('-java', 'rust or -java') or the query is empty. querytree() keeps the part of
-- the query a match needs (negations dropped: 'rust -java' needs 'rust'), with only AND, OR and
-- phrase left, so more lexemes in a document never undo a match. Starting from all its lexemes, a
-- lexeme is dropped from the keys, the most frequent first, when a document holding every other
-- lexeme but none of the remaining keys still cannot match: 'product & manag' keeps the rarer one,
-- 'rust | go' keeps both. That document has each lexeme at positions 1 to 128, so that any phrase
-- of a 200-character query matches in it where its words are present.
CREATE FUNCTION saved_search_word_keys(query tsquery) RETURNS text[]
  LANGUAGE plpgsql STABLE PARALLEL SAFE
  AS $$
DECLARE
  needed text := CASE WHEN query IS NULL OR numnode(query) = 0 THEN '' ELSE querytree(query) END;
  positions text := (SELECT string_agg(i::text, ',') FROM generate_series(1, 128) AS i);
  lexemes text[];
  keys text[];
  candidate text;
BEGIN
  IF needed IN ('', 'T') THEN
    RETURN '{}';
  END IF;
  -- The lexemes as the query's text quotes them ('it''s'), which is also how a tsvector reads them.
  SELECT array_agg(DISTINCT m[1]) INTO lexemes FROM regexp_matches(needed, '(''(?:[^'']|'''')*'')', 'g') AS m;
  keys := lexemes;
  FOR candidate IN
    SELECT l FROM unnest(lexemes) AS l ORDER BY search_lexeme_frequency((tsvector_to_array(l::tsvector))[1]) DESC, length(l), l
  LOOP
    IF NOT coalesce((SELECT string_agg(l || ':' || positions, ' ') FROM unnest(lexemes) AS l WHERE l <> ALL (array_remove(keys, candidate)))::tsvector, ''::tsvector)
           @@ needed::tsquery THEN
      keys := array_remove(keys, candidate);
    END IF;
  END LOOP;
  RETURN (SELECT array_agg(lexeme ORDER BY lexeme) FROM unnest(keys) AS k, LATERAL unnest(tsvector_to_array(k::tsvector)) AS lexeme);
END $$;

-- The keys of one filter of which every job a saved search matches has at least one value, the
-- most selective filter given first: companies, skills, categories (a job has its categories'
-- ancestors too), location (a job has every substring of its folded location, the filter being
-- "contains"), experience levels, job types, remote, salary currency (salary bounds come with it).
-- '{}' when the search has no filter.
CREATE FUNCTION saved_search_filter_keys(company_ids bigint[], skill_ids bigint[], category_ids bigint[], location text, experience_levels text[], job_types text[], is_remote boolean, salary_currency text)
  RETURNS text[]
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT CASE
           WHEN cardinality(company_ids) > 0 THEN (SELECT array_agg('company:' || id) FROM unnest(company_ids) AS id)
           WHEN cardinality(skill_ids) > 0 THEN (SELECT array_agg('skill:' || id) FROM unnest(skill_ids) AS id)
           WHEN cardinality(category_ids) > 0 THEN (SELECT array_agg('category:' || id) FROM unnest(category_ids) AS id)
           WHEN search_fold(location) <> '' THEN ARRAY['location:' || search_fold(location)]
           WHEN cardinality(experience_levels) > 0 THEN (SELECT array_agg('level:' || v) FROM unnest(experience_levels) AS v)
           WHEN cardinality(job_types) > 0 THEN (SELECT array_agg('type:' || v) FROM unnest(job_types) AS v)
           WHEN is_remote IS NOT NULL THEN ARRAY['remote:' || is_remote::text]
           WHEN salary_currency IS NOT NULL THEN ARRAY['currency:' || salary_currency::text]
           ELSE '{}'::text[] END $$;

-- A saved search is looked up by its words, unless it has none that are necessary, or they are
-- common (in more than 5 % of documents together) while it also filters by company, skill or
-- category, which a much smaller share of jobs has.
CREATE FUNCTION saved_search_set_keys() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
DECLARE
  words text[] := saved_search_word_keys(NEW.compiled_query);
  selective_filter boolean := coalesce(cardinality(NEW.company_ids) > 0 OR cardinality(NEW.skill_ids) > 0 OR cardinality(NEW.category_ids) > 0, false);
BEGIN
  IF coalesce(words <> '{}', false) AND NOT (selective_filter AND (SELECT sum(search_lexeme_frequency(w)) FROM unnest(words) AS w) > 0.05) THEN
    NEW.word_keys := words;
    NEW.filter_keys := '{}';
  ELSE
    NEW.word_keys := '{}';
    NEW.filter_keys := saved_search_filter_keys(NEW.company_ids, NEW.skill_ids, NEW.category_ids, NEW.location, NEW.experience_levels, NEW.job_types, NEW.is_remote, NEW.salary_currency);
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER saved_searches_set_keys BEFORE INSERT OR UPDATE OF compiled_query, company_ids, skill_ids, category_ids, location, experience_levels, job_types, is_remote, salary_currency
  ON saved_searches FOR EACH ROW EXECUTE FUNCTION saved_search_set_keys();

-- The saved searches already there get their keys.
UPDATE saved_searches SET compiled_query = compiled_query;

-- Saved searches a new job can match: by a word of its document, by a filter value it has, and the
-- few with neither key (no query and no filter, or a negation-only query without filters).
CREATE INDEX "saved_searches_word_keys_idx" ON "saved_searches" USING gin ("word_keys") WHERE "alert_frequency" <> 'never';
CREATE INDEX "saved_searches_filter_keys_idx" ON "saved_searches" USING gin ("filter_keys") WHERE "alert_frequency" <> 'never';
CREATE INDEX "saved_searches_keyless_idx" ON "saved_searches" ("id") WHERE "alert_frequency" <> 'never' AND "word_keys" = '{}' AND "filter_keys" = '{}';

-- Deleting saved searches deletes their matches, as the foreign key's cascade did, once per
-- statement. A match a concurrent new job records for a search being deleted may stay behind:
-- nothing reads a match without its saved search (digests join them).
CREATE FUNCTION saved_search_delete_matches() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
BEGIN
  DELETE FROM saved_search_matches m USING deleted_saved_searches d WHERE m.saved_search_id = d.id;
  RETURN NULL;
END $$;

CREATE TRIGGER saved_searches_delete_matches AFTER DELETE ON saved_searches
  REFERENCING OLD TABLE AS deleted_saved_searches FOR EACH STATEMENT EXECUTE FUNCTION saved_search_delete_matches();

-- The matches a digest has still to carry; instant matches are notified when they are made and never enter it.
CREATE INDEX "saved_search_matches_pending_idx" ON "saved_search_matches" ("matched_at") WHERE "notified_at" IS NULL;
