import { createHash } from 'node:crypto';
import pg from 'pg';
import { runPgTransaction } from '@jobplatform/events';

/**
 * SQL over node-postgres, beside the service's Prisma client and on the same pool, for the hottest
 * reads and the busiest consumers. Prisma's client costs about a millisecond of CPU per statement
 * (its request pipeline, its interpreter, the adapter's row mapping), raw statements included;
 * node-postgres costs a tenth of that. Values come back as Prisma's raw queries return them, so a
 * statement moved from `$queryRaw` keeps its types: int8 as bigint, timestamps as Date (a timestamp
 * without time zone read as UTC, as Prisma reads it, whatever the process's TZ), a date as midnight
 * UTC, json as parsed; numeric stays text (Prisma's Decimal has no counterpart here).
 */

/**
 * A statement written as a template, values kept apart from the text: statement`... WHERE id = ${id}`
 * becomes `... WHERE id = $1` with [id]. A value that is itself a fragment (or `emptyStatement`)
 * is spliced in with its own values, so optional clauses compose as with Prisma.sql.
 */
export class SqlFragment {
  constructor(
    readonly strings: readonly string[],
    readonly values: readonly unknown[],
  ) {}

  /** The text with $1-style parameters, and their values. */
  toQuery(): { text: string; values: unknown[] } {
    const values: unknown[] = [];
    const text = this.render(values);
    return { text, values };
  }

  private render(values: unknown[]): string {
    let text = this.strings[0]!;
    this.values.forEach((value, at) => {
      if (value instanceof SqlFragment) text += value.render(values);
      else {
        values.push(value);
        text += `$${values.length}`;
      }
      text += this.strings[at + 1]!;
    });
    return text;
  }
}

export const statement = (strings: TemplateStringsArray, ...values: unknown[]): SqlFragment => new SqlFragment(strings, values);
export const emptyStatement = new SqlFragment([''], []);

/**
 * How one statement is sent. `prepared: false` sends it unnamed whatever names are left, and takes
 * none: for a text built to the shape of each request (a clause per filter given), of which there
 * are more than the names, and whose best plan depends on its values anyway. Left to take names,
 * such texts use them up within minutes of traffic, and the fixed statements a service sends later
 * are then parsed and planned on every call.
 */
export type StatementOptions = { prepared?: boolean };

type Rows = <Row>(statement: SqlFragment | string, values?: readonly unknown[], options?: StatementOptions) => Promise<Row[]>;

/**
 * A connection inside a transaction the lean client opened: query (node-postgres', what queryRows
 * of @jobplatform/events and the outbox take) and rows.
 */
export type LeanTx = Pick<pg.ClientBase, 'query'> & { rows: Rows };

export type LeanSql = {
  /** One statement (a statement`` fragment, or text with $1-style values) on a pooled connection, outside any transaction; its rows. */
  rows: Rows;
  /** BEGIN, work, COMMIT on one pooled connection; ROLLBACK when work throws, and the error goes on. */
  transaction<T>(work: (tx: LeanTx) => Promise<T>): Promise<T>;
};

const queryOf = (sent: SqlFragment | string, values: readonly unknown[] = []) => (sent instanceof SqlFragment ? sent.toQuery() : { text: sent, values: values as unknown[] });

/** A statement a service sent, and through which client (statement-count tests). */
export type SqlStatementEvent = {
  query: string;
  duration: number;
  via: 'prisma' | 'node-postgres';
  /** node-postgres only: sent as a named prepared statement (parsed once per connection). */
  prepared?: boolean;
};

export type LeanSqlOptions = {
  /** Sees every statement, as Prisma's query event does. */
  onQuery?: (event: SqlStatementEvent) => void;
  /**
   * How many distinct statement texts are sent as named prepared statements (default 100; 0: none).
   * The first texts sent are the ones prepared; any beyond go unnamed, as before, so that the
   * statements each connection keeps prepared stay bounded whatever SQL a service builds.
   */
  preparedStatements?: number;
  /**
   * Called once, when the first text beyond preparedStatements goes unnamed: from then on every new
   * text is parsed and planned on each call. A service that sees it builds texts that vary with
   * their data (a row of placeholders per row, say) and should send arrays instead.
   */
  onNamesUsedUp?: (limit: number) => void;
};

const DEFAULT_PREPARED_STATEMENTS = 100;

/**
 * Names statement texts for preparation. A named statement is parsed and analysed by PostgreSQL
 * once per connection instead of on every call, and after a few calls may keep its plan: for the
 * hot reads (a page with its side reads in one statement), planning cost as much as executing.
 */
function statementNames(limit: number, onUsedUp?: (limit: number) => void): (text: string) => string | undefined {
  const names = new Map<string, string>();
  let told = false;
  return (text) => {
    const known = names.get(text);
    if (known !== undefined) return known;
    if (names.size >= limit) {
      if (!told && limit > 0) onUsedUp?.(limit);
      told = true;
      return undefined;
    }
    const name = `lean_${names.size + 1}_${createHash('sha256').update(text).digest('base64url').slice(0, 16)}`;
    names.set(text, name);
    return name;
  };
}

const INT8 = 20;
const INT8_ARRAY = 1016;
const DATE = 1082;
const DATE_ARRAY = 1182;
const TIMESTAMP = 1114;
const TIMESTAMP_ARRAY = 1115;
const TEXT_ARRAY = 1009;

const parseDate = (value: string) => new Date(`${value}T00:00:00.000Z`);
type TypeId = Parameters<typeof pg.types.getTypeParser>[0];
// pg-types knows the array types' parsers but its TypeId lists scalar types only.
const textParserOf = (oid: number) => pg.types.getTypeParser(oid as TypeId, 'text') as (value: string) => unknown;
const parseInt8Array = textParserOf(INT8_ARRAY);
const parseDateArray = textParserOf(DATE_ARRAY);
const parseTextArray = textParserOf(TEXT_ARRAY);
const parseLocalTimestamp = textParserOf(TIMESTAMP);

/**
 * A timestamp without time zone as the UTC instant it holds (PostgreSQL writes `2026-03-01
 * 10:00:00.123`); node-postgres' own parser reads it in the process's time zone. Anything else
 * (infinity, a BC year) is left to that parser.
 */
const parseUtcTimestamp = (value: string) => (/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?$/.test(value) ? new Date(`${value.replace(' ', 'T')}Z`) : parseLocalTimestamp(value));

/** The lean client's value parsers: those of Prisma's raw queries where node-postgres differs. */
export const leanTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (format === 'binary') return pg.types.getTypeParser(oid as TypeId, 'binary');
    switch (oid) {
      case INT8:
        return (value: string) => BigInt(value);
      case INT8_ARRAY:
        return (value: string) => (parseInt8Array(value) as (string | null)[]).map((item) => (item === null ? null : BigInt(item)));
      case DATE:
        return parseDate;
      case TIMESTAMP:
        return parseUtcTimestamp;
      case TIMESTAMP_ARRAY:
        return (value: string) => (parseTextArray(value) as (string | null)[]).map((item) => (item === null ? null : parseUtcTimestamp(item)));
      case DATE_ARRAY:
        // pg's own parser makes local-time Dates; read the text again as UTC days.
        return (value: string) =>
          (parseDateArray(value) as (Date | null)[]).map((item) => (item === null ? null : new Date(Date.UTC(item.getFullYear(), item.getMonth(), item.getDate()))));
      default:
        return textParserOf(oid);
    }
  }) as pg.CustomTypesConfig['getTypeParser'],
};

type Send = (text: string, values: unknown[], options?: StatementOptions) => Promise<pg.QueryResult>;

/**
 * A Date value as the UTC instant's ISO text. node-postgres writes a Date in the process's time
 * zone with its offset, which a timestamp without time zone drops: compared with a jobs or users
 * column, a Date would be hours off on a machine not set to UTC.
 */
const asParameter = (value: unknown) => (value instanceof Date ? value.toISOString() : value);

/** Sends statements with the lean parsers, named for preparation by nameOf, each seen by onQuery when given. */
function sender(target: pg.Pool | pg.PoolClient, onQuery: LeanSqlOptions['onQuery'], nameOf: (text: string) => string | undefined): Send {
  // A statement without values goes as node-postgres sends it, by the simple protocol (which
  // allows several commands in one text); one with values goes by the extended protocol either way.
  const nameFor = (text: string, values: unknown[], options: StatementOptions | undefined) => (values.length === 0 || options?.prepared === false ? undefined : nameOf(text));
  const sendNamed = (text: string, values: unknown[], name: string | undefined) =>
    target.query({ text, values: values.map(asParameter), types: leanTypes, ...(name === undefined ? {} : { name }) });
  if (!onQuery) return (text, values, options) => sendNamed(text, values, nameFor(text, values, options));
  return async (text, values, options) => {
    const name = nameFor(text, values, options);
    const started = performance.now();
    try {
      return await sendNamed(text, values, name);
    } finally {
      onQuery({ query: text, duration: performance.now() - started, via: 'node-postgres', prepared: name !== undefined });
    }
  };
}

const rowsOf =
  (send: Send): Rows =>
  async <Row>(sent: SqlFragment | string, values?: readonly unknown[], options?: StatementOptions) => {
    const { text, values: parameters } = queryOf(sent, values);
    return (await send(text, parameters, options)).rows as Row[];
  };

/**
 * The lean client of a pool the service's Prisma client shares (PrismaPg over the same pg.Pool), so
 * the service holds one set of connections. Transactions are runPgTransaction's (@jobplatform/events):
 * a connection that broke in one is closed rather than handed back; BEGIN, COMMIT and ROLLBACK are
 * not seen by onQuery.
 */
export function createLeanSql(pool: pg.Pool, options: LeanSqlOptions = {}): LeanSql {
  const { onQuery } = options;
  const nameOf = statementNames(options.preparedStatements ?? DEFAULT_PREPARED_STATEMENTS, options.onNamesUsedUp);
  return {
    rows: rowsOf(sender(pool, onQuery, nameOf)),
    transaction: <T>(work: (tx: LeanTx) => Promise<T>): Promise<T> =>
      runPgTransaction(pool, (client) => {
        const send = sender(client, onQuery, nameOf);
        return work({ query: ((text: string, values: unknown[] = []) => send(text, values)) as LeanTx['query'], rows: rowsOf(send) });
      }),
  };
}
