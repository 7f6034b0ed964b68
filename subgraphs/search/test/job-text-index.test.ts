import pg from 'pg';
import { createLeanSql, type LeanSql } from '@jobplatform/service-runtime';
import { createTestDatabase, type TestDatabase } from '@jobplatform/testing';
import { rawSqlOver } from '../src/db.js';
import { indexJob, type JobSnapshot } from '../src/job-index.js';
import { createJobSearch, type JobSearchRequest, type JobSearchSort } from '../src/job-search.js';
import { createJobTextIndex, parseTsVector, type JobTextIndex } from '../src/job-text-index.js';
import { parseJobFilter } from '../src/search-input.js';
import { jobSnapshot } from './search-fixtures.js';
import { drawWebsearch, randomFrom, type Random } from './drawn.js';

// searchJobs answers from the open jobs held in memory once they are loaded. Its answers must be
// those of the statement that reads search_indexes: the same jobs in the same order, the same
// scores, highlights, cursors, totals and facets. Hundreds of drawn requests are put to both, over
// hundreds of drawn jobs, and again after the jobs change.

let db: TestDatabase;
let pool: pg.Pool;
let sql: LeanSql;
let index: JobTextIndex;
const statement = () => createJobSearch(sql);
let memory: ReturnType<typeof createJobSearch>;

const TITLE_WORDS = ['senior', 'product', 'designer', 'data', 'engineer', 'manager', 'support', 'customer', 'machine', 'learning', 'nurse', 'rust', 'developer'];
const BODY_WORDS = [...TITLE_WORDS, 'the', 'and', 'of', 'team', 'build', 'building', 'builds', 'care', 'patients', 'models', 'café', 'naïve', 'o’clock', 'full-time'];
const LOCATIONS = ['Berlin', 'Zürich', 'São Paulo', 'Lisbon', 'London', 'New London', null];
const PARENTS = [
  { id: '901', name: 'Engineering', parentId: null },
  { id: '902', name: 'Health', parentId: null },
];
const CATEGORIES = [
  ...PARENTS,
  { id: '903', name: 'Data engineering', parentId: '901' },
  { id: '904', name: 'Nursing', parentId: '902' },
  { id: '905', name: 'ML', parentId: '903' },
];
const SKILLS = ['Python', 'Go', 'Rust', 'SQL', 'Figma', 'Care'].map((name, i) => ({ id: String(951 + i), name, isRequired: i % 2 === 0 }));
const COMPANIES = ['71', '72', '73'];
const TYPES = ['full_time', 'part_time', 'contract', 'internship', 'freelance'] as const;
const LEVELS = ['entry', 'mid', 'senior', 'executive'] as const;

let nextJobId = 50_000;
function drawJob(random: Random): JobSnapshot {
  const words = (count: number) => Array.from({ length: count }, () => random.pick(BODY_WORDS)).join(' ');
  const salaryMin = random.chance(0.7) ? `${random.int(2, 20) * 10_000 + random.pick([0, 0.5, 99.99])}` : null;
  const at = new Date(Date.UTC(2026, 10, 1) + random.int(0, 60) * 86_400_000 + random.int(0, 999)).toISOString();
  return jobSnapshot({
    id: String((nextJobId += 1)),
    title: Array.from({ length: random.int(1, 3) }, () => random.pick(TITLE_WORDS)).join(' '),
    description: words(random.int(0, 60)),
    requirements: random.chance(0.5) ? words(random.int(1, 20)) : null,
    companyId: random.pick(COMPANIES),
    companyName: 'Company',
    jobType: random.pick(TYPES),
    experienceLevel: random.pick(LEVELS),
    isRemote: random.chance(0.4),
    location: random.pick(LOCATIONS),
    salaryMin: salaryMin === null ? null : Number(salaryMin).toFixed(2),
    salaryMax: salaryMin !== null && random.chance(0.6) ? (Number(salaryMin) + random.int(0, 5) * 10_000).toFixed(2) : null,
    salaryCurrency: random.pick(['EUR', 'USD']),
    categories: random.some(CATEGORIES, 2),
    skills: random.some(SKILLS, 3),
    createdAt: at,
    updatedAt: at,
  });
}

/** What people type (up to three words), and sometimes nothing. */
const drawQuery = (random: Random): string => (random.chance(0.12) ? '' : drawWebsearch(random, () => random.pick(BODY_WORDS), 3));

function drawRequest(random: Random): JobSearchRequest {
  const filter: Record<string, unknown> = {};
  if (random.chance(0.25)) filter.jobTypes = random.some(TYPES, 2).map((type) => type.toUpperCase());
  if (random.chance(0.25)) filter.experienceLevels = random.some(LEVELS, 2).map((level) => level.toUpperCase());
  if (random.chance(0.2)) filter.isRemote = random.chance(0.5);
  if (random.chance(0.2)) filter.location = random.pick(['zurich', 'LONDON', 'são', 'lin', 'Paulo']);
  if (random.chance(0.2)) filter.categoryIds = random.some(['901', '902', '903', '904'], 2);
  if (random.chance(0.2))
    filter.skillIds = random.some(
      SKILLS.map((skill) => skill.id),
      2,
    );
  if (random.chance(0.15)) filter.salaryMin = random.int(3, 15) * 10_000;
  if (random.chance(0.15)) filter.salaryMax = ((filter.salaryMin as number | undefined) ?? 0) + random.int(1, 10) * 10_000;
  // Amounts only compare in one currency.
  if (filter.salaryMin !== undefined || filter.salaryMax !== undefined || random.chance(0.1)) filter.salaryCurrency = random.pick(['EUR', 'USD']);
  if (random.chance(0.1)) filter.postedWithinDays = random.int(10, 40);
  if (random.chance(0.1)) filter.companyIds = random.some(COMPANIES, 2);
  const sort: JobSearchSort = random.pick(['RELEVANCE', 'RELEVANCE', 'NEWEST', 'SALARY_HIGH', 'SALARY_LOW']);
  return { query: drawQuery(random), filter: parseJobFilter(filter), sort, first: random.int(1, 25), after: undefined };
}

const NOW = new Date(Date.UTC(2026, 11, 20));
/** JSON with bigints as text and every object's keys in order, so that two results compare by what they hold. */
const asJson = (value: unknown) =>
  JSON.stringify(value, (_, v: unknown) =>
    typeof v === 'bigint'
      ? v.toString()
      : v !== null && typeof v === 'object' && !Array.isArray(v)
        ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)))
        : v,
  );

/** The paths at which two JSON values differ, with both values: a failure's message. */
function whereTheyDiffer(expected: unknown, actual: unknown, path = ''): string[] {
  if (expected !== null && actual !== null && typeof expected === 'object' && typeof actual === 'object') {
    const keys = [...new Set([...Object.keys(expected), ...Object.keys(actual)])];
    return keys.flatMap((key) => whereTheyDiffer((expected as Record<string, unknown>)[key], (actual as Record<string, unknown>)[key], `${path}.${key}`)).slice(0, 4);
  }
  return expected === actual ? [] : [`${path}: statement ${JSON.stringify(expected)}, memory ${JSON.stringify(actual)}`];
}

/** Every request's first page and up to two pages more, from the statement and from memory: where they differ. */
async function differences(requests: JobSearchRequest[]): Promise<{ differences: string[]; fromMemory: number }> {
  const found: string[] = [];
  let fromMemory = 0;
  const fromStatement = statement();
  for (const first of requests) {
    let request = first;
    for (let page = 0; page < 3; page++) {
      const expected = await fromStatement.search(request, { withFacets: page === 0 }, NOW);
      const reads = sqlReads;
      const actual = await memory.search(request, { withFacets: page === 0 }, NOW);
      // A search that PostgreSQL matched (similarity for misspelt words, queries the index does not compile) reads the rows.
      if (sqlReads === reads) fromMemory += 1;
      if (asJson(actual) !== asJson(expected)) found.push(`${asJson(request)}: ${whereTheyDiffer(JSON.parse(asJson(expected)), JSON.parse(asJson(actual))).join('; ')}`);
      if (!expected.pageInfo.hasNextPage) break;
      request = { ...request, after: expected.pageInfo.endCursor };
    }
  }
  return { differences: found, fromMemory };
}

/** Statements that test the words or filters on search_indexes' rows: the statement path's reads. */
let sqlReads = 0;
const jobs: JobSnapshot[] = [];

async function write(snapshots: JobSnapshot[], options: { deleted?: boolean } = {}) {
  await sql.transaction(async (tx) => {
    for (const job of snapshots) await indexJob(rawSqlOver(tx), job, { version: Date.parse(job.updatedAt), deleted: options.deleted ?? false });
  });
}

beforeAll(async () => {
  db = await createTestDatabase('search');
  pool = new pg.Pool({ connectionString: db.url, max: 4 });
  sql = createLeanSql(pool, {
    onQuery: (event) => {
      if (/FROM search_indexes j WHERE/.test(event.query) && !event.query.includes('changed_xid') && !event.query.includes('entity_id > $1')) sqlReads += 1;
    },
  });
  const random = randomFrom(20261204);
  jobs.push(...Array.from({ length: 400 }, () => drawJob(random)));
  await write(jobs);
  index = createJobTextIndex({ sql });
  memory = createJobSearch(sql, index);
  await index.load();
});
afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

it('reads a tsvector as PostgreSQL prints it: quoted lexemes, doubled quotes, backslashes, weights, no positions', async () => {
  const { rows } = await db.query<{ text: string; lexemes: { lexeme: string; positions: number[] | null; weights: string[] | null }[] }>(
    `SELECT v::text AS text, (SELECT json_agg(json_build_object('lexeme', lexeme, 'positions', positions, 'weights', weights)) FROM unnest(v)) AS lexemes
     FROM (VALUES (setweight(to_tsvector('simple', $$it's o'reilly back\\slash a:b$$), 'A') || to_tsvector('simple', 'plain words plain') || setweight(to_tsvector('simple', 'café'), 'C')),
                  ('nopos other:3B'::tsvector)) AS t(v)`,
  );
  const weightBits: Record<string, number> = { A: 3, B: 2, C: 1, D: 0 };
  for (const row of rows) {
    expect(parseTsVector(row.text)).toEqual(
      row.lexemes.map(({ lexeme, positions, weights }) => ({ lexeme, positions: (positions ?? []).map((position, i) => (weightBits[weights![i]!]! << 14) | position) })),
    );
  }
});

it('answers hundreds of drawn searches as the statement does: jobs, order, scores, highlights, cursors, totals and facets', async () => {
  expect(index.size).toBe(400);
  const random = randomFrom(4);
  const { differences: found, fromMemory } = await differences(Array.from({ length: 300 }, () => drawRequest(random)));
  expect(found.slice(0, 3)).toEqual([]);
  // Most were answered from memory (the others by similarity, which only PostgreSQL does).
  expect(fromMemory).toBeGreaterThan(300);
});

it('follows what changes: new, changed and closed jobs are answered as the statement answers them at once', async () => {
  const random = randomFrom(77);
  const added = Array.from({ length: 40 }, () => drawJob(random));
  const changed = jobs.slice(0, 40).map((job) => ({ ...job, title: `${job.title} zebrafish`, updatedAt: new Date(Date.parse(job.updatedAt) + 1000).toISOString() }));
  await write([...added, ...changed]);
  await write(jobs.slice(40, 80), { deleted: true });
  const requests = Array.from({ length: 120 }, () => drawRequest(random));
  const { differences: found } = await differences(requests);
  expect(found.slice(0, 3)).toEqual([]);
  expect(index.size).toBe(400);
  const renamed = await memory.search({ query: 'zebrafish', filter: parseJobFilter({}), sort: 'NEWEST', first: 100, after: undefined }, { withFacets: false }, NOW);
  expect(renamed.hits.map((hit) => hit.id.toString()).sort()).toEqual(changed.map((job) => job.id).sort());
});

it('reads again, but does not put again, rows that have not changed while an old transaction holds its watermark back', async () => {
  const holder = new pg.Client({ connectionString: db.url });
  await holder.connect();
  try {
    // A transaction with an id, open across the looks below: every look reads the rows written since it began.
    await holder.query('BEGIN');
    await holder.query('SELECT pg_current_xact_id()');
    const renamed = jobs.slice(200, 220).map((job) => ({ ...job, title: `${job.title} axolotl`, updatedAt: new Date(Date.parse(job.updatedAt) + 5000).toISOString() }));
    await write(renamed);
    expect(await index.catchUp()).toBe(true);
    const dead = index.deadSlots!;
    for (let look = 0; look < 3; look++) expect(await index.catchUp()).toBe(true);
    expect(index.deadSlots).toBe(dead);
    const found = await memory.search({ query: 'axolotl', filter: parseJobFilter({}), sort: 'NEWEST', first: 50, after: undefined }, { withFacets: false }, NOW);
    expect(found.counts.total).toBe(renamed.length);
  } finally {
    await holder.query('ROLLBACK');
    await holder.end();
  }
});

it('loads the table again after a DELETE or a new table, and answers from PostgreSQL meanwhile', async () => {
  const request = { query: '', filter: parseJobFilter({}), sort: 'NEWEST' as const, first: 5, after: undefined };
  const openJobs = async () => Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM search_indexes WHERE entity_type = 'job' AND is_active`)).rows[0]!.n);

  // A DELETE leaves no row to read as a change: the index drops what it held and loads again.
  await db.query(`DELETE FROM search_indexes WHERE entity_type = 'job' AND entity_id IN (SELECT entity_id FROM search_indexes WHERE is_active ORDER BY entity_id LIMIT 10)`);
  const reads = sqlReads;
  expect((await memory.search(request, { withFacets: true }, NOW)).counts.total).toBe(await openJobs());
  expect(sqlReads).toBe(reads + 1);
  await index.load();
  expect(index.size).toBe(await openJobs());
  expect((await differences([request])).fromMemory).toBeGreaterThan(0);

  // A table swapped in, as the rebuild does: a new oid, and rows whose changes the index never saw.
  await db.query(`CREATE TABLE swapped (LIKE search_indexes INCLUDING ALL)`);
  await db.query(
    `INSERT INTO swapped SELECT * FROM search_indexes WHERE NOT (entity_type = 'job' AND entity_id IN (SELECT entity_id FROM search_indexes WHERE is_active ORDER BY entity_id LIMIT 5))`,
  );
  await db.query(`ALTER SEQUENCE search_indexes_id_seq OWNED BY swapped.id`);
  await db.query(`DROP TABLE search_indexes`);
  await db.query(`ALTER TABLE swapped RENAME TO search_indexes`);
  expect((await memory.search(request, { withFacets: true }, NOW)).counts.total).toBe(await openJobs());
  await index.load();
  expect(index.size).toBe(await openJobs());
  const { differences: found, fromMemory } = await differences([request, { ...request, query: 'senior engineer', sort: 'RELEVANCE' }]);
  expect(found).toEqual([]);
  expect(fromMemory).toBeGreaterThan(0);
});
