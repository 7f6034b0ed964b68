import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { buildSchema } from 'graphql';
import { composeSubgraphSources } from '../schema/compose-supergraph.js';
import { parseOperationFile, validateOperation } from './operations.js';
import { formatReport, runSchemaCheck, type SchemaCheckReport } from './run-schema-check.js';
import { createFixtureRepo, federationLink, writeSupergraphConfig, type FixtureRepo } from './test-fixtures.js';

const catalogSdl = (productFields: string) => `${federationLink}

"""Something for sale."""
type Product @key(fields: "id") {
  "Identifier."
  id: ID!
${productFields}}

type Query {
  "A product by id."
  product(id: ID!): Product
}
`;

const withPrice = '  "Display name."\n  name: String!\n  "Price in cents."\n  priceCents: Int!\n';
const withoutPrice = '  "Display name."\n  name: String!\n';

const productOperations = `# What the shop page sends.
query ProductPage($id: ID!) {
  product(id: $id) {
    id
    name
    priceCents
  }
}

query ProductName($id: ID!) {
  product(id: $id) { id name }
}
`;

function composeFixture(sdl: string): string {
  const outcome = composeSubgraphSources([{ name: 'catalog', routingUrl: 'http://127.0.0.1:4010/graphql', file: 'catalog.graphql', sdl }]);
  if (!outcome.ok) throw new Error(outcome.problems.map((problem) => problem.message).join('\n'));
  return outcome.supergraphSdl;
}

const section = (report: SchemaCheckReport, title: string) => report.sections.find((candidate) => candidate.title === title)!;

describe('operation files', () => {
  it('names the file and line of a malformed operation file', () => {
    const parsed = parseOperationFile('query Me {\n  me {\n    id\n  \n', 'schema/operations/broken.graphql');

    expect(parsed.operations).toEqual([]);
    expect(parsed.problems).toEqual([
      expect.objectContaining({ file: 'schema/operations/broken.graphql', line: 5, code: 'GRAPHQL_PARSE_FAILED', message: expect.stringContaining('Syntax Error') }),
    ]);
  });

  it('rejects anonymous operations with their line', () => {
    const parsed = parseOperationFile('query Named { a }\n\n{ b }\n', 'ops.graphql');

    expect(parsed.operations.map((operation) => operation.name)).toEqual(['Named']);
    expect(parsed.problems).toEqual([expect.objectContaining({ line: 3, code: 'ANONYMOUS_OPERATION' })]);
  });

  it('validates each operation with only the fragments it spreads', () => {
    const schema = buildSchema('type Query { a: String b: String }');
    const parsed = parseOperationFile('query A { ...F }\nquery B { b }\nfragment F on Query { a }\nfragment G on Query { nope }\n', 'ops.graphql');

    expect(parsed.operations.map((operation) => validateOperation(schema, operation).problems)).toEqual([[], []]);
  });

  it('rejects a subscription when the schema has no Subscription type', () => {
    const schema = buildSchema('type Query { a: String }');
    const [operation] = parseOperationFile('subscription OnA { a }', 'ops.graphql').operations;

    expect(validateOperation(schema, operation!).problems).toEqual([expect.objectContaining({ line: 1, message: expect.stringContaining('no subscription root type') })]);
  });
});

describe('runSchemaCheck', () => {
  let repo: FixtureRepo;
  let options: Parameters<typeof runSchemaCheck>[0];

  beforeEach(() => {
    repo = createFixtureRepo();
    writeSupergraphConfig(repo, { catalog: 4010 });
    repo.write('subgraphs/catalog/src/schema.graphql', catalogSdl(withPrice));
    repo.write('schema/operations/products.graphql', productOperations);
    repo.write('schema/supergraph.graphql', composeFixture(catalogSdl(withPrice)));
    options = { root: repo.root, contractDir: path.join(repo.root, 'contract'), previousSupergraphSdl: composeFixture(catalogSdl(withPrice)) };
  });
  afterEach(() => repo.remove());

  function removePriceField(): void {
    repo.write('subgraphs/catalog/src/schema.graphql', catalogSdl(withoutPrice));
    repo.write('schema/supergraph.graphql', composeFixture(catalogSdl(withoutPrice)));
  }

  it('passes an unchanged schema whose operations validate', async () => {
    const report = await runSchemaCheck(options);

    expect(formatReport(report)).toContain('✔ schema check passed');
    expect(section(report, 'Operations').summary).toBe('2/2 in schema/operations validate');
  });

  it('fails a removed field that a client operation uses, naming the operation file and line', async () => {
    removePriceField();

    const report = await runSchemaCheck(options);
    const text = formatReport(report);

    expect(report.passed).toBe(false);
    expect(section(report, 'Breaking changes').status).toBe('fail');
    expect(text).toContain("✖ breaking  FIELD_REMOVED  Field 'priceCents' was removed from object type 'Product'  used by ProductPage:2 in schema/operations/products.graphql");
    expect(text).toContain('{ "type": "FIELD_REMOVED", "path": "Product.priceCents", "reason": "<who is affected and why it is safe>" }');
    expect(section(report, 'Operations').details).toEqual(['✖ ProductPage  schema/operations/products.graphql:6:5  Cannot query field "priceCents" on type "Product".']);
  });

  it('lets an acknowledged breaking change through but still fails the operation that uses it', async () => {
    removePriceField();
    repo.write(
      'schema/breaking-changes.json',
      JSON.stringify({ acknowledged: [{ type: 'FIELD_REMOVED', path: 'Product.priceCents', reason: 'Prices moved to the pricing subgraph; shop 4.2 reads them there.' }] }),
    );

    const report = await runSchemaCheck(options);

    expect(section(report, 'Breaking changes').status).toBe('pass');
    expect(section(report, 'Breaking changes').details).toContain('    acknowledged: Prices moved to the pricing subgraph; shop 4.2 reads them there.');
    expect(section(report, 'Operations').status).toBe('fail');
  });

  it('rejects an acknowledgement without a reason', async () => {
    repo.write('schema/breaking-changes.json', JSON.stringify({ acknowledged: [{ type: 'FIELD_REMOVED', path: 'Product.priceCents', reason: '' }] }));

    const report = await runSchemaCheck(options);

    expect(section(report, 'Breaking changes').status).toBe('fail');
    expect(section(report, 'Breaking changes').details[0]).toContain('schema/breaking-changes.json  ACKNOWLEDGEMENTS_INVALID  acknowledged.0.reason');
  });

  it('fails a malformed operation file with its file and line', async () => {
    repo.write('schema/operations/broken.graphql', 'query Broken {\n  product(id: "1") {\n    id\n');

    const report = await runSchemaCheck(options);

    expect(section(report, 'Operations').status).toBe('fail');
    expect(section(report, 'Operations').details).toEqual([expect.stringMatching(/^✖ schema\/operations\/broken\.graphql:4:1 {2}GRAPHQL_PARSE_FAILED {2}Syntax Error/)]);
  });

  it('fails when the checked-in supergraph is not a fresh composition', async () => {
    repo.write('subgraphs/catalog/src/schema.graphql', catalogSdl(`${withPrice}  "Stock on hand."\n  stock: Int!\n`));

    const report = await runSchemaCheck(options);

    expect(section(report, 'Composition').status).toBe('fail');
    expect(section(report, 'Composition').details).toContain('✖ schema/supergraph.graphql differs from a fresh composition: run npm run compose and commit it');
  });

  it('fails composition errors with file and line and skips what needs the schema', async () => {
    repo.write('subgraphs/catalog/src/schema.graphql', catalogSdl('  name: Strin\n'));

    const report = await runSchemaCheck(options);

    expect(section(report, 'Composition').details).toEqual([expect.stringContaining('subgraphs/catalog/src/schema.graphql:7:')]);
    expect(section(report, 'Breaking changes').status).toBe('skip');
  });

  it('fails a subgraph SDL found under subgraphs/ but missing from the config', async () => {
    repo.write('subgraphs/orders/src/schema.graphql', catalogSdl(withPrice));

    const report = await runSchemaCheck(options);

    expect(section(report, 'Composition').details).toContain(
      '✖ subgraphs/orders/src/schema.graphql is not listed in schema/supergraph.config.json: add its subgraph there (one line)',
    );
  });

  it('lints subgraph SDL: a missing description and a bad enum value name, with file and line', async () => {
    repo.write(
      'subgraphs/catalog/src/schema.graphql',
      catalogSdl(`${withPrice}  state: ProductState\n`) + '\n"""Availability."""\nenum ProductState {\n  "On sale."\n  onSale\n}\n',
    );
    repo.write('schema/supergraph.graphql', composeFixture(readFileSync(path.join(repo.root, 'subgraphs/catalog/src/schema.graphql'), 'utf8')));

    const report = await runSchemaCheck(options);
    const lint = section(report, 'SDL lint');

    expect(lint.status).toBe('fail');
    expect(lint.details).toEqual([
      expect.stringMatching(/^✖ subgraphs\/catalog\/src\/schema\.graphql:11:3 {2}@graphql-eslint\/require-description {2}Description is required for field "state"/),
      expect.stringMatching(/^✖ subgraphs\/catalog\/src\/schema\.graphql:22:3 {2}@graphql-eslint\/naming-convention {2}Enum value "onSale" should be in UPPER_CASE/),
    ]);
  });

  describe('contract coverage', () => {
    beforeEach(() => {
      repo.write('contract/shop.graphql', `${productOperations}\nquery Cart { cart { id } }\n`);
    });

    it('records the operations that validate and reports the others with the reason', async () => {
      const report = await runSchemaCheck(options);
      const coverage = section(report, 'Contract coverage');

      expect(coverage.summary).toBe('2/3 operations in contract validate (66%) · floor 0 → 2, schema/contract-coverage.json updated (commit it)');
      expect(coverage.details).toEqual([expect.stringMatching(/^· Cart +shop\.graphql:14:14 +Cannot query field "cart" on type "Query"\.$/)]);
      expect(JSON.parse(readFileSync(path.join(repo.root, 'schema/contract-coverage.json'), 'utf8'))).toMatchObject({
        total: 3,
        validating: 2,
        operations: ['ProductName', 'ProductPage'],
      });
    });

    it('fails an operation that validated before and no longer does', async () => {
      await runSchemaCheck(options);
      repo.remove();
      repo = createFixtureRepo();
      writeSupergraphConfig(repo, { catalog: 4010 });
      repo.write('contract/shop.graphql', productOperations);
      repo.write('schema/contract-coverage.json', JSON.stringify({ total: 2, validating: 2, operations: ['ProductName', 'ProductPage'] }));
      repo.write('schema/operations/none.graphql', 'query ProductId($id: ID!) { product(id: $id) { id } }\n');
      removePriceField();

      const report = await runSchemaCheck({ ...options, root: repo.root, contractDir: path.join(repo.root, 'contract') });
      const coverage = section(report, 'Contract coverage');

      expect(coverage.status).toBe('fail');
      expect(coverage.details[0]).toBe('✖ ProductPage validated before and no longer does: contract/shop.graphql:6:5 Cannot query field "priceCents" on type "Product".');
      expect(JSON.parse(readFileSync(path.join(repo.root, 'schema/contract-coverage.json'), 'utf8')).operations).toEqual(['ProductName', 'ProductPage']);
    });

    it('in CI fails an out-of-date coverage file instead of writing it', async () => {
      const report = await runSchemaCheck({ ...options, ci: true });

      expect(section(report, 'Contract coverage').status).toBe('fail');
      expect(existsSync(path.join(repo.root, 'schema/contract-coverage.json'))).toBe(false);
    });

    it('in CI passes a coverage file that is up to date', async () => {
      await runSchemaCheck(options);
      const report = await runSchemaCheck({ ...options, ci: true });

      expect(section(report, 'Contract coverage')).toMatchObject({ status: 'pass', summary: '2/3 operations in contract validate (66%) · floor 2' });
    });
  });

  it('skips the breaking-change check when there is no previous supergraph', async () => {
    const report = await runSchemaCheck({ ...options, previousSupergraphSdl: null });

    expect(section(report, 'Breaking changes')).toMatchObject({ status: 'skip', summary: 'nothing to compare with: no previous supergraph' });
  });
});
