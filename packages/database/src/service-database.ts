import pg from 'pg';

/**
 * A service's own part of a PostgreSQL server: its database, and the role that owns the database
 * and everything in it and that the service (and its migrations) log in as. The role is no
 * superuser and may create no roles and no databases; PUBLIC may not connect to the database, so
 * no other service's role can reach it.
 */
export type ServiceDatabaseAccess = {
  database: string;
  role: string;
  password: string;
  /**
   * CREATEDB, for the one role that is no service's: the owner of the tests' service-less
   * databases, whose migration drift checks work in throw-away databases they create. Never set it
   * for a service.
   */
  createsDatabases?: boolean;
};

/**
 * Roles are cluster-wide: processes that share a server (test files side by side) create and alter
 * them one at a time under this advisory lock, or two ALTER ROLE of one role collide ("tuple
 * concurrently updated"). The key is arbitrary; it only has to be the same everywhere.
 */
const ROLE_LOCK_KEY = 7_302_126_001;

/** Codes of a role or database that another session created between our look and our CREATE. */
const createdMeanwhile = new Set(['42710', '23505', '42P04']);

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

function urlOf(serverUrl: string, database: string, credentials?: { role: string; password: string }): string {
  const url = new URL(serverUrl);
  url.pathname = `/${encodeURIComponent(database)}`;
  if (credentials) {
    url.username = encodeURIComponent(credentials.role);
    url.password = encodeURIComponent(credentials.password);
  }
  return url.toString();
}

/** The URL a service connects with: its role and password, its database, on adminUrl's server. */
export const serviceDatabaseUrl = (adminUrl: string, access: ServiceDatabaseAccess): string => urlOf(adminUrl, access.database, access);

async function ensureRole(admin: pg.Client, access: ServiceDatabaseAccess): Promise<void> {
  const role = admin.escapeIdentifier(access.role);
  // The attributes are set again on every call: a role someone widened by hand is narrowed back, and
  // the password is the one the caller holds (a development key made again, a rotated secret).
  const attributes = `LOGIN NOSUPERUSER ${access.createsDatabases ? 'CREATEDB' : 'NOCREATEDB'} NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD ${admin.escapeLiteral(access.password)}`;
  await admin.query('SELECT pg_advisory_lock($1)', [ROLE_LOCK_KEY]);
  try {
    const found = await admin.query<{ rolsuper: boolean }>('SELECT rolsuper FROM pg_roles WHERE rolname = $1', [access.role]);
    // A URL that still names the superuser (postgres) must not take its rights away.
    if (found.rows[0]?.rolsuper) throw new Error(`${access.role} is a superuser: give the service a role of its own (its database URL names the role)`);
    if (found.rowCount === 0) {
      const created = await admin.query(`CREATE ROLE ${role} WITH ${attributes}`).then(
        () => true,
        (error: { code?: string }) => {
          if (!createdMeanwhile.has(error.code ?? '')) throw error;
          return false; // made by a process that does not take the lock; set its attributes below
        },
      );
      if (created) return;
    }
    await admin.query(`ALTER ROLE ${role} WITH ${attributes}`);
  } finally {
    await admin.query('SELECT pg_advisory_unlock($1)', [ROLE_LOCK_KEY]);
  }
}

async function ensureDatabase(admin: pg.Client, access: ServiceDatabaseAccess): Promise<void> {
  const database = admin.escapeIdentifier(access.database);
  const role = admin.escapeIdentifier(access.role);
  const found = await admin.query<{ owner: string }>('SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = $1', [access.database]);
  let owner = found.rows[0]?.owner;
  if (owner === undefined) {
    owner = await admin.query(`CREATE DATABASE ${database} OWNER ${role}`).then(
      () => access.role,
      (error: { code?: string }) => {
        if (!createdMeanwhile.has(error.code ?? '')) throw error;
        return undefined; // created meanwhile by another process: make it ours below
      },
    );
  }
  if (owner !== access.role) await admin.query(`ALTER DATABASE ${database} OWNER TO ${role}`);
  // CONNECT and TEMPORARY are PUBLIC's by default: without this any role of the server could log in.
  await admin.query(`REVOKE ALL ON DATABASE ${database} FROM PUBLIC`);
}

/**
 * The kinds of object a database made before the service roles holds, owned by postgres, each with
 * how an ALTER ... OWNER TO names it: its catalog, the columns of its schema and owner, and which of
 * its rows to move. What another object carries along is left out: indexes and the sequences of
 * serial and identity columns go with their table, array types with their element, a multirange
 * with its range, an extension's objects stay the extension's.
 */
const ownedKinds = [
  // public belongs to pg_database_owner from PostgreSQL 15 on, which is whoever owns the database.
  { catalog: 'pg_namespace', namespace: 'oid', owner: 'nspowner', alter: "format('SCHEMA %I', o.nspname)" },
  {
    catalog: 'pg_class',
    namespace: 'relnamespace',
    owner: 'relowner',
    alter:
      "format('%s %s', CASE o.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END, o.oid::regclass)",
    only: `o.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND NOT (o.relkind = 'S' AND EXISTS (
             SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = o.oid AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')))`,
  },
  {
    catalog: 'pg_type',
    namespace: 'typnamespace',
    owner: 'typowner',
    alter: "format('%s %s', CASE o.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, o.oid::regtype)",
    // Enums, ranges, domains and standalone composite types (a table's row type goes with the table).
    only: "(o.typtype IN ('e', 'r', 'd') OR (o.typtype = 'c' AND (SELECT relkind FROM pg_class WHERE oid = o.typrelid) = 'c'))",
  },
  { catalog: 'pg_proc', namespace: 'pronamespace', owner: 'proowner', alter: "format('ROUTINE %s', o.oid::regprocedure)" },
  { catalog: 'pg_ts_config', namespace: 'cfgnamespace', owner: 'cfgowner', alter: "format('TEXT SEARCH CONFIGURATION %s', o.oid::regconfig)" },
  { catalog: 'pg_ts_dict', namespace: 'dictnamespace', owner: 'dictowner', alter: "format('TEXT SEARCH DICTIONARY %s', o.oid::regdictionary)" },
];

/**
 * The statements that give the role ($1) every object of those kinds that another role owns, in
 * the schemas of the database (not PostgreSQL's own). Catalogs are read one by one because
 * REASSIGN OWNED cannot move what the bootstrap superuser owns.
 */
const ownershipStatements = `
  WITH user_namespaces AS (SELECT oid FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema')
  ${ownedKinds
    .map(
      (kind, step) => `SELECT ${step} AS step, format('ALTER %s OWNER TO %I', ${kind.alter}, $1::text) AS statement
    FROM ${kind.catalog} o JOIN user_namespaces n ON n.oid = o.${kind.namespace}
   WHERE o.${kind.owner} NOT IN ((SELECT oid FROM pg_roles WHERE rolname = $1), 'pg_database_owner'::regrole)
     AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = '${kind.catalog}'::regclass AND e.objid = o.oid AND e.deptype = 'e')
     ${'only' in kind ? `AND ${kind.only}` : ''}`,
    )
    .join('\n  UNION ALL\n  ')}
  ORDER BY step, statement`;

/**
 * Gives the role the schemas, tables (with the migrations table), views, sequences, types,
 * functions and text search configurations of the database it is connected to that others own,
 * in one transaction. Returns how many objects changed owner: none once they are all the role's.
 */
async function handOverObjects(admin: pg.Client, role: string): Promise<number> {
  const { rows } = await admin.query<{ statement: string }>(ownershipStatements, [role]);
  if (rows.length === 0) return 0;
  await admin.query('BEGIN');
  try {
    for (const { statement } of rows) await admin.query(statement);
    await admin.query('COMMIT');
  } catch (error) {
    await admin.query('ROLLBACK');
    throw error;
  }
  return rows.length;
}

export type ProvisionedDatabase = {
  /** The URL the service and its migrations connect with. */
  url: string;
  /** Objects another role owned (a database made before the service roles) now the service's. */
  handedOver: number;
};

/**
 * Makes, or brings up to date, a service's role and database on the server adminUrl names (a
 * superuser; its connection is used for nothing else): the role with its password and no
 * privileges beyond logging in, the database owned by it and closed to PUBLIC, and every object in
 * the database owned by it. Safe to run again and from processes side by side. The migrations'
 * extensions (pg_trgm, unaccent) are trusted ones, which a database owner may create itself.
 */
export async function provisionServiceDatabase(adminUrl: string, access: ServiceDatabaseAccess): Promise<ProvisionedDatabase> {
  await withClient(adminUrl, async (admin) => {
    await ensureRole(admin, access);
    await ensureDatabase(admin, access);
  });
  const handedOver = await withClient(urlOf(adminUrl, access.database), (admin) => handOverObjects(admin, access.role));
  return { url: serviceDatabaseUrl(adminUrl, access), handedOver };
}
