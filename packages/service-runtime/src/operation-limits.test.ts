import { buildSchema, parse, validate, type OperationDefinitionNode, type FragmentDefinitionNode, Kind } from 'graphql';
import { aliasLimitRule, assertCostWithinBudget, depthLimitRule, operationCost } from './operation-limits.js';

const schema = buildSchema(`
  type Query { jobs(first: Int): JobConnection! job(id: ID!): Job tags: [String!]! }
  type JobConnection { totalCount: Int! edges: [JobEdge!]! }
  type JobEdge { node: Job! }
  type Job { id: ID! title: String! company: Company! similar(first: Int): JobConnection! }
  type Company { name: String! jobs(first: Int): JobConnection! }
`);

function costOf(source: string, variables: Record<string, unknown> = {}): number {
  const document = parse(source);
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
  const fragments = new Map(document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]));
  return operationCost(schema, operation, fragments, variables);
}

describe('operation cost', () => {
  it("multiplies a connection's edges by its page size, and what it holds once per page", () => {
    // jobs(1) + totalCount(1) + edges(1 + 20 × (node(1) + id(1) + title(1)))
    expect(costOf('{ jobs(first: 20) { totalCount edges { node { id title } } } }')).toBe(1 + (1 + (1 + 20 * (1 + 1 + 1))));
    // Facets of a page are counted once, not once per item: 100 items with facets cost about as much as 100 items.
    const facets = buildSchema(`
      type Query { search(first: Int): Page! }
      type Page { totalCount: Int! edges: [Edge!]! facets: Facets! }
      type Edge { node: Hit! }
      type Hit { id: ID! }
      type Facets { kind: [Count!]! place: [Count!]! }
      type Count { value: String! count: Int! }
    `);
    const query = parse('{ search(first: 100) { totalCount edges { node { id } } facets { kind { value count } place { value count } } } }');
    expect(operationCost(facets, query.definitions[0] as OperationDefinitionNode, new Map(), {})).toBe(1 + (1 + (1 + 100 * (1 + 1)) + (1 + 2 * (1 + 10 * 2))));
  });

  it('reads page sizes from variables', () => {
    const query = 'query Q($n: Int) { jobs(first: $n) { edges { node { id } } } }';
    expect(costOf(query, { n: 100 })).toBeGreaterThan(costOf(query, { n: 10 }) * 9);
  });

  it('assumes a default size for lists without one', () => {
    expect(costOf('{ tags }')).toBe(1);
    expect(costOf('{ jobs { edges { node { id } } } }')).toBe(1 + 1 * (1 + 10 * (1 + 1)));
  });

  it('counts nested pagination multiplicatively and follows fragments', () => {
    const nested = 'query { jobs(first: 50) { edges { node { ...F } } } } fragment F on Job { company { jobs(first: 50) { edges { node { id } } } } }';
    expect(costOf(nested)).toBeGreaterThan(50 * 50);
    expect(() => assertCostWithinBudget(schema, parse(nested), parse(nested).definitions[0] as OperationDefinitionNode, {}, 1000)).toThrow(
      /estimated cost is \d+, above the limit of 1000/,
    );
  });

  it('reckons the cost of an operation once per the page sizes and list lengths its variables give', () => {
    /** The operation, counting how often its selections are walked. */
    const watched = (source: string) => {
      const operation = parse(source).definitions[0] as OperationDefinitionNode;
      const walks = { count: 0 };
      return { walks, operation: new Proxy(operation, { get: (target, key) => (key === 'selectionSet' && (walks.count += 1), Reflect.get(target, key)) }) };
    };
    const constant = watched('{ jobs(first: 50) { edges { node { id } } } }');
    for (let i = 0; i < 3; i += 1) assertCostWithinBudget(schema, { definitions: [constant.operation] }, constant.operation, {}, 10_000);
    expect(constant.walks.count).toBe(1);
    // Over budget still throws from the remembered cost.
    expect(() => assertCostWithinBudget(schema, { definitions: [constant.operation] }, constant.operation, {}, 10)).toThrow(/above the limit of 10/);

    const paged = watched('query($n: Int, $filter: JobFilter) { jobs(first: $n, filter: $filter) { edges { node { id } } } }');
    const check = (variables: Record<string, unknown>, max = 10_000) => assertCostWithinBudget(schema, { definitions: [paged.operation] }, paged.operation, variables, max);
    check({ n: 5 });
    check({ n: 5, filter: { location: 'Lisbon' } }); // what is not a size does not change the cost
    expect(paged.walks.count).toBe(1);
    expect(() => check({ n: 5000 })).toThrow(/above the limit/);
    expect(paged.walks.count).toBe(2);
    // Each size's cost is remembered, and still held against the budget of the call.
    expect(() => check({ n: 5000 })).toThrow(/above the limit/);
    expect(() => check({ n: 5 }, 10)).toThrow(/above the limit of 10/);
    expect(paged.walks.count).toBe(2);
  });

  it("sizes a subgraph's _entities by the representations it is sent", () => {
    const entities = buildSchema(`
      scalar _Any
      union _Entity = Job
      type Query { _entities(representations: [_Any!]!): [_Entity]! }
      type Job { id: ID! title: String! }
    `);
    const cost = (source: string, variables: Record<string, unknown> = {}) =>
      operationCost(entities, parse(source).definitions[0] as OperationDefinitionNode, new Map(), variables);
    const query = 'query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Job { title } } }';
    const many = Array.from({ length: 500 }, (_, i) => ({ __typename: 'Job', id: String(i) }));
    expect(cost(query, { representations: many })).toBe(1 + 500 * 1);
    expect(cost(query, { representations: many.slice(0, 2) })).toBe(1 + 2 * 1);
    expect(cost('{ _entities(representations: [{ __typename: "Job", id: "1" }]) { ... on Job { title } } }')).toBe(1 + 1);
  });
});

describe('depth and alias rules', () => {
  it('measure through fragments and inline fragments', () => {
    const deep = parse('{ job(id: 1) { ...A } } fragment A on Job { company { jobs { edges { node { ... on Job { company { name } } } } } } }');
    expect(validate(schema, deep, [depthLimitRule(6)])).toHaveLength(1);
    expect(validate(schema, deep, [depthLimitRule(7)])).toHaveLength(0);
  });

  it('count aliases, also inside fragments', () => {
    const aliased = parse('{ a: tags b: tags job(id: 1) { ...F } } fragment F on Job { x: id y: title }');
    expect(validate(schema, aliased, [aliasLimitRule(4)])).toHaveLength(0);
    const [error] = validate(schema, aliased, [aliasLimitRule(3)]);
    expect(error!.extensions).toMatchObject({ limit: 'aliases', actual: 4, max: 3 });
  });

  it('survive fragment cycles', () => {
    const cyclic = parse('{ job(id: 1) { ...A } } fragment A on Job { company { jobs { edges { node { ...A } } } } }');
    expect(() => validate(schema, cyclic, [depthLimitRule(10), aliasLimitRule(10)])).not.toThrow();
  });
});
