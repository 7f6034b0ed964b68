import type { ApolloServerPlugin } from '@apollo/server';
import {
  GraphQLError,
  getNamedType,
  getNullableType,
  isListType,
  isObjectType,
  isInterfaceType,
  Kind,
  type ASTVisitor,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValueNode,
} from 'graphql';

/**
 * The platform's operation limits. The gateway checks every client operation against them, and each
 * subgraph checks every call it serves, so that a call that reaches a subgraph without passing the
 * gateway cannot run what the gateway would refuse. A subgraph's share of a planned operation stays
 * within them: its fetches are parts of the client's operation, no deeper and with no more aliases.
 */
export type OperationLimits = { maxDepth: number; maxAliases: number; maxCost: number };

export const defaultOperationLimits: OperationLimits = { maxDepth: 12, maxAliases: 30, maxCost: 20_000 };

/** Page size assumed for a list whose size the operation does not state. */
const DEFAULT_LIST_SIZE = 10;
const PAGE_SIZE_ARGUMENTS = new Set(['first', 'last', 'limit']);
/** `_entities(representations: [...])`: a subgraph resolves one entity per representation. */
const ENTITY_LIST_ARGUMENT = 'representations';

function limitError(limit: 'depth' | 'aliases' | 'cost', actual: number, max: number, node?: OperationDefinitionNode): GraphQLError {
  const what = { depth: 'nesting depth', aliases: 'number of aliases', cost: 'estimated cost' }[limit];
  return new GraphQLError(`The operation's ${what} is ${actual}, above the limit of ${max}. Split it into smaller operations.`, {
    ...(node ? { nodes: [node] } : {}),
    extensions: { code: 'GRAPHQL_VALIDATION_FAILED', limit, max, actual, http: { status: 400 } },
  });
}

type Walk = { fragments: Map<string, FragmentDefinitionNode>; visiting: Set<string> };

function measureDepth(selectionSet: SelectionSetNode, walk: Walk, stopAt: number): number {
  let deepest = 0;
  for (const selection of selectionSet.selections) {
    let depth = 0;
    if (selection.kind === Kind.FIELD) {
      depth = selection.selectionSet ? 1 + measureDepth(selection.selectionSet, walk, stopAt - 1) : 1;
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      depth = measureDepth(selection.selectionSet, walk, stopAt);
    } else {
      const fragment = walk.fragments.get(selection.name.value);
      if (fragment && !walk.visiting.has(fragment.name.value)) {
        walk.visiting.add(fragment.name.value);
        depth = measureDepth(fragment.selectionSet, walk, stopAt);
        walk.visiting.delete(fragment.name.value);
      }
    }
    deepest = Math.max(deepest, depth);
    if (deepest > stopAt) break; // no need to walk a hostile document to its end
  }
  return deepest;
}

function countAliases(selectionSet: SelectionSetNode, walk: Walk, budget: number): number {
  let count = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (selection.alias) count += 1;
      if (selection.selectionSet) count += countAliases(selection.selectionSet, walk, budget - count);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      count += countAliases(selection.selectionSet, walk, budget - count);
    } else {
      const fragment = walk.fragments.get(selection.name.value);
      if (fragment && !walk.visiting.has(fragment.name.value)) {
        walk.visiting.add(fragment.name.value);
        count += countAliases(fragment.selectionSet, walk, budget - count);
        walk.visiting.delete(fragment.name.value);
      }
    }
    if (count > budget) break;
  }
  return count;
}

function fragmentsOf(context: ValidationContext): Map<string, FragmentDefinitionNode> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of context.getDocument().definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  return fragments;
}

/** Validation rule: refuses operations nested deeper than maxDepth fields. */
export function depthLimitRule(maxDepth: number) {
  return (context: ValidationContext): ASTVisitor => ({
    OperationDefinition(node) {
      const depth = measureDepth(node.selectionSet, { fragments: fragmentsOf(context), visiting: new Set() }, maxDepth);
      if (depth > maxDepth) context.reportError(limitError('depth', depth, maxDepth, node));
    },
  });
}

/** Validation rule: refuses operations with more than maxAliases aliased fields (alias batching). */
export function aliasLimitRule(maxAliases: number) {
  return (context: ValidationContext): ASTVisitor => ({
    OperationDefinition(node) {
      const count = countAliases(node.selectionSet, { fragments: fragmentsOf(context), visiting: new Set() }, maxAliases);
      if (count > maxAliases) context.reportError(limitError('aliases', count, maxAliases, node));
    },
  });
}

function pageSize(field: FieldNode, variables: Record<string, unknown>): number | undefined {
  for (const argument of field.arguments ?? []) {
    const value = valueOf(argument.value, variables);
    if (argument.name.value === ENTITY_LIST_ARGUMENT && Array.isArray(value)) return value.length;
    if (!PAGE_SIZE_ARGUMENTS.has(argument.name.value)) continue;
    if (typeof value === 'number' && value >= 0) return value;
  }
  return undefined;
}

function valueOf(node: ValueNode, variables: Record<string, unknown>): unknown {
  if (node.kind === Kind.INT) return Number(node.value);
  if (node.kind === Kind.VARIABLE) return variables[node.name.value];
  if (node.kind === Kind.LIST) return node.values;
  return undefined;
}

function fieldDefinition(parent: GraphQLNamedType | undefined, name: string): GraphQLField<unknown, unknown> | undefined {
  if (parent && (isObjectType(parent) || isInterfaceType(parent))) return parent.getFields()[name];
  return undefined;
}

/**
 * Estimated cost: one per field, times the number of items each enclosing list may return. A list
 * takes its size from a first/last/limit argument (a subgraph's `_entities` from the number of
 * representations it is sent). A paginated field that is not itself a list (a connection) costs
 * once, and hands its page size to the lists directly in it (its edges): what else it holds
 * (totalCount, pageInfo, facets) is there once per page, not once per item. Any other list counts
 * as DEFAULT_LIST_SIZE.
 */
function estimateCost(
  selectionSet: SelectionSetNode,
  parent: GraphQLNamedType | undefined,
  schema: GraphQLSchema,
  walk: Walk & { variables: Record<string, unknown> },
  pageAbove: number | undefined,
): number {
  let cost = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value === '__typename') continue;
      const definition = fieldDefinition(parent, selection.name.value);
      const type = definition?.type;
      const explicitSize = pageSize(selection, walk.variables);
      const isList = type !== undefined && isListType(getNullableType(type));
      const multiplier = isList ? (explicitSize ?? pageAbove ?? DEFAULT_LIST_SIZE) : 1;
      const childPage = isList ? undefined : explicitSize;
      const childCost = selection.selectionSet ? estimateCost(selection.selectionSet, type ? getNamedType(type) : undefined, schema, walk, childPage) : 0;
      cost += 1 + multiplier * childCost;
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      const typeCondition = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
      cost += estimateCost(selection.selectionSet, typeCondition ?? parent, schema, walk, pageAbove);
    } else {
      const fragment = walk.fragments.get(selection.name.value);
      if (fragment && !walk.visiting.has(fragment.name.value)) {
        walk.visiting.add(fragment.name.value);
        cost += estimateCost(fragment.selectionSet, schema.getType(fragment.typeCondition.name.value) ?? parent, schema, walk, pageAbove);
        walk.visiting.delete(fragment.name.value);
      }
    }
  }
  return cost;
}

export function operationCost(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: Map<string, FragmentDefinitionNode>,
  variables: Record<string, unknown>,
): number {
  const root = operation.operation === 'query' ? schema.getQueryType() : operation.operation === 'mutation' ? schema.getMutationType() : schema.getSubscriptionType();
  return estimateCost(operation.selectionSet, root ?? undefined, schema, { fragments, visiting: new Set(), variables }, undefined);
}

/** Throws when the resolved operation's estimated cost is over budget; runs before execution. */
export function assertCostWithinBudget(
  schema: GraphQLSchema,
  document: { definitions: readonly { kind: string }[] },
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
  maxCost: number,
): void {
  // ApolloServer hands the same parsed operation to each request of a document it has cached, and
  // an operation's cost depends on its variables only through the numbers (page sizes) and the
  // lengths of lists (representations) they hold: the cost is reckoned once per such sizes.
  const key = costKey(operation, variables);
  let bySchema = knownCosts.get(schema);
  if (!bySchema) knownCosts.set(schema, (bySchema = new WeakMap()));
  let byKey = bySchema.get(operation);
  if (!byKey) bySchema.set(operation, (byKey = new Map()));
  let cost = byKey.get(key);
  if (cost === undefined) {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const definition of document.definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) {
        const fragment = definition as FragmentDefinitionNode;
        fragments.set(fragment.name.value, fragment);
      }
    }
    cost = operationCost(schema, operation, fragments, variables);
    if (byKey.size < COSTS_PER_OPERATION) byKey.set(key, cost);
  }
  if (cost > maxCost) throw limitError('cost', cost, maxCost, operation);
}

/** The costs of each operation reckoned so far, per schema, by costKey. */
const knownCosts = new WeakMap<GraphQLSchema, WeakMap<OperationDefinitionNode, Map<string, number>>>();
/** Sizes past this many distinct ones of an operation are reckoned every time (numbers that are not page sizes vary freely). */
const COSTS_PER_OPERATION = 64;

/** What of the variables the cost can depend on (pageSize and valueOf read nothing else): numbers, and lists' lengths. */
function costKey(operation: OperationDefinitionNode, variables: Record<string, unknown>): string {
  let key = '';
  for (const definition of operation.variableDefinitions ?? []) {
    const value = variables[definition.variable.name.value];
    key += typeof value === 'number' ? `${value},` : Array.isArray(value) ? `#${value.length},` : ',';
  }
  return key;
}

/** The validation rules for depth and aliases, for an ApolloServer's validationRules. */
export function operationLimitRules(limits: Pick<OperationLimits, 'maxDepth' | 'maxAliases'>) {
  return [depthLimitRule(limits.maxDepth), aliasLimitRule(limits.maxAliases)];
}

/**
 * Refuses an operation over the cost budget once its operation and variables are known (cost needs
 * both, so it cannot be a validation rule), before anything is executed.
 */
export function operationCostPlugin<TContext extends object>(maxCost: number): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operation, request, schema }) {
          if (operation) assertCostWithinBudget(schema, document, operation, request.variables ?? {}, maxCost);
        },
      };
    },
  };
}
