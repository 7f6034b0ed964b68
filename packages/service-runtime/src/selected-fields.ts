import {
  getDirectiveValues,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  type FieldNode,
  type GraphQLResolveInfo,
  type InlineFragmentNode,
  type FragmentSpreadNode,
  type SelectionSetNode,
} from 'graphql';

/** Whether @skip and @include, with the operation's variables, keep a selection. */
function isIncluded(node: FieldNode | InlineFragmentNode | FragmentSpreadNode, variables: GraphQLResolveInfo['variableValues']): boolean {
  if (getDirectiveValues(GraphQLSkipDirective, node, variables)?.if === true) return false;
  return getDirectiveValues(GraphQLIncludeDirective, node, variables)?.if !== false;
}

/** The fields of a selection set, through inline fragments and named fragments (each named fragment once). */
function fieldsOf(info: GraphQLResolveInfo, selectionSet: SelectionSetNode | undefined, into: FieldNode[], seenFragments: Set<string>): FieldNode[] {
  for (const selection of selectionSet?.selections ?? []) {
    if (!isIncluded(selection, info.variableValues)) continue;
    if (selection.kind === 'Field') into.push(selection);
    else if (selection.kind === 'InlineFragment') fieldsOf(info, selection.selectionSet, into, seenFragments);
    else if (!seenFragments.has(selection.name.value)) {
      seenFragments.add(selection.name.value);
      fieldsOf(info, info.fragments[selection.name.value]?.selectionSet, into, seenFragments);
    }
  }
  return into;
}

/**
 * The fields a client selected `path` levels below the field being resolved (field names, e.g.
 * ['edges', 'node']), wherever it selected them: in the field's own selection, inline fragments or
 * named fragments, as a gateway writes subgraph queries. @skip and @include are applied with the
 * operation's variables. Type conditions are not: on an abstract type a field selected for one
 * possible type counts for all, which costs at most a read that was not needed.
 *
 * For a resolver that reads more in one statement only when the client asks for it (a page with
 * its totalCount); the fields' own resolvers must still be right when this says a field is not
 * selected, for a selection this cannot see.
 */
export function selectedFieldsAt(info: GraphQLResolveInfo, path: readonly string[] = []): FieldNode[] {
  let fields: readonly FieldNode[] = info.fieldNodes;
  for (const name of path) {
    fields = fields.flatMap((field) => fieldsOf(info, field.selectionSet, [], new Set()).filter((child) => child.name.value === name));
  }
  return fields.flatMap((field) => fieldsOf(info, field.selectionSet, [], new Set()));
}

/** The names of the fields selected `path` levels below the field being resolved (see selectedFieldsAt). */
export function selectedFieldNames(info: GraphQLResolveInfo, path: readonly string[] = []): Set<string> {
  return new Set(selectedFieldsAt(info, path).map((field) => field.name.value));
}
