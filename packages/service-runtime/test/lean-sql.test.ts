import { execFileSync } from 'node:child_process';
import pg from 'pg';
import { createTestDatabase, loadSubgraphDefinition, type TestDatabase } from '@jobplatform/testing';
import { createDatabaseClients, createLeanSql, emptyStatement, statement, type DatabaseClients, type SqlStatementEvent, type SubgraphDefinition } from '../src/index.js';

// The lean client (node-postgres) beside a service's Prisma client, on a real PostgreSQL database.

let database: TestDatabase;
let jobs: SubgraphDefinition<any, any, any, any, any>;
let clients: DatabaseClients<any>;
const seen: SqlStatementEvent[] = [];

beforeAll(async () => {
  [database, jobs] = await Promise.all([createTestDatabase('jobs'), loadSubgraphDefinition('jobs')]);
  clients = createDatabaseClients(jobs.PrismaClient, database.url, { poolSize: 2, onQuery: (event) => seen.push(event) });
  await database.query('CREATE TABLE lean_probe (id int8 PRIMARY KEY, note text NOT NULL)');
});
afterAll(async () => {
  await clients.close();
  await database.drop();
});
beforeEach(() => {
  seen.length = 0;
});

it("returns values as Prisma's raw queries do", async () => {
  const statement = `SELECT 9007199254740993::int8 AS big, ARRAY[1, NULL, 3]::int8[] AS bigs, 7::int AS small,
    '2026-03-01'::date AS day, ARRAY['2026-03-01'::date, '1999-12-31'::date] AS days,
    '2026-03-01T10:00:00.123Z'::timestamptz AS at, '{"a": [1, "x"]}'::jsonb AS doc, 'text' AS word, true AS yes, NULL::int8 AS none`;
  const [lean] = await clients.sql.rows<Record<string, unknown>>(statement);
  const [prisma] = (await clients.db.$queryRawUnsafe(statement)) as Record<string, unknown>[];
  expect(lean).toEqual(prisma);
  // onQuery tells which client sent each.
  expect(seen.map((event) => [event.via, event.query])).toEqual([
    ['node-postgres', statement],
    ['prisma', statement],
  ]);
  expect(lean).toEqual({
    big: 9007199254740993n,
    bigs: [1n, null, 3n],
    small: 7,
    day: new Date('2026-03-01T00:00:00.000Z'),
    days: [new Date('2026-03-01T00:00:00.000Z'), new Date('1999-12-31T00:00:00.000Z')],
    at: new Date('2026-03-01T10:00:00.123Z'),
    doc: { a: [1, 'x'] },
    word: 'text',
    yes: true,
    none: null,
  });
});

it('reads a timestamp without time zone as the UTC instant, as Prisma does', async () => {
  const statement = `SELECT '2026-03-01 10:00:00.123'::timestamp(3) AS at, ARRAY['2026-03-01 10:00:00'::timestamp, NULL] AS ats`;
  const [lean] = await clients.sql.rows<Record<string, unknown>>(statement);
  const [prisma] = (await clients.db.$queryRawUnsafe(statement)) as Record<string, unknown>[];
  expect(lean).toEqual({ at: new Date('2026-03-01T10:00:00.123Z'), ats: [new Date('2026-03-01T10:00:00.000Z'), null] });
  expect(lean!.at).toEqual(prisma!.at);
});

it("reads and writes it so in any time zone of the process (node-postgres' own parsers use the local one)", () => {
  const source = `import pg from 'pg';
    import { createLeanSql, leanTypes } from ${JSON.stringify(new URL('../src/lean-sql.ts', import.meta.url).href)};
    const parse = (oid) => leanTypes.getTypeParser(oid, 'text');
    const pool = new pg.Pool({ connectionString: process.env.PROBE_DATABASE_URL, max: 1 });
    const [row] = await createLeanSql(pool).rows('SELECT $1::timestamp(3) AS naive, $1::timestamptz AS zoned', [new Date('2026-03-01T10:00:00.123Z')]);
    await pool.end();
    console.log(JSON.stringify({ local: new Date(2026, 2, 1, 10).toISOString(), at: parse(1114)('2026-03-01 10:00:00.123'), ats: parse(1115)('{"2026-03-01 10:00:00",NULL}'), ...row }));`;
  // The workspace's packages from their sources (nothing need be built), as the tests import them.
  const output = execFileSync(process.execPath, ['--conditions=development', '--import', 'tsx', '--input-type=module', '-e', source], {
    env: { ...process.env, TZ: 'America/Sao_Paulo', PROBE_DATABASE_URL: database.url },
    encoding: 'utf8',
  });
  // The zone took effect (a local reading is three hours off), and the lean client ignores it both ways.
  expect(JSON.parse(output)).toEqual({
    local: '2026-03-01T13:00:00.000Z',
    at: '2026-03-01T10:00:00.123Z',
    ats: ['2026-03-01T10:00:00.000Z', null],
    naive: '2026-03-01T10:00:00.123Z',
    zoned: '2026-03-01T10:00:00.123Z',
  });
});

it('takes parameters, bigint ones included', async () => {
  const rows = await clients.sql.rows<{ n: bigint; ids: bigint[] }>('SELECT $1::int8 + 1 AS n, $2::int8[] AS ids', [41n, [1n, 2n]]);
  expect(rows).toEqual([{ n: 42n, ids: [1n, 2n] }]);
});

it('numbers the values of a statement written as a template, fragments within it included', async () => {
  const onlyOdd = (odd: boolean) => (odd ? statement`AND n % ${2} = ${1}` : emptyStatement);
  const query = (odd: boolean) => statement`SELECT n FROM generate_series(${1}::int, ${6}::int) AS n WHERE n > ${1} ${onlyOdd(odd)} ORDER BY n LIMIT ${10}`;
  expect(query(true).toQuery()).toEqual({
    text: 'SELECT n FROM generate_series($1::int, $2::int) AS n WHERE n > $3 AND n % $4 = $5 ORDER BY n LIMIT $6',
    values: [1, 6, 1, 2, 1, 10],
  });
  expect(await clients.sql.rows(query(true))).toEqual([{ n: 3 }, { n: 5 }]);
  expect(await clients.sql.rows(query(false))).toEqual([{ n: 2 }, { n: 3 }, { n: 4 }, { n: 5 }, { n: 6 }]);
});

it('commits a transaction, and rolls one back when its work throws', async () => {
  await clients.sql.transaction(async (tx) => {
    await tx.query('INSERT INTO lean_probe (id, note) VALUES ($1, $2)', [1n, 'kept']);
  });
  await expect(
    clients.sql.transaction(async (tx) => {
      await tx.query('INSERT INTO lean_probe (id, note) VALUES ($1, $2)', [2n, 'gone']);
      throw new Error('changed my mind');
    }),
  ).rejects.toThrow('changed my mind');
  // A failing statement rolls back what came before it in the transaction.
  await expect(
    clients.sql.transaction(async (tx) => {
      await tx.query('INSERT INTO lean_probe (id, note) VALUES ($1, $2)', [3n, 'gone too']);
      await tx.query('INSERT INTO lean_probe (id, note) VALUES ($1, $2)', [1n, 'duplicate']);
    }),
  ).rejects.toMatchObject({ code: '23505' });
  expect((await database.query('SELECT id::int, note FROM lean_probe ORDER BY id')).rows).toEqual([{ id: 1, note: 'kept' }]);
  // Every statement of the work was seen.
  expect(seen.filter((event) => event.query.startsWith('INSERT'))).toHaveLength(4);
  // Rows in a transaction come with the same parsers as outside it.
  const inside = await clients.sql.transaction(async (tx) => (await tx.query('SELECT id, $1::date AS day FROM lean_probe', ['2026-01-02'])).rows);
  expect(inside).toEqual([{ id: 1n, day: new Date('2026-01-02T00:00:00.000Z') }]);
});

it('prepares each statement text with values once per connection, the first texts up to its limit, sends the others unnamed and says so once', async () => {
  const pool = new pg.Pool({ connectionString: database.url, max: 1 });
  const usedUp: number[] = [];
  const sql = createLeanSql(pool, { preparedStatements: 2, onNamesUsedUp: (limit) => usedUp.push(limit) });
  try {
    // Without values: the simple protocol, as before, and no slot taken.
    expect(await sql.rows('SELECT 42 AS n')).toEqual([{ n: 42 }]);
    const answers: unknown[] = [];
    for (const n of [1, 2, 3]) {
      answers.push(await sql.rows(statement`SELECT ${n}::int AS n`));
      answers.push(await sql.transaction((tx) => tx.rows(statement`SELECT ${n}::int + 10 AS n`)));
      answers.push(await sql.rows(statement`SELECT ${n}::int + 20 AS n`));
    }
    expect(answers).toEqual([1, 2, 3].flatMap((n) => [[{ n }], [{ n: n + 10 }], [{ n: n + 20 }]]));
    // The one connection's prepared statements: each of the first two texts parsed once and run three times.
    const prepared = await sql.rows<{ statement: string; runs: number }>(
      'SELECT statement, (generic_plans + custom_plans)::int AS runs FROM pg_prepared_statements ORDER BY prepare_time',
    );
    expect(prepared).toEqual([
      { statement: 'SELECT $1::int AS n', runs: 3 },
      { statement: 'SELECT $1::int + 10 AS n', runs: 3 },
    ]);
    // Told once, when the third text found every name taken.
    expect(usedUp).toEqual([2]);
  } finally {
    await pool.end();
  }
});

it('sends a statement marked prepared: false unnamed, and it takes no name from the fixed statements after it', async () => {
  const pool = new pg.Pool({ connectionString: database.url, max: 1 });
  const usedUp: number[] = [];
  const events: SqlStatementEvent[] = [];
  const sql = createLeanSql(pool, { preparedStatements: 1, onQuery: (event) => events.push(event), onNamesUsedUp: (limit) => usedUp.push(limit) });
  try {
    // Texts shaped per request (a clause per filter given): none takes the one name.
    for (const clauses of [['$1::int > 0'], ['$1::int > 0', '$1::int < 10'], ['$1::int > 0', '$1::int <> 5']])
      expect(await sql.rows(`SELECT $1::int AS n WHERE ${clauses.join(' AND ')}`, [3], { prepared: false })).toEqual([{ n: 3 }]);
    // A fixed statement sent after them still gets it, in and out of transactions.
    for (const n of [1, 2]) {
      expect(await sql.rows(statement`SELECT ${n}::int * 2 AS n`)).toEqual([{ n: n * 2 }]);
      expect(await sql.transaction((tx) => tx.rows(statement`SELECT ${n}::int * 2 AS n`))).toEqual([{ n: n * 2 }]);
    }
    const prepared = await sql.rows<{ statement: string; runs: number }>('SELECT statement, (generic_plans + custom_plans)::int AS runs FROM pg_prepared_statements');
    expect(prepared).toEqual([{ statement: 'SELECT $1::int * 2 AS n', runs: 4 }]);
    expect(usedUp).toEqual([]);
    expect(events.filter((event) => event.query.includes('WHERE')).map((event) => event.prepared)).toEqual([false, false, false]);
    expect(events.filter((event) => event.query.includes('* 2')).map((event) => event.prepared)).toEqual([true, true, true, true]);
  } finally {
    await pool.end();
  }
});

it("shares the Prisma client's pool", async () => {
  // Both connections of the pool (poolSize 2) are held by lean transactions: Prisma has to wait for one.
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  const holders = [0, 1].map(() => clients.sql.transaction(() => held));
  await new Promise((resolve) => setTimeout(resolve, 100));
  let prismaAnswered = false;
  const prisma = (clients.db.$queryRawUnsafe('SELECT 1 AS one') as Promise<unknown>).then(() => (prismaAnswered = true));
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(prismaAnswered).toBe(false);
  release();
  await Promise.all([...holders, prisma]);
  expect(prismaAnswered).toBe(true);
  const { rows } = await database.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'",
  );
  expect(rows[0]!.n).toBeLessThanOrEqual(2);
});
