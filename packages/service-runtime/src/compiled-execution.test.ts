import { ApolloServer } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import { buildSchema, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import { compiledExecutionGateway, createCompiledExecution } from './compiled-execution.js';

// The service kit executes operations with graphql-jit through Apollo Server's gateway interface;
// every answer must be graphql-js' answer.

type Item = { id: number; name: string; tags: string[] };
const items: Item[] = Array.from({ length: 30 }, (_, i) => ({ id: i + 1, name: `item ${i + 1}`, tags: i % 3 === 0 ? [] : ['a', `t${i}`] }));
const order: string[] = [];

function testSchema(): GraphQLSchema {
  const schema = buildSchema(`
    type Query { items(first: Int!, after: Int = 0): [Item!]!, item(id: Int!): Item, failing: String, viewer: String }
    type Mutation { slow(label: String!): String!, fast(label: String!): String! }
    type Item { id: Int!, name: String!, tags: [String!]!, twice: Int!, broken: String }
  `);
  const query = schema.getQueryType()!.getFields();
  query.items!.resolve = async (_root, args: { first: number; after: number }) => items.slice(args.after, args.after + args.first);
  query.item!.resolve = (_root, args: { id: number }) => items.find((item) => item.id === args.id) ?? null;
  query.failing!.resolve = () => {
    throw new Error('the database is away');
  };
  query.viewer!.resolve = (_root, _args, context: { viewer?: string }) => context.viewer ?? null;
  const item = (schema.getType('Item') as import('graphql').GraphQLObjectType).getFields();
  item.twice!.resolve = (parent: Item) => parent.id * 2;
  item.broken!.resolve = async (parent: Item) => {
    if (parent.id === 2) throw new Error(`item ${parent.id} cannot say`);
    return 'fine';
  };
  const mutation = schema.getMutationType()!.getFields();
  mutation.slow!.resolve = async (_root, args: { label: string }) => {
    order.push(`start ${args.label}`);
    await new Promise((resolve) => setTimeout(resolve, 30));
    order.push(`end ${args.label}`);
    return args.label;
  };
  mutation.fast!.resolve = (_root, args: { label: string }) => {
    order.push(`start ${args.label}`);
    order.push(`end ${args.label}`);
    return args.label;
  };
  return schema;
}

const seenErrors: unknown[] = [];
const formatError = (formatted: GraphQLFormattedError, error: unknown) => {
  seenErrors.push(unwrapResolverError(error));
  return formatted;
};

const schema = testSchema();
const execution = createCompiledExecution(schema);
const compiled = new ApolloServer<{ viewer?: string }>({ gateway: compiledExecutionGateway(schema, execution), formatError });
const interpreted = new ApolloServer<{ viewer?: string }>({ schema, formatError });
beforeAll(() => Promise.all([compiled.start(), interpreted.start()]));
afterAll(() => Promise.all([compiled.stop(), interpreted.stop()]));

async function both(query: string, variables?: Record<string, unknown>, contextValue: { viewer?: string } = {}) {
  const run = async (server: ApolloServer<{ viewer?: string }>) => {
    const response = await server.executeOperation({ query, ...(variables ? { variables } : {}) }, { contextValue });
    if (response.body.kind !== 'single') throw new Error('expected a single result');
    return { status: response.http.status, ...response.body.singleResult };
  };
  return { compiled: await run(compiled), interpreted: await run(interpreted) };
}

const queries: [string, string, Record<string, unknown>][] = [
  ['a list with arguments and a computed field', 'query Items($n: Int!) { items(first: $n) { id name tags twice } }', { n: 20 }],
  [
    'aliases, fragments, a default argument, @skip and @include',
    'query F($s: Boolean!, $i: Boolean!) { a: items(first: 3, after: 5) { ...I x: twice } b: item(id: 7) { ...I tags @include(if: $i) name @skip(if: $s) } } fragment I on Item { id }',
    { s: true, i: false },
  ],
  ['a missing object and the context', '{ item(id: 999) { id } viewer }', {}],
  ['a failing field among good ones', '{ items(first: 4) { id broken } }', {}],
  ['a failing root field', '{ failing viewer }', {}],
  ['introspection', '{ __type(name: "Item") { name fields { name type { kind name ofType { name } } } } }', {}],
];

it.each(queries)('answers as graphql-js does: %s', async (_what, query, variables) => {
  const { compiled: jit, interpreted: js } = await both(query, variables, { viewer: 'ada' });
  expect(jit).toEqual(js);
});

it('compiles an operation once and runs the compiled function for every request that sends it', async () => {
  const before = execution.compilations;
  for (let n = 1; n <= 5; n += 1) {
    const { compiled: jit } = await both('query Again($n: Int!) { items(first: $n) { id } }', { n });
    expect(jit.data).toEqual({ items: items.slice(0, n).map(({ id }) => ({ id })) });
  }
  expect(execution.compilations).toBe(before + 1);
  await both('query Other { item(id: 1) { name } }');
  expect(execution.compilations).toBe(before + 2);
});

it("hands formatError a resolver's own error, with the extensions Apollo Server reads", async () => {
  seenErrors.length = 0;
  const { compiled: jit } = await both('{ items(first: 2) { id broken } }');
  expect(jit.errors).toEqual([{ message: 'item 2 cannot say', locations: [{ line: 1, column: 24 }], path: ['items', 1, 'broken'], extensions: { code: 'INTERNAL_SERVER_ERROR' } }]);
  // Once from each server: the thrown Error itself, as formatError's masking needs it.
  expect(seenErrors).toHaveLength(2);
  for (const error of seenErrors) expect(error).toEqual(new Error('item 2 cannot say'));
});

it("refuses variables that do not coerce with graphql-js' own words, as BAD_USER_INPUT", async () => {
  const { compiled: jit, interpreted: js } = await both('query Items($n: Int!) { items(first: $n) { id } }', { n: 'ten' });
  expect(jit).toEqual(js);
  expect(jit.errors?.[0]).toMatchObject({
    message: expect.stringMatching(/^Variable "\$n" got invalid value "ten"; Int cannot represent/),
    extensions: { code: 'BAD_USER_INPUT' },
  });
  expect(jit.status).toBe(400);
});

it('runs the root fields of a mutation one after another', async () => {
  order.length = 0;
  const { compiled: jit } = await both('mutation { first: slow(label: "1") second: fast(label: "2") third: slow(label: "3") }');
  expect(jit.data).toEqual({ first: '1', second: '2', third: '3' });
  // Both servers ran it; each ran its fields strictly in order.
  expect(order).toEqual(['start 1', 'end 1', 'start 2', 'end 2', 'start 3', 'end 3', 'start 1', 'end 1', 'start 2', 'end 2', 'start 3', 'end 3']);
});
