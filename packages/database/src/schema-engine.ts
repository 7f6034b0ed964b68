import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import { PrismaPg } from '@prisma/adapter-pg';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import type { SchemaEngine as SchemaEngineType } from '@prisma/schema-engine-wasm';

// Node has WebAssembly; the ES2023 lib that the project compiles against does not describe it.
declare const WebAssembly: {
  instantiate(bytes: Uint8Array, imports: Record<string, unknown>): Promise<{ instance: { exports: Record<string, unknown> } }>;
};

type WasmBindings = typeof import('@prisma/schema-engine-wasm') & { __wbg_set_wasm(exports: Record<string, unknown>): void };

let bindings: Promise<WasmBindings> | undefined;

/**
 * Loads Prisma Migrate's schema engine (WebAssembly). The package imports its .wasm as an ES module,
 * which Node 20 only allows behind --experimental-wasm-modules, so the module is instantiated here.
 */
async function loadBindings(): Promise<WasmBindings> {
  const require = createRequire(import.meta.url);
  const gluePath = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg');
  const glue = (await import('@prisma/schema-engine-wasm/schema_engine_bg')) as unknown as WasmBindings;
  const bytes = await fs.readFile(gluePath.replace(/\.js$/, '.wasm'));
  const { instance } = await WebAssembly.instantiate(bytes, { './schema_engine_bg.js': withUnrefTimers(glue) });
  glue.__wbg_set_wasm(instance.exports);
  (instance.exports.__wbindgen_start as () => void)();
  return glue;
}

export type SchemaEngine = SchemaEngineType;

/**
 * The engine arms 10-second timers around database calls and does not always clear them; left as
 * they are, they keep a finished migration command (or a test worker) alive for ten seconds.
 */
function withUnrefTimers(glue: WasmBindings): Record<string, unknown> {
  const imports: Record<string, unknown> = { ...glue };
  for (const [name, value] of Object.entries(glue)) {
    if (name.startsWith('__wbg_setTimeout') && typeof value === 'function') {
      imports[name] = (...args: unknown[]) => {
        const timer = (value as (...a: unknown[]) => { unref?: () => void })(...args);
        timer?.unref?.();
        return timer;
      };
    }
  }
  return imports;
}

const PG_CHAR_OID = 18;
const PG_TEXT_OID = 25;
const CHARACTER_COLUMN = 6; // ColumnTypeEnum.Character in @prisma/driver-adapter-utils
const charColumns = Symbol('charColumns');

type PgResult = { fields: { dataTypeID: number }[]; rows: unknown[][] & { [charColumns]?: number[] } };
type PatchableQueryable = {
  performIO(query: unknown): Promise<PgResult>;
  queryRaw(query: unknown): Promise<{ columnTypes: number[]; rows: PgResult['rows'] }>;
};

/**
 * When the engine describes a live database it reads catalog columns of PostgreSQL's internal
 * one-byte "char" type (pg_class.relkind, ...). @prisma/adapter-pg rejects that type, while the
 * engine expects it as a Character column. This reports such columns the way the engine wants.
 * The column positions ride on the rows array, which queryRaw passes through unchanged.
 */
function reportCharColumns(queryable: PatchableQueryable): void {
  const performIO = queryable.performIO.bind(queryable);
  const queryRaw = queryable.queryRaw.bind(queryable);
  queryable.performIO = async (query) => {
    const result = await performIO(query);
    const positions: number[] = [];
    result.fields.forEach((field, i) => {
      if (field.dataTypeID === PG_CHAR_OID) {
        field.dataTypeID = PG_TEXT_OID;
        positions.push(i);
      }
    });
    if (positions.length > 0) result.rows[charColumns] = positions;
    return result;
  };
  queryable.queryRaw = async (query) => {
    const result = await queryRaw(query);
    for (const i of result.rows[charColumns] ?? []) result.columnTypes[i] = CHARACTER_COLUMN;
    return result;
  };
}

type ScriptQueryable = { client: { query(sql: string): Promise<unknown> }; executeScript(script: string): Promise<void>; onError(error: unknown): never };

/**
 * @prisma/adapter-pg runs a migration script by splitting it at every semicolon, which breaks the
 * body of a PL/pgSQL function (trigger functions must be PL/pgSQL). PostgreSQL takes the whole
 * script as one simple query instead, and runs it as one implicit transaction: a migration that
 * fails half way leaves nothing behind.
 */
function runScriptsWhole(queryable: ScriptQueryable): void {
  queryable.executeScript = async (script) => {
    try {
      await queryable.client.query(script);
    } catch (error) {
      queryable.onError(error);
    }
  };
}

/** The adapter factory the engine connects through; dispose() ends every pool it opened. */
function createEngineAdapter(databaseUrl: string) {
  const opened: { dispose(): Promise<void> }[] = [];
  const factory = new PrismaPg({ connectionString: databaseUrl, max: 2, allowExitOnIdle: true });
  const connect = factory.connect.bind(factory);
  const connectToShadowDb = factory.connectToShadowDb.bind(factory);
  factory.connect = async () => {
    const adapter = await connect();
    opened.push(adapter);
    reportCharColumns(adapter as unknown as PatchableQueryable);
    runScriptsWhole(adapter as unknown as ScriptQueryable);
    return adapter;
  };
  factory.connectToShadowDb = async () => {
    const adapter = await connectToShadowDb();
    opened.push(adapter);
    reportCharColumns(adapter as unknown as PatchableQueryable);
    runScriptsWhole(adapter as unknown as ScriptQueryable);
    return adapter;
  };
  return {
    adapter: bindMigrationAwareSqlAdapterFactory(factory),
    dispose: async () => {
      await Promise.allSettled(opened.splice(0).map((adapter) => adapter.dispose()));
    },
  };
}

/** Opens the schema engine on a live database, with the Prisma schema it should compare against. */
export async function openSchemaEngine(databaseUrl: string, schemaFiles: { path: string; content: string }[]): Promise<{ engine: SchemaEngine; close(): Promise<void> }> {
  bindings ??= loadBindings();
  const { SchemaEngine } = await bindings;
  const { adapter, dispose } = createEngineAdapter(databaseUrl);
  const engine = await SchemaEngine.new({ datamodels: schemaFiles.map((file) => [file.path, file.content]) }, () => undefined, adapter);
  return {
    engine,
    close: async () => {
      engine.free();
      await dispose();
    },
  };
}
