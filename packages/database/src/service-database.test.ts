import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { databaseRole } from '@jobplatform/config';
import { createTestDatabase, testPostgresAdminUrl, type TestDatabase } from '@jobplatform/testing';
import { applyMigrations, serviceSchema } from './migrations.js';
import { provisionServiceDatabase } from './service-database.js';

// Each service reaches only its own database: it logs in as its own role, which owns that database
// and everything in it, is no superuser, and may not even connect to another service's database.

const prismaRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../prisma');

let users: TestDatabase;
let jobs: TestDatabase;

beforeAll(async () => {
  [users, jobs] = await Promise.all([createTestDatabase('users'), createTestDatabase('jobs')]);
});

afterAll(async () => {
  await Promise.all([users?.drop(), jobs?.drop()]);
});

function inDatabase(url: string, database: string): string {
  const other = new URL(url);
  other.pathname = `/${database}`;
  return other.toString();
}

async function queryAs<R extends pg.QueryResultRow>(url: string, sql: string): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(sql)).rows;
  } finally {
    await client.end();
  }
}

/** What in the public schema a role other than the database's owner owns; an extension's own objects left out. */
const foreignOwned = `
  SELECT kind, name, owner FROM (
    SELECT 'relation' AS kind, c.oid::regclass::text AS name, pg_get_userbyid(c.relowner) AS owner, 'pg_class'::regclass AS catalog, c.oid
      FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'S', 'v', 'm')
    UNION ALL SELECT 'type', t.oid::regtype::text, pg_get_userbyid(t.typowner), 'pg_type'::regclass, t.oid
      FROM pg_type t WHERE t.typnamespace = 'public'::regnamespace AND t.typtype IN ('e', 'd', 'r')
    UNION ALL SELECT 'function', p.oid::regprocedure::text, pg_get_userbyid(p.proowner), 'pg_proc'::regclass, p.oid
      FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace
    UNION ALL SELECT 'text search configuration', c.cfgname::text, pg_get_userbyid(c.cfgowner), 'pg_ts_config'::regclass, c.oid
      FROM pg_ts_config c WHERE c.cfgnamespace = 'public'::regnamespace
    UNION ALL SELECT 'schema', n.nspname::text, pg_get_userbyid(n.nspowner), 'pg_namespace'::regclass, n.oid
      FROM pg_namespace n WHERE n.nspname = 'public' AND n.nspowner <> 'pg_database_owner'::regrole
    UNION ALL SELECT 'database', d.datname::text, pg_get_userbyid(d.datdba), 'pg_database'::regclass, d.oid
      FROM pg_database d WHERE d.datname = current_database()
  ) AS objects
  WHERE owner <> current_user
    AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = objects.catalog AND e.objid = objects.oid AND e.deptype = 'e')
  ORDER BY kind, name`;

it("jobs' credentials cannot connect to users' database, nor users' to jobs'", async () => {
  for (const [intruder, target] of [
    [jobs, users],
    [users, jobs],
  ] as const) {
    const client = new pg.Client({ connectionString: inDatabase(intruder.url, target.name) });
    await expect(client.connect()).rejects.toMatchObject({ code: '42501', message: `permission denied for database "${target.name}"` });
  }
  // Their own credentials do connect, as their own roles.
  expect(await queryAs(users.url, 'SELECT current_user AS role')).toEqual([{ role: 'users_service' }]);
  expect(await queryAs(jobs.url, 'SELECT current_user AS role')).toEqual([{ role: 'jobs_service' }]);
});

it("a service's role is no superuser and may create neither roles nor databases; PUBLIC has no right on its database", async () => {
  const [role] = await jobs
    .query('SELECT rolname, rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls FROM pg_roles WHERE rolname = current_user')
    .then((r) => r.rows);
  expect(role).toEqual({ rolname: databaseRole('jobs'), rolsuper: false, rolcreaterole: false, rolcreatedb: false, rolreplication: false, rolbypassrls: false });
  await expect(jobs.query('CREATE ROLE intruder LOGIN')).rejects.toMatchObject({ code: '42501' });
  await expect(jobs.query('CREATE DATABASE intruder')).rejects.toMatchObject({ code: '42501' });
  const [database] = await jobs.query<{ acl: string[] }>('SELECT datacl::text[] AS acl FROM pg_database WHERE datname = current_database()').then((r) => r.rows);
  expect(database!.acl.filter((entry) => entry.startsWith('='))).toEqual([]);
});

it('the migrations ran as the role: it owns every table (the migrations table too), sequence and function they made', async () => {
  for (const db of [users, jobs]) {
    expect(await db.query(foreignOwned).then((r) => r.rows)).toEqual([]);
    const tables = await db.query<{ tableowner: string; tablename: string }>("SELECT tablename, tableowner FROM pg_tables WHERE schemaname = 'public'").then((r) => r.rows);
    expect(tables.map((t) => t.tablename)).toEqual(expect.arrayContaining(['_prisma_migrations', 'event_outbox']));
    expect(new Set(tables.map((t) => t.tableowner))).toEqual(new Set([db.role]));
  }
  // jobs' migrations create a function (the category tree's cycle check): its owner is jobs' role too.
  expect(await jobs.query("SELECT pg_get_userbyid(proowner) AS owner FROM pg_proc WHERE proname = 'job_category_is_own_ancestor'").then((r) => r.rows)).toEqual([
    { owner: 'jobs_service' },
  ]);
});

it('hands a database made before the roles existed (migrated as postgres, which owns everything) over to the role, once', async () => {
  const name = `test_before_roles_${randomBytes(5).toString('hex')}`;
  const adminUrl = testPostgresAdminUrl();
  const asAdmin = inDatabase(adminUrl, name);
  await queryAs(adminUrl, `CREATE DATABASE "${name}"`);
  try {
    // As npm start did before: the database and search's migrations (functions, text search
    // configurations, extensions) as postgres, and some kinds of object its migrations do not make.
    await applyMigrations(asAdmin, serviceSchema(prismaRoot, 'search'));
    await queryAs(
      asAdmin,
      `CREATE TYPE mood AS ENUM ('calm');
       CREATE DOMAIN positive AS integer CHECK (VALUE > 0);
       CREATE SEQUENCE counter;
       CREATE TABLE readings (id serial PRIMARY KEY, taken_on date NOT NULL, mood mood) ;
       CREATE TABLE visits (id bigint GENERATED ALWAYS AS IDENTITY, at date NOT NULL) PARTITION BY RANGE (at);
       CREATE TABLE visits_2026 PARTITION OF visits FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
       CREATE VIEW recent_readings AS SELECT * FROM readings;
       CREATE MATERIALIZED VIEW reading_count AS SELECT count(*) FROM readings;`,
    );
    const before = await queryAs<{ owner: string }>(asAdmin, "SELECT pg_get_userbyid(relowner) AS owner FROM pg_class WHERE relname = '_prisma_migrations'");
    expect(before).toEqual([{ owner: 'postgres' }]);

    // A role of its own, so that the test files using search's role at the same time keep its password.
    const access = { database: name, role: 'search_before_roles_service', password: randomBytes(12).toString('base64url') };
    const first = await provisionServiceDatabase(adminUrl, access);
    expect(first.handedOver).toBeGreaterThan(10);
    expect(await queryAs(first.url, foreignOwned)).toEqual([]);
    const kept = ['_prisma_migrations', 'counter', 'reading_count', 'readings', 'readings_id_seq', 'recent_readings', 'search_history', 'visits', 'visits_2026', 'visits_id_seq'];
    const owners = await queryAs<{ relname: string; owner: string }>(
      first.url,
      `SELECT relname, pg_get_userbyid(relowner) AS owner FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relname IN (${kept.map((n) => `'${n}'`).join(', ')}) ORDER BY relname`,
    );
    expect(owners).toEqual(kept.map((relname) => ({ relname, owner: access.role })));

    // The role now migrates it (nothing left to apply) and writes to what postgres made.
    expect(await applyMigrations(first.url, serviceSchema(prismaRoot, 'search'))).toEqual([]);
    const written = await queryAs<{ id: number }>(first.url, "INSERT INTO readings (taken_on, mood) VALUES ('2026-11-30', 'calm') RETURNING id");
    expect(written).toEqual([{ id: 1 }]);
    await queryAs(first.url, "INSERT INTO visits (at) VALUES ('2026-11-30'); REFRESH MATERIALIZED VIEW reading_count; SELECT nextval('counter'), 1::positive");

    // Again: nothing more to hand over; other roles still cannot connect.
    expect((await provisionServiceDatabase(adminUrl, access)).handedOver).toBe(0);
    await expect(queryAs(inDatabase(jobs.url, name), 'SELECT 1')).rejects.toMatchObject({ code: '42501' });
  } finally {
    await queryAs(adminUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  }
});

it('refuses to turn a superuser into a service role (a database URL that still names postgres)', async () => {
  await expect(provisionServiceDatabase(testPostgresAdminUrl(), { database: 'never_made', role: 'postgres', password: 'unused' })).rejects.toThrow(/postgres is a superuser/);
  expect(await queryAs(testPostgresAdminUrl(), "SELECT rolsuper FROM pg_roles WHERE rolname = 'postgres'")).toEqual([{ rolsuper: true }]);
});
