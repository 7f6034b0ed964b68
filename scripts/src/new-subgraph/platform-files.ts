// Text edits to the files that deploy and compose the platform, for one new service. Each edit
// adds lines and changes nothing else, so comments, anchors and layout survive; the caller parses
// the result to check it says what was meant (see generate.ts).
import { databasePasswordVariable, databaseRole } from '@jobplatform/config';
import type { ServiceNames } from './service-names.js';
import { composeServiceBlock } from './templates.js';

/**
 * A service's lines in docker/postgres-init.sql: its role, with the password the postgres container
 * has in <NAME>_DATABASE_PASSWORD (psql's \getenv), and its database, which the role owns and
 * PUBLIC may not connect to, so that no other service's role reaches it.
 */
export function initDatabaseLines(service: string, database: string): string[] {
  const role = databaseRole(service);
  const password = `${role}_password`;
  return [
    `\\getenv ${password} ${databasePasswordVariable(service)}`,
    `CREATE ROLE ${role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'${password}';`,
    `CREATE DATABASE ${database} OWNER ${role};`,
    `REVOKE ALL ON DATABASE ${database} FROM PUBLIC;`,
  ];
}

/** docker/postgres-init.sql with the service's lines after the last service's (a blank line between), unless they are there. */
export function addInitDatabase(sql: string, names: ServiceNames): string {
  const block = initDatabaseLines(names.name, names.database);
  const lines = sql.split('\n');
  if (lines.includes(block[2]!)) return sql;
  const last = lines.findLastIndex((line) => /^REVOKE ALL ON DATABASE \w+ FROM PUBLIC;$/.test(line));
  if (last < 0) return `${sql.replace(/\n*$/, '\n')}\n${block.join('\n')}\n`;
  lines.splice(last + 1, 0, '', ...block);
  return lines.join('\n');
}

/**
 * A service's database URL in docker-compose.yml: its own role, with the password from .env
 * (<NAME>_DATABASE_PASSWORD, which the postgres container also has, to make the role).
 */
export const composeDatabaseUrl = (service: string, database: string) => `postgresql://${databaseRole(service)}:\${${databasePasswordVariable(service)}}@postgres:5432/${database}`;

/**
 * schema/supergraph.config.json with the service after the last subgraph, written as the others are
 * (one line each).
 */
export function addSupergraphEntry(json: string, names: ServiceNames, port: number): string {
  const lines = json.split('\n');
  const open = lines.findIndex((line) => /^\s*"subgraphs"\s*:\s*\{\s*$/.test(line));
  if (open < 0) throw new Error('schema/supergraph.config.json: expected a line `"subgraphs": {`');
  const indent = /^\s*/.exec(lines[open]!)![0];
  const close = lines.findIndex((line, i) => i > open && (line === `${indent}}` || line === `${indent}},`));
  if (close < 0) throw new Error('schema/supergraph.config.json: the "subgraphs" object does not close on a line of its own');
  const entry = `${indent}  "${names.name}": { "routing_url": "http://127.0.0.1:${port}/graphql", "schema": { "file": "../subgraphs/${names.name}/src/schema.graphql" } }`;
  const lastEntry = lines.slice(0, close).findLastIndex((line, i) => i > open && line.trim() !== '');
  if (lastEntry > open && !lines[lastEntry]!.trimEnd().endsWith(',')) lines[lastEntry] = `${lines[lastEntry]!.trimEnd()},`;
  lines.splice(close, 0, entry);
  return lines.join('\n');
}

/** The lines [start, end) of the block under `lines[header]`: those indented deeper, trailing blank lines left out. */
function blockEnd(lines: string[], header: number): number {
  const depth = indentOf(lines[header]!);
  let end = header + 1;
  let lastContent = header;
  for (; end < lines.length; end += 1) {
    const line = lines[end]!;
    if (line.trim() === '') continue;
    if (indentOf(line) <= depth) break;
    lastContent = end;
  }
  return lastContent + 1;
}

const indentOf = (line: string) => /^ */.exec(line)![0].length;

/** The line of `key:` at exactly `depth` spaces within [from, to). */
function findKey(lines: string[], key: string, depth: number, from: number, to: number, file = 'docker-compose.yml'): number {
  const pattern = `${' '.repeat(depth)}${key}:`;
  for (let i = from; i < to; i += 1) {
    if (lines[i] === pattern || lines[i]!.startsWith(`${pattern} `)) return i;
  }
  throw new Error(`${file}: no \`${key}:\` at ${depth} spaces where it was expected; add the service by hand (see docs/adding-a-service.md)`);
}

/** Inserts `entry` after the last line of the block under header, indented as the block's first entry. */
function appendToBlock(lines: string[], header: number, entry: string[]): void {
  const end = blockEnd(lines, header);
  const first = lines.slice(header + 1, end).find((line) => line.trim() !== '');
  const depth = first === undefined ? indentOf(lines[header]!) + 2 : indentOf(first);
  lines.splice(end, 0, ...entry.map((line) => `${' '.repeat(depth)}${line}`));
}

/**
 * `<NAME>_NATS_PASSWORD: ...` for the service when the file gives every service a NATS password of
 * its own: another service's line with its prefix replaced. Undefined when services share none.
 */
export function composeNatsPassword(yaml: string, names: ServiceNames): string | undefined {
  const match = /^ {6}([A-Z][A-Z0-9_]*)_NATS_PASSWORD: (.*)$/m.exec(yaml);
  return match ? `${names.env}_NATS_PASSWORD: ${match[2]!.replaceAll(`${match[1]}_NATS_PASSWORD`, `${names.env}_NATS_PASSWORD`)}` : undefined;
}

/**
 * `<NAME>_DATABASE_PASSWORD: ...` for the postgres container, when the file gives it the services'
 * database passwords: another service's line with its prefix replaced. Undefined when it has none.
 */
export function composeDatabasePassword(yaml: string, names: ServiceNames): string | undefined {
  const match = /^ {6}([A-Z][A-Z0-9_]*)_DATABASE_PASSWORD: (.*)$/m.exec(yaml);
  const variable = databasePasswordVariable(names.name);
  return match ? `${variable}: ${match[2]!.replaceAll(`${match[1]}_DATABASE_PASSWORD`, variable)}` : undefined;
}

/**
 * docker-compose.yml with the service added: its own block before the gateway's, its database URL
 * in the migrate job's environment, its database password at postgres, at the gateway its
 * <NAME>_SUBGRAPH_URL and depends_on, and, where services connect to NATS each with a password of
 * their own, its password at nats too.
 */
export function addComposeService(yaml: string, names: ServiceNames, port: number): string {
  const lines = yaml.split('\n');
  const services = findKey(lines, 'services', 0, 0, lines.length);
  const servicesEnd = blockEnd(lines, services);
  const databaseUrl = composeDatabaseUrl(names.name, names.database);
  const natsPassword = composeNatsPassword(yaml, names);
  const databasePassword = composeDatabasePassword(yaml, names);

  // From the bottom up, so that the line numbers found first stay right.
  const gateway = findKey(lines, 'gateway', 2, services + 1, servicesEnd);
  const gatewayEnd = blockEnd(lines, gateway);
  appendToBlock(lines, findKey(lines, 'depends_on', 4, gateway + 1, gatewayEnd), [`${names.name}:`, '  condition: service_healthy']);
  appendToBlock(lines, findKey(lines, 'environment', 4, gateway + 1, gatewayEnd), [`${names.env}_SUBGRAPH_URL: http://${names.name}:${port}/graphql`]);
  lines.splice(gateway, 0, ...composeServiceBlock(names, port, [`${names.env}_DATABASE_URL: ${databaseUrl}`, ...(natsPassword ? [natsPassword] : [])]), '');

  const migrate = findKey(lines, 'migrate', 2, services + 1, gateway);
  appendToBlock(lines, findKey(lines, 'environment', 4, migrate + 1, blockEnd(lines, migrate)), [`${names.env}_DATABASE_URL: ${databaseUrl}`]);

  if (natsPassword) {
    const nats = findKey(lines, 'nats', 2, services + 1, migrate);
    appendToBlock(lines, findKey(lines, 'environment', 4, nats + 1, blockEnd(lines, nats)), [natsPassword]);
  }
  if (databasePassword) {
    const postgres = findKey(lines, 'postgres', 2, services + 1, migrate);
    appendToBlock(lines, findKey(lines, 'environment', 4, postgres + 1, blockEnd(lines, postgres)), [databasePassword]);
  }
  return lines.join('\n');
}
