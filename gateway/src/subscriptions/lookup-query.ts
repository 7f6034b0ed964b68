import { Kind, print, visit, type DocumentNode, type FieldNode, type FragmentDefinitionNode, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';

/** The query that reads a subscription's selection for one event; the same text for every event. */
export type LookupQuery = {
  /** The query, parsed (the text below is its printed form). */
  document: DocumentNode;
  query: string;
  operationName: string | undefined;
  /** The variable that takes the entity's id of each event. */
  idVariable: string;
  /** The client's variables that the selection uses (root-field arguments are not among them). */
  variables: Record<string, unknown>;
  /** Where the entity is in the result: the root field's response key, as in the subscription's own result. */
  responseKey: string;
};

function fragmentsOf(document: DocumentNode): Map<string, FragmentDefinitionNode> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  return fragments;
}

/** The one root field of a validated subscription, through any fragments around it. */
export function rootFieldOf(selectionSet: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>): FieldNode | undefined {
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) return selection;
    const inner = selection.kind === Kind.INLINE_FRAGMENT ? selection.selectionSet : fragments.get(selection.name.value)?.selectionSet;
    const found = inner && rootFieldOf(inner, fragments);
    if (found) return found;
  }
  return undefined;
}

/** The fragments a selection set spreads, directly or through other fragments. */
function fragmentsUsedBy(selectionSet: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>): FragmentDefinitionNode[] {
  const used = new Map<string, FragmentDefinitionNode>();
  const walk = (node: SelectionSetNode) =>
    visit(node, {
      FragmentSpread(spread) {
        const fragment = fragments.get(spread.name.value);
        if (!fragment || used.has(fragment.name.value)) return;
        used.set(fragment.name.value, fragment);
        walk(fragment.selectionSet);
      },
    });
  walk(selectionSet);
  return [...used.values()];
}

function variablesUsedBy(nodes: readonly (FieldNode | FragmentDefinitionNode)[]): Set<string> {
  const names = new Set<string>();
  for (const node of nodes) visit(node, { Variable: (variable) => void names.add(variable.name.value) });
  return names;
}

/**
 * Rewrites `subscription Op($a: ID, $v: X) { key: liveField(a: $a) { ...selection } }` into
 * `query Op($v: X, $id: ID!) { key: lookupField(id: $id) { ...selection } }`: the same selection, on
 * the query field that returns the event's entity, so the gateway's query planner resolves it across
 * subgraphs exactly as for a client's query. The response key stays the subscription's.
 */
export function buildLookupQuery(
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
  lookup: { field: string; argument: string },
): LookupQuery {
  const fragments = fragmentsOf(document);
  const root = rootFieldOf(operation.selectionSet, fragments);
  if (!root?.selectionSet) throw new Error('buildLookupQuery: the subscription has no root field with a selection set');
  const used = fragmentsUsedBy(root.selectionSet, fragments);
  const selectionVariables = variablesUsedBy([{ ...root, arguments: [], directives: [] }, ...used]);
  const taken = new Set((operation.variableDefinitions ?? []).map((definition) => definition.variable.name.value));
  let idVariable = 'entityId';
  while (taken.has(idVariable)) idVariable = `_${idVariable}`;

  const responseKey = root.alias?.value ?? root.name.value;
  const lookupField: FieldNode = {
    kind: Kind.FIELD,
    alias: { kind: Kind.NAME, value: responseKey },
    name: { kind: Kind.NAME, value: lookup.field },
    arguments: [{ kind: Kind.ARGUMENT, name: { kind: Kind.NAME, value: lookup.argument }, value: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: idVariable } } }],
    directives: [],
    selectionSet: root.selectionSet,
  };
  const query: OperationDefinitionNode = {
    kind: Kind.OPERATION_DEFINITION,
    operation: 'query' as OperationDefinitionNode['operation'],
    ...(operation.name ? { name: operation.name } : {}),
    variableDefinitions: [
      ...(operation.variableDefinitions ?? []).filter((definition) => selectionVariables.has(definition.variable.name.value)),
      {
        kind: Kind.VARIABLE_DEFINITION,
        variable: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: idVariable } },
        type: { kind: Kind.NON_NULL_TYPE, type: { kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: 'ID' } } },
      },
    ],
    directives: [],
    selectionSet: { kind: Kind.SELECTION_SET, selections: [lookupField] },
  };
  const lookupDocument: DocumentNode = { kind: Kind.DOCUMENT, definitions: [query, ...used] };
  return {
    document: lookupDocument,
    query: print(lookupDocument),
    operationName: operation.name?.value,
    idVariable,
    variables: Object.fromEntries(Object.entries(variables).filter(([name]) => selectionVariables.has(name))),
    responseKey,
  };
}
