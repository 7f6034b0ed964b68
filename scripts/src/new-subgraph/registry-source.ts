import { readFileSync } from 'node:fs';
import ts from 'typescript';
import type { ServiceDefinition } from '@jobplatform/config';

/** The registry file, relative to the repository root. */
export const registryFile = 'packages/config/src/service-registry.ts';

/**
 * What the generator needs to know of packages/config/src/service-registry.ts, read from its source
 * text (not imported), so that it works on any checkout given by --root and on the text it has just
 * edited.
 */
export type RegistrySource = {
  text: string;
  serviceNames: string[];
  services: { name: string; port: number }[];
  gatewayPort: number;
};

export type RegistryEntry = Pick<ServiceDefinition, 'port' | 'database' | 'erasure'> & {
  name: string;
  consumes: readonly string[];
  prismaIncludes: readonly string[];
};

type Parsed = {
  serviceNames: ts.ArrayLiteralExpression;
  serviceRegistry: ts.ArrayLiteralExpression;
  gatewayDefinition: ts.ObjectLiteralExpression;
  source: ts.SourceFile;
};

function unwrap(node: ts.Expression): ts.Expression {
  let current = node;
  while (ts.isAsExpression(current) || ts.isSatisfiesExpression(current) || ts.isParenthesizedExpression(current)) current = current.expression;
  return current;
}

function parse(text: string): Parsed {
  const source = ts.createSourceFile(registryFile, text, ts.ScriptTarget.ES2022, true);
  const initializers = new Map<string, ts.Expression>();
  for (const statement of source.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    for (const declaration of statement.declarationList.declarations) {
      if (ts.isIdentifier(declaration.name) && declaration.initializer) initializers.set(declaration.name.text, unwrap(declaration.initializer));
    }
  }
  const arrayOf = (name: string) => {
    const node = initializers.get(name);
    if (!node || !ts.isArrayLiteralExpression(node)) throw new Error(`${registryFile}: expected \`export const ${name} = [ ... ]\``);
    return node;
  };
  const gateway = initializers.get('gatewayDefinition');
  if (!gateway || !ts.isObjectLiteralExpression(gateway)) throw new Error(`${registryFile}: expected \`export const gatewayDefinition = { ... }\``);
  return { serviceNames: arrayOf('serviceNames'), serviceRegistry: arrayOf('serviceRegistry'), gatewayDefinition: gateway, source };
}

function property(object: ts.ObjectLiteralExpression, key: string): ts.Expression | undefined {
  for (const element of object.properties) {
    if (ts.isPropertyAssignment(element) && ts.isIdentifier(element.name) && element.name.text === key) return unwrap(element.initializer);
  }
  return undefined;
}

function stringOf(node: ts.Expression | undefined, what: string): string {
  if (node && ts.isStringLiteralLike(node)) return node.text;
  throw new Error(`${registryFile}: ${what} is not a string literal`);
}

function numberOf(node: ts.Expression | undefined, what: string): number {
  if (node && ts.isNumericLiteral(node)) return Number(node.text);
  throw new Error(`${registryFile}: ${what} is not a number literal`);
}

export function readRegistrySource(file: string): RegistrySource {
  const text = readFileSync(file, 'utf8');
  const parsed = parse(text);
  return {
    text,
    serviceNames: parsed.serviceNames.elements.map((element, i) => stringOf(element, `serviceNames[${i}]`)),
    services: parsed.serviceRegistry.elements.map((element, i) => {
      if (!ts.isObjectLiteralExpression(element)) throw new Error(`${registryFile}: serviceRegistry[${i}] is not an object literal`);
      return { name: stringOf(property(element, 'name'), `serviceRegistry[${i}].name`), port: numberOf(property(element, 'port'), `serviceRegistry[${i}].port`) };
    }),
    gatewayPort: numberOf(property(parsed.gatewayDefinition, 'port'), 'gatewayDefinition.port'),
  };
}

const list = (items: readonly string[]) => `[${items.map((item) => `'${item}'`).join(', ')}]`;

/** The entry as the registry writes its others: one line, in the order of ServiceDefinition. */
export function formatRegistryEntry(entry: RegistryEntry): string {
  return `{ name: '${entry.name}', port: ${entry.port}, database: '${entry.database}', consumes: ${list(entry.consumes)}, erasure: '${entry.erasure}', prismaIncludes: ${list(entry.prismaIncludes)} }`;
}

/**
 * The registry's text with the entry added as the last line of serviceRegistry, and its name added
 * to the end of serviceNames when that list lacks it. Everything else stays as it was, byte for byte.
 */
export function addRegistryEntry(text: string, entry: RegistryEntry): string {
  const parsed = parse(text);
  const edits: { at: number; insert: string }[] = [];

  const registry = parsed.serviceRegistry;
  const last = registry.elements.at(-1);
  const closing = registry.getEnd() - 1;
  if (!last) throw new Error(`${registryFile}: serviceRegistry is empty; add the entry by hand`);
  const lineOf = (position: number) => parsed.source.getLineAndCharacterOfPosition(position).line;
  if (lineOf(last.getEnd()) === lineOf(closing)) throw new Error(`${registryFile}: serviceRegistry is not one entry per line; add the entry by hand`);
  if (!registry.elements.hasTrailingComma) edits.push({ at: last.getEnd(), insert: ',' });
  const lastLineStart = parsed.source.getPositionOfLineAndCharacter(lineOf(last.getStart()), 0);
  const indent = /^[ \t]*/.exec(text.slice(lastLineStart))![0];
  const closingLineStart = parsed.source.getPositionOfLineAndCharacter(lineOf(closing), 0);
  edits.push({ at: closingLineStart, insert: `${indent}${formatRegistryEntry(entry)},\n` });

  const names = parsed.serviceNames.elements;
  if (!names.some((element) => ts.isStringLiteralLike(element) && element.text === entry.name)) {
    const lastName = names.at(-1);
    if (!lastName) throw new Error(`${registryFile}: serviceNames is empty; add the name by hand`);
    edits.push({ at: lastName.getEnd(), insert: `, '${entry.name}'` });
  }

  return edits.sort((a, b) => b.at - a.at).reduce((result, edit) => result.slice(0, edit.at) + edit.insert + result.slice(edit.at), text);
}
