import { buildSchema, graphql, type GraphQLResolveInfo } from 'graphql';
import { selectedFieldNames, selectedFieldsAt } from './selected-fields.js';

const schema = buildSchema(`
  type Query { page: Page }
  type Page { totalCount: Int unreadCount: Int edges: [Edge] }
  type Edge { cursor: String node: Node }
  type Node { id: ID title: String }
`);

/** What `page`'s resolver would see of the client's selection for `query`, at the top and at edges.node. */
async function seenBy(query: string, variableValues: Record<string, unknown> = {}) {
  let seen: { top: string[]; node: string[] } | undefined;
  const result = await graphql({
    schema,
    source: query,
    variableValues,
    rootValue: {
      page: (_args: unknown, _ctx: unknown, info: GraphQLResolveInfo) => {
        seen = { top: [...selectedFieldNames(info)].sort(), node: selectedFieldsAt(info, ['edges', 'node']).map((field) => field.name.value) };
        return null;
      },
    },
  });
  expect(result.errors).toBeUndefined();
  return seen!;
}

describe('selectedFieldsAt', () => {
  it('reads the fields selected directly and below a path', async () => {
    expect(await seenBy('{ page { totalCount edges { node { id } } } }')).toEqual({ top: ['edges', 'totalCount'], node: ['id'] });
  });

  it('reads through inline and named fragments, as a gateway writes subgraph queries', async () => {
    const query = `
      query { page { ...Counts ... on Page { edges { ...Node } } } }
      fragment Counts on Page { unreadCount }
      fragment Node on Edge { node { title } }`;
    expect(await seenBy(query)).toEqual({ top: ['edges', 'unreadCount'], node: ['title'] });
  });

  it('leaves out what @skip and @include drop, with the operation variables', async () => {
    const query = 'query($counts: Boolean!) { page { totalCount @include(if: $counts) unreadCount @skip(if: $counts) edges { cursor } } }';
    expect((await seenBy(query, { counts: true })).top).toEqual(['edges', 'totalCount']);
    expect((await seenBy(query, { counts: false })).top).toEqual(['edges', 'unreadCount']);
  });

  it('is empty below a field that was not selected', async () => {
    expect(await seenBy('{ page { totalCount } }')).toEqual({ top: ['totalCount'], node: [] });
  });
});
