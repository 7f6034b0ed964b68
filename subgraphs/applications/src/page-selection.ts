import type { FieldNode, FragmentDefinitionNode, GraphQLResolveInfo, SelectionSetNode } from 'graphql';
import type { PageReads } from './application-pages.js';

/**
 * The fields selected under `path` (field names from the resolved field down), through inline
 * fragments and named fragments, as the gateway writes subgraph queries. @skip and @include are not
 * evaluated: a field they may drop counts as selected, which costs at most a read not needed.
 */
function selectedFieldsAt(info: GraphQLResolveInfo, path: readonly string[]): FieldNode[] {
  const fieldsOf = (selectionSet: SelectionSetNode | undefined, into: FieldNode[], seen: Set<string>): FieldNode[] => {
    for (const selection of selectionSet?.selections ?? []) {
      if (selection.kind === 'Field') into.push(selection);
      else if (selection.kind === 'InlineFragment') fieldsOf(selection.selectionSet, into, seen);
      else if (!seen.has(selection.name.value)) {
        seen.add(selection.name.value);
        const fragment: FragmentDefinitionNode | undefined = info.fragments[selection.name.value];
        fieldsOf(fragment?.selectionSet, into, seen);
      }
    }
    return into;
  };
  let fields: readonly FieldNode[] = info.fieldNodes;
  for (const name of path) {
    fields = fields.flatMap((field) => fieldsOf(field.selectionSet, [], new Set()).filter((child) => child.name.value === name));
  }
  return fields.flatMap((field) => fieldsOf(field.selectionSet, [], new Set()));
}

const contactFields = new Set(['email', 'firstName', 'lastName']);

/** What a client selected on an ApplicationConnection beyond the page itself, for the page's statement to read too. */
export function pageReadsOf(info: GraphQLResolveInfo): PageReads {
  return {
    totalCount: selectedFieldsAt(info, []).some((field) => field.name.value === 'totalCount'),
    applicantContacts: selectedFieldsAt(info, ['edges', 'node', 'applicant']).some((field) => contactFields.has(field.name.value)),
    attachments: selectedFieldsAt(info, ['edges', 'node']).some((field) => field.name.value === 'attachments'),
  };
}
