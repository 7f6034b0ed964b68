import { createTestDatabase, type TestDatabase } from '@jobplatform/testing';
import { rankTerms, scoreText, tsRank, wordDistance } from '../src/ts-rank.js';
import { parseTsQuery } from '../src/tsquery.js';
import { drawWebsearch, randomFrom, type Random } from './drawn.js';

// Search ranks jobs in Node: each score and the cursor made from its text must be what PostgreSQL's
// round(ts_rank(...)::numeric, 6) gave, to the last bit of the float4. Thousands of drawn documents
// and queries are put to both, in search's own text configuration.

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('search');
});
afterAll(async () => {
  await db?.drop();
});

/**
 * Few words, so that they repeat within a document and between query and document: stop words, two
 * spellings of one stem, a hyphenated word (three lexemes), and lexemes whose UTF-8 byte order is
 * not JavaScript's string order (ﾊﾝﾄﾞ before 𠀀𠀁 in bytes, after it in UTF-16).
 */
const WORDS = ['rust', 'developer', 'developers', 'senior', 'the', 'of', 'data', 'science', 'full-time', "o'reilly", 'go', 'remote', 'ωμέγα', 'ﾊﾝﾄﾞ', '𠀀𠀁'];
const WEIGHT_LETTERS = ['A', 'B', 'C', 'D'] as const;
const WEIGHT_CODE: Record<string, number> = { A: 3, B: 2, C: 1, D: 0 };

type Part = { text: string; weight: string; stripped: boolean };

/** Words drawn with a bias towards the first few, as real text repeats its subject. */
const drawWord = (random: Random) => (random.int(0, 2) === 0 ? random.pick(WORDS.slice(0, 4)) : random.pick(WORDS));
const drawText = (random: Random, length: number, heavy?: string) => Array.from({ length }, () => (heavy && random.int(0, 3) > 0 ? heavy : drawWord(random))).join(' ');

/**
 * Documents as search_document makes them: four weighted parts concatenated, so positions run on
 * across parts; here each part's weight is drawn, a body may run to hundreds of words (some with one
 * word most of the time), and now and then a part is stripped of its positions.
 */
function drawDocuments(random: Random, count: number): Part[][] {
  return Array.from({ length: count }, () => {
    const bodyLength = random.pick([0, 5, 20, 60, 150, 300, 450]);
    const heavy = random.int(0, 3) === 0 ? drawWord(random) : undefined;
    const lengths = [random.int(0, 6), random.int(0, 8), random.int(0, 4), bodyLength];
    return lengths.map((length, i) => ({
      text: drawText(random, length, i === 3 ? heavy : undefined),
      weight: random.pick(WEIGHT_LETTERS),
      stripped: random.int(0, 30) === 0,
    }));
  });
}

/** Shapes websearch does not write: an `or` or a `!` under the top `&`, a phrase with a distance. */
function drawTree(random: Random, depth: number): string {
  const lexeme = () => `'${random.pick(['rust', 'develop', 'senior', 'data', 'scienc', 'go', 'remot'])}'`;
  if (depth === 0 || random.int(0, 3) === 0) return lexeme();
  switch (random.int(0, 3)) {
    case 0:
      return `!${drawTree(random, depth - 1)}`;
    case 1:
      return `(${drawTree(random, depth - 1)} & ${drawTree(random, depth - 1)})`;
    case 2:
      return `(${drawTree(random, depth - 1)} | ${drawTree(random, depth - 1)})`;
    default:
      return `${lexeme()} ${random.pick(['<->', '<2>', '<3>'])} ${lexeme()}`;
  }
}

/** A float4 from float4send's bytes. */
function float4FromHex(hex: string): number {
  const view = new DataView(new ArrayBuffer(4));
  view.setUint32(0, Number.parseInt(hex, 16));
  return view.getFloat32(0);
}

/** Positions in the tsvector's own layout: (weight << 14) | position. */
function packPositions(positions: number[] | null, weights: string[] | null): Uint16Array {
  return Uint16Array.from(positions ?? [], (position, i) => (WEIGHT_CODE[weights![i]!]! << 14) | position);
}

type Answers = { queries: string[]; documents: [string, number[] | null, string[] | null][][]; ranks: [string, string][][] };

/** PostgreSQL's answer for every pair, with each query's text and each document's lexemes as PostgreSQL stores them. */
async function postgresAnswers(queries: { text: string; websearch: boolean }[], documents: Part[][]): Promise<Answers> {
  const part = (n: number) =>
    `(SELECT CASE WHEN (doc->${n}->>'stripped')::boolean THEN strip(v) ELSE v END
        FROM setweight(to_tsvector('search_english', doc->${n}->>'text'), (doc->${n}->>'weight')::"char") AS v)`;
  const { rows } = await db.query<Answers>(
    `WITH q AS MATERIALIZED (
       SELECT i, CASE WHEN websearch THEN websearch_to_tsquery('search_english', text) ELSE text::tsquery END AS query
       FROM unnest($1::text[], $2::boolean[]) WITH ORDINALITY AS t(text, websearch, i)
     ), d AS MATERIALIZED (
       SELECT j, ${part(0)} || ${part(1)} || ${part(2)} || ${part(3)} AS vector
       FROM json_array_elements($3::json) WITH ORDINALITY AS t(doc, j)
     )
     SELECT (SELECT json_agg(query::text ORDER BY i) FROM q) AS queries,
            (SELECT json_agg((SELECT coalesce(json_agg(json_build_array(lexeme, positions, weights)), '[]') FROM unnest(vector)) ORDER BY j) FROM d) AS documents,
            (SELECT json_agg((SELECT json_agg(json_build_array(encode(float4send(r), 'hex'), round(r::numeric, 6)::text) ORDER BY q.i)
                              FROM q, ts_rank(d.vector, q.query) AS r) ORDER BY d.j) FROM d) AS ranks`,
    [queries.map((query) => query.text), queries.map((query) => query.websearch), JSON.stringify(documents)],
  );
  return rows[0]!;
}

it("ranks every drawn document for every drawn query as PostgreSQL's ts_rank does, and prints the score as round(…, 6) does", async () => {
  const random = randomFrom(20261207);
  const queries = [
    ...Array.from({ length: 60 }, () => ({ text: drawWebsearch(random, () => drawWord(random)), websearch: true })),
    ...Array.from({ length: 15 }, () => ({ text: drawTree(random, 3), websearch: false })),
    // Only stop words, only negations (an `and` query that a document without lexemes matches), one word.
    { text: 'the of', websearch: true },
    { text: '-rust -go', websearch: true },
    { text: 'rust', websearch: true },
  ];
  const documentOf = (...parts: [string, string][]) => parts.map(([text, weight]) => ({ text, weight, stripped: false }));
  const fixed = [
    documentOf(['the', 'A'], ['of the', 'B'], ['', 'C'], ['of', 'D']),
    // Occurrences of one word whose rank differs when calc_rank_or's quotients are not rounded to float before they are summed.
    documentOf(['rust rust rust rust', 'D'], ['rust rust rust', 'B'], ['', 'C'], ['', 'D']),
    documentOf(['rust rust', 'D'], ['rust rust rust rust rust rust rust rust rust', 'B'], ['', 'C'], ['', 'D']),
  ];
  const answers = await postgresAnswers(queries, [...drawDocuments(random, 120), ...fixed]);
  const documents = answers.documents.map((lexemes) => new Map(lexemes.map(([lexeme, positions, weights]) => [lexeme, packPositions(positions, weights)])));
  const parsed = answers.queries.map((text) => ({ text, query: parseTsQuery(text) }));

  const disagreements: string[] = [];
  let compared = 0;
  const methods = new Set<string>();
  documents.forEach((document, j) =>
    parsed.forEach(({ text, query }, i) => {
      if (query === 'unsupported') return;
      compared += 1;
      const [hex, postgresText] = answers.ranks[j]![i]!;
      const postgres = float4FromHex(hex);
      // An empty query, and a document without lexemes, rank 0 before PostgreSQL looks further.
      const terms = query === 'empty' ? undefined : rankTerms(query);
      if (terms) methods.add(terms.method);
      const ours = terms === undefined || document.size === 0 ? 0 : tsRank(terms, (lexeme) => document.get(lexeme));
      if (!Object.is(ours, postgres) || scoreText(ours) !== postgresText) {
        disagreements.push(`${text} on ${JSON.stringify(answers.documents[j])}: PostgreSQL ${postgres} (${postgresText}), ours ${ours} (${scoreText(ours)})`);
      }
    }),
  );
  expect(disagreements.slice(0, 3)).toEqual([]);

  expect(parsed.filter(({ query }) => query === 'unsupported')).toEqual([]);
  expect(compared).toBeGreaterThan(8_000);
  // The draw reaches what the ranking turns on: both methods, phrases, negation, repeated lexemes,
  // empty documents and queries, long documents, every weight, stripped lexemes, many distinct scores.
  expect([...methods].sort()).toEqual(['and', 'or']);
  expect(answers.queries.some((text) => text.includes('<->'))).toBe(true);
  expect(answers.queries.some((text) => text.startsWith('!'))).toBe(true);
  expect(answers.queries.some((text) => text === '')).toBe(true);
  expect(answers.queries.some((text) => /('[^']+').*\1/.test(text))).toBe(true);
  expect(documents.some((document) => document.size === 0)).toBe(true);
  const allPositions = documents.flatMap((document) => [...document.values()]);
  expect(Math.max(...allPositions.map((positions) => positions.length))).toBeGreaterThan(100);
  expect(Math.max(...allPositions.flatMap((positions) => [...positions].map((at) => at & 0x3fff)))).toBeGreaterThan(500);
  expect(new Set(allPositions.flatMap((positions) => [...positions].map((at) => at >> 14)))).toEqual(new Set([0, 1, 2, 3]));
  expect(allPositions.some((positions) => positions.length === 0)).toBe(true);
  expect(new Set(answers.ranks.flat().map(([, text]) => text)).size).toBeGreaterThan(500);
});

it("holds word_distance's float4 values to PostgreSQL's, computed with C's types", async () => {
  // word_distance: 1.0 / (1.005 + 0.05 * exp(((float4) w) / 1.5 - 2)) in double, returned as float4.
  const { rows } = await db.query<{ w: number; hex: string }>(
    `SELECT w, encode(float4send((1.0::float8 / (1.005::float8 + 0.05::float8 * exp(w::float4::float8 / 1.5::float8 - 2::float8)))::float4), 'hex') AS hex
     FROM generate_series(1, 100) AS w ORDER BY w`,
  );
  expect(rows.map(({ w }) => wordDistance(w))).toEqual(rows.map(({ hex }) => float4FromHex(hex)));
  expect(wordDistance(101)).toBe(Math.fround(1e-30));
  expect(wordDistance(16_384)).toBe(Math.fround(1e-30));
});

it('prints any float4 as round(value::numeric, 6)::text does', async () => {
  const random = randomFrom(7);
  const values = [
    0,
    1,
    0.1,
    Math.fround(1e-20),
    -0.25,
    12_345.678,
    // Exact ties at the seventh significant digit: %g rounds them to even, then round() half away from zero.
    0.1640625,
    0.8671875,
    0.001953125,
    0.0078125,
    0.00048828125,
    0.000244140625,
    // Six significant digits put a 5 in the seventh decimal place that the value itself does not have.
    0.01234549,
    0.0000004999,
    0.0000005,
    0.9999996,
    ...Array.from({ length: 3_000 }, () => random.int(1, 2 ** 30) / 2 ** 30 / 10 ** random.int(0, 7)),
  ].map((value) => Math.fround(value));
  const { rows } = await db.query<{ hex: string; text: string }>(
    `SELECT encode(float4send(x), 'hex') AS hex, round(x::numeric, 6)::text AS text FROM unnest($1::float4[]) WITH ORDINALITY AS t(x, i) ORDER BY i`,
    [values.map((value) => value.toPrecision(9))],
  );
  // The nine digits sent are read back as the very float4.
  expect(rows.map(({ hex }) => float4FromHex(hex))).toEqual(values);
  const mismatches = rows.filter(({ text }, i) => scoreText(values[i]!) !== text).map(({ text }, i) => `${values[i]}: PostgreSQL ${text}, ours ${scoreText(values[i]!)}`);
  expect(mismatches).toEqual([]);
  expect(scoreText(0.1640625)).toBe('0.164062');
});

it('orders lexemes by their UTF-8 bytes, drops repeats, and picks the method as calc_rank does', () => {
  const terms = (text: string) => {
    const query = parseTsQuery(text);
    if (typeof query === 'string') throw new Error(`${text} is ${query}`);
    return rankTerms(query);
  };
  expect(terms(`'𠀀𠀁' | 'ﾊﾝﾄﾞ' | 'data' | 'dat' | 'ωμεγα'`).lexemes).toEqual(['dat', 'data', 'ωμεγα', 'ﾊﾝﾄﾞ', '𠀀𠀁']);
  expect(terms(`'rust' & !'go' & 'rust'`)).toEqual({ lexemes: ['go', 'rust'], method: 'and' });
  expect(terms(`'rust' <-> 'data'`).method).toBe('and');
  expect(terms(`'rust' <-> 'rust'`)).toEqual({ lexemes: ['rust'], method: 'or' });
  expect(terms(`'rust' & 'go' | 'data'`).method).toBe('or');
  expect(terms(`!( 'rust' & 'go' )`).method).toBe('or');
});
