import { createTestDatabase, type TestDatabase } from '@jobplatform/testing';
import { matchesTsQuery, parseTsQuery } from '../src/tsquery.js';
import { drawWebsearch, randomFrom, type Random } from './drawn.js';

// The saved-search matcher tests queries in Node: its answers must be PostgreSQL's `@@`, exactly.
// Thousands of drawn queries and documents are put to both, in search's own text configuration.

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('search');
});
afterAll(async () => {
  await db?.drop();
});

const WORDS = ['rust', 'developer', 'senior', 'the', 'of', 'data', 'science', 'full-time', 'engineers', "o'reilly", 'back\\slash', 'go'];

/** Documents as search_document makes them: three weighted parts concatenated, so positions run on across parts. */
function drawDocuments(random: Random, count: number): string[][] {
  return Array.from({ length: count }, () => Array.from({ length: 3 }, () => Array.from({ length: random.int(0, 8) }, () => random.pick(WORDS)).join(' ')));
}

/** Operator trees beyond what websearch writes: nested phrases on either side, distances, parentheses, double negation. */
function drawTree(random: Random, depth: number): string {
  if (depth === 0 || random.int(0, 2) === 0) return `'${random.pick(['rust', 'develop', 'senior', 'data', 'scienc', 'go'])}'`;
  switch (random.int(0, 4)) {
    case 0:
      return `!${drawTree(random, depth - 1)}`;
    case 1:
      return `(${drawTree(random, depth - 1)} & ${drawTree(random, depth - 1)})`;
    case 2:
      return `(${drawTree(random, depth - 1)} | ${drawTree(random, depth - 1)})`;
    default: {
      const phraseOperand = () => (random.int(0, 2) === 0 ? `(${drawPhrase(random, depth - 1)})` : `'${random.pick(['rust', 'develop', 'senior', 'data', 'scienc'])}'`);
      return `${phraseOperand()} ${random.pick(['<->', '<2>', '<3>', '<0>'])} ${phraseOperand()}`;
    }
  }
}
const drawPhrase = (random: Random, depth: number): string =>
  depth <= 0 ? `'rust'` : `'${random.pick(['rust', 'develop', 'senior', 'data'])}' ${random.pick(['<->', '<2>'])} ${drawTree(random, 0)}`;

/** PostgreSQL's answer for every pair, with each query's text and each document's lexemes as PostgreSQL prints them. */
async function postgresAnswers(queries: { text: string; websearch: boolean }[], documents: string[][]) {
  const { rows } = await db.query<{ queries: string[]; documents: { lexeme: string; positions: number[] }[][]; matches: boolean[][] }>(
    `WITH q AS (
       SELECT i, CASE WHEN websearch THEN websearch_to_tsquery('search_english', text) ELSE text::tsquery END AS query
       FROM unnest($1::text[], $2::boolean[]) WITH ORDINALITY AS t(text, websearch, i)
     ), vectors AS (
       SELECT j, setweight(to_tsvector('search_english', p[1]), 'A') || setweight(to_tsvector('search_english', p[2]), 'B') || setweight(to_tsvector('search_english', p[3]), 'D') AS vector
       FROM (SELECT j, ARRAY(SELECT json_array_elements_text(parts)) AS p FROM json_array_elements($3::json) WITH ORDINALITY AS t(parts, j)) AS d
     )
     SELECT (SELECT array_agg(query::text ORDER BY i) FROM q) AS queries,
            (SELECT json_agg((SELECT coalesce(json_agg(json_build_object('lexeme', lexeme, 'positions', positions)), '[]') FROM unnest(vector)) ORDER BY j) FROM vectors) AS documents,
            (SELECT json_agg((SELECT json_agg(v.vector @@ q.query ORDER BY q.i) FROM q) ORDER BY v.j) FROM vectors v) AS matches`,
    [queries.map((query) => query.text), queries.map((query) => query.websearch), JSON.stringify(documents)],
  );
  return rows[0]!;
}

it("answers every drawn query and document as PostgreSQL's @@ does, or leaves the query to PostgreSQL", async () => {
  const random = randomFrom(20261203);
  const queries = [
    ...Array.from({ length: 250 }, () => ({ text: drawWebsearch(random, () => random.pick(WORDS)), websearch: true })),
    ...Array.from({ length: 250 }, () => ({ text: drawTree(random, 3), websearch: false })),
  ];
  const documents = drawDocuments(random, 80);
  const answers = await postgresAnswers(queries, documents);
  const parsed = answers.queries.map((text) => ({ text, query: parseTsQuery(text) }));
  const docs: Map<string, readonly number[]>[] = answers.documents.map((lexemes) => new Map(lexemes.map(({ lexeme, positions }) => [lexeme, positions])));

  const disagreements: string[] = [];
  let compared = 0;
  docs.forEach((doc, j) =>
    parsed.forEach(({ text, query }, i) => {
      if (query === 'unsupported') return;
      compared += 1;
      const ours = query === 'empty' ? false : matchesTsQuery(query, doc);
      if (ours !== answers.matches[j]![i]) disagreements.push(`${text} on ${JSON.stringify([...doc])}: PostgreSQL ${answers.matches[j]![i]}, ours ${ours}`);
    }),
  );
  expect(disagreements.slice(0, 5)).toEqual([]);

  // Everything websearch_to_tsquery writes is compiled; of the other trees, those with an operator inside a phrase are not.
  const websearchTexts = answers.queries.slice(0, 250);
  expect(websearchTexts.filter((text) => parseTsQuery(text) === 'unsupported')).toEqual([]);
  expect(parsed.filter(({ query }) => query === 'unsupported').length).toBeGreaterThan(0);
  expect(compared).toBeGreaterThan(30_000);
  // The draw reaches the interesting cases: phrases, negations, stop words, the empty query, and both answers.
  expect(websearchTexts.some((text) => text.includes('<2>'))).toBe(true);
  expect(websearchTexts.some((text) => text.includes('!('))).toBe(true);
  expect(websearchTexts.some((text) => text === '')).toBe(true);
  expect(answers.matches.flat().filter(Boolean).length).toBeGreaterThan(1_000);
});

it('reads quoting, prefixes and weights as PostgreSQL prints them', () => {
  expect(parseTsQuery(`'it''s' & 'a\\\\b'`)).toEqual({ op: 'and', left: { op: 'lexeme', lexeme: "it's" }, right: { op: 'lexeme', lexeme: 'a\\b' } });
  expect(parseTsQuery(`'head' <2> 'sale' | 'rust' & !'java'`)).toEqual({
    op: 'or',
    left: { op: 'phrase', distance: 2, left: { op: 'lexeme', lexeme: 'head' }, right: { op: 'lexeme', lexeme: 'sale' } },
    right: { op: 'and', left: { op: 'lexeme', lexeme: 'rust' }, right: { op: 'not', arg: { op: 'lexeme', lexeme: 'java' } } },
  });
  expect(parseTsQuery('')).toBe('empty');
  expect(parseTsQuery(`'rust':*`)).toBe('unsupported');
  expect(parseTsQuery(`'rust':AB & 'go'`)).toBe('unsupported');
  expect(parseTsQuery(`'a' <-> ( 'b' & 'c' )`)).toBe('unsupported');
  expect(parseTsQuery(`'a' <-> !'b'`)).toBe('unsupported');
  expect(parseTsQuery(`( 'a'`)).toBe('unsupported');
});
