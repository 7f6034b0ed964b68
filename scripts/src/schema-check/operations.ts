import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  GraphQLError,
  Kind,
  NoUnusedFragmentsRule,
  Source,
  TypeInfo,
  getNamedType,
  parse,
  specifiedRules,
  validate,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type ASTVisitor,
  type ValidationContext,
} from 'graphql';
import { describeGraphQLError, type SchemaProblem } from '../schema/source-location.js';

/** One named operation from a client's .graphql file. */
export type ClientOperation = {
  name: string;
  /** File name as shown in reports. */
  file: string;
  line: number;
  document: DocumentNode;
};

export type OperationFile = {
  file: string;
  operations: ClientOperation[];
  /** Syntax errors and unnamed or duplicate operations: the file cannot be used as it is. */
  problems: SchemaProblem[];
};

export type OperationVerdict = { operation: ClientOperation; problems: SchemaProblem[] };

/** The .graphql files of a folder, sorted, as absolute paths. */
export function listOperationFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith('.graphql'))
    .sort()
    .map((name) => path.join(dir, name));
}

function collectFragmentSpreads(node: OperationDefinitionNode | FragmentDefinitionNode): string[] {
  const names: string[] = [];
  visit(node, { FragmentSpread: (spread) => void names.push(spread.name.value) });
  return names;
}

/**
 * Splits a file into one document per operation, each with the fragments it spreads, so one broken
 * operation does not hide the others and every operation gets its own verdict.
 */
export function parseOperationFile(text: string, file: string): OperationFile {
  let document: DocumentNode;
  try {
    document = parse(new Source(text, file));
  } catch (error) {
    if (!(error instanceof GraphQLError)) throw error;
    return { file, operations: [], problems: describeGraphQLError(error, file, 'GRAPHQL_PARSE_FAILED') };
  }
  const problems: SchemaProblem[] = [];
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    else if (definition.kind !== Kind.OPERATION_DEFINITION) {
      problems.push({ file, line: definition.loc?.startToken.line, code: 'NOT_AN_OPERATION', message: `${definition.kind} does not belong in an operation file` });
    }
  }
  const operations: ClientOperation[] = [];
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    const line = definition.loc?.startToken.line ?? 1;
    if (!definition.name) {
      problems.push({ file, line, code: 'ANONYMOUS_OPERATION', message: `anonymous ${definition.operation}: client operations need a name` });
      continue;
    }
    const used = new Set<string>();
    const pending = collectFragmentSpreads(definition);
    while (pending.length > 0) {
      const name = pending.pop()!;
      const fragment = fragments.get(name);
      if (used.has(name) || !fragment) continue;
      used.add(name);
      pending.push(...collectFragmentSpreads(fragment));
    }
    const ownFragments = [...used].map((name) => fragments.get(name)!);
    operations.push({ name: definition.name.value, file, line, document: { kind: Kind.DOCUMENT, definitions: [definition, ...ownFragments] } });
  }
  return { file, operations, problems };
}

export function loadOperationFiles(files: string[], displayName: (file: string) => string): OperationFile[] {
  const parsed = files.map((file) => parseOperationFile(readFileSync(file, 'utf8'), displayName(file)));
  const seen = new Map<string, ClientOperation>();
  for (const operationFile of parsed) {
    for (const operation of operationFile.operations) {
      const first = seen.get(operation.name);
      if (first) {
        operationFile.problems.push({
          file: operation.file,
          line: operation.line,
          code: 'DUPLICATE_OPERATION_NAME',
          message: `operation "${operation.name}" is also defined at ${first.file}:${first.line}`,
        });
      } else seen.set(operation.name, operation);
    }
  }
  return parsed;
}

/**
 * graphql-js 16 accepts a subscription against a schema without a Subscription type (the check came
 * in graphql-js 17), and the operation would then fail only at run time.
 */
export function KnownOperationTypesRule(context: ValidationContext): ASTVisitor {
  return {
    OperationDefinition(node) {
      if (!context.getSchema().getRootType(node.operation)) {
        context.reportError(new GraphQLError(`The schema has no ${node.operation} root type, so ${node.operation} operations are not supported.`, { nodes: node }));
      }
    },
  };
}

/** Fragments unused by one operation are expected once a file is split per operation. */
const operationRules = [...specifiedRules.filter((rule) => rule !== NoUnusedFragmentsRule), KnownOperationTypesRule];

export function validateOperation(schema: GraphQLSchema, operation: ClientOperation): OperationVerdict {
  const errors = validate(schema, operation.document, operationRules);
  return { operation, problems: errors.flatMap((error) => describeGraphQLError(error, operation.file, 'INVALID_OPERATION').slice(0, 1)) };
}

/**
 * Schema coordinates (`Type`, `Type.field`, `Type.field.argument`, `Enum.VALUE`) each operation uses,
 * read against the schema the operation was written for. A breaking change to a coordinate then names
 * the operations it breaks.
 */
export function collectUsedCoordinates(schema: GraphQLSchema, operations: ClientOperation[]): Map<string, ClientOperation[]> {
  const usage = new Map<string, ClientOperation[]>();
  for (const operation of operations) {
    const coordinates = new Set<string>();
    const typeInfo = new TypeInfo(schema);
    visit(
      operation.document,
      visitWithTypeInfo(typeInfo, {
        Field(node) {
          const parent = typeInfo.getParentType();
          if (parent && !node.name.value.startsWith('__')) coordinates.add(`${parent.name}.${node.name.value}`);
          const type = typeInfo.getType();
          if (type) coordinates.add(getNamedType(type).name);
        },
        Argument(node) {
          const parent = typeInfo.getParentType();
          const field = typeInfo.getFieldDef();
          if (parent && field) coordinates.add(`${parent.name}.${field.name}.${node.name.value}`);
        },
        VariableDefinition() {
          const type = typeInfo.getInputType();
          if (type) coordinates.add(getNamedType(type).name);
        },
        ObjectField(node) {
          const parent = typeInfo.getParentInputType();
          if (parent) coordinates.add(`${getNamedType(parent).name}.${node.name.value}`);
        },
        EnumValue(node) {
          const type = typeInfo.getInputType();
          if (type) coordinates.add(`${getNamedType(type).name}.${node.value}`);
        },
      }),
    );
    for (const coordinate of coordinates) usage.set(coordinate, [...(usage.get(coordinate) ?? []), operation]);
  }
  return usage;
}
