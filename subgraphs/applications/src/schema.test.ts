import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { composeServices } from '@apollo/composition';
import { Kind, NoUnusedFragmentsRule, parse, print, Source, specifiedRules, validate, type DefinitionNode, type DocumentNode, type GraphQLSchema } from 'graphql';
import { scalarTypeDefs } from '@jobplatform/service-runtime';

/**
 * The applications SDL composed with the subgraphs that exist today, and the client operations it is
 * there to serve validated against the composed API schema, as `npm run schema:check` will once
 * applications is listed in schema/supergraph.config.json.
 */

const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url));
const sdlOf = (name: string) => readFileSync(`${repositoryRoot}subgraphs/${name}/src/schema.graphql`, 'utf8');
const contractDir = `${repositoryRoot}../shared/contract/operations/`;
const projectOperationsDir = `${repositoryRoot}schema/operations/`;

function compose(): ReturnType<typeof composeServices> {
  return composeServices(
    ['users', 'jobs', 'applications'].map((name) => ({
      name,
      url: `http://127.0.0.1/${name}/graphql`,
      typeDefs: parse(new Source(sdlOf(name), `subgraphs/${name}/src/schema.graphql`)),
    })),
  );
}

/** One document per named operation, with every fragment of its file (unused ones are not an error). */
function operationsOf(file: string): Map<string, DocumentNode> {
  const document = parse(new Source(readFileSync(file, 'utf8'), file));
  const fragments = document.definitions.filter((definition) => definition.kind === Kind.FRAGMENT_DEFINITION);
  const operations = new Map<string, DocumentNode>();
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION || !definition.name) continue;
    operations.set(definition.name.value, { kind: Kind.DOCUMENT, definitions: [definition as DefinitionNode, ...fragments] });
  }
  return operations;
}

const rules = specifiedRules.filter((rule) => rule !== NoUnusedFragmentsRule);
const problemsOf = (schema: GraphQLSchema, document: DocumentNode) => validate(schema, document, rules).map((error) => error.message);

describe('applications subgraph schema', () => {
  const result = compose();
  const apiSchema = result.errors ? undefined : result.schema.toAPISchema().toGraphQLJSSchema();

  it('composes with the users and jobs subgraphs', () => {
    expect(result.errors?.map((error) => error.message)).toBeUndefined();
  });

  it('declares the shared scalars word for word as service-runtime prints them', () => {
    const scalars = parse(sdlOf('applications')).definitions.filter((definition) => definition.kind === Kind.SCALAR_TYPE_DEFINITION);
    expect(scalars.map((scalar) => print(scalar))).toEqual([scalarTypeDefs.DateTime, scalarTypeDefs.Date]);
  });

  it('keeps every operation of the project validating', () => {
    const files = ['jobs.graphql', 'users.graphql', 'applications.graphql'].map((name) => `${projectOperationsDir}${name}`).filter(existsSync);
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      for (const [name, document] of operationsOf(file)) expect({ name, problems: problemsOf(apiSchema!, document) }).toEqual({ name, problems: [] });
    }
  });

  const contractIt = existsSync(contractDir) ? it : it.skip;

  contractIt('serves all 13 operations of the applications contract', () => {
    const operations = operationsOf(`${contractDir}applications.graphql`);
    expect(operations.size).toBe(13);
    for (const [name, document] of operations) expect({ name, problems: problemsOf(apiSchema!, document) }).toEqual({ name, problems: [] });
  });

  contractIt('serves the applications of MyPostedJobs and the two application subscriptions', () => {
    const wanted = [
      ['jobs.graphql', 'MyPostedJobs'],
      ['subscriptions.graphql', 'OnApplicationStatusChanged'],
      ['subscriptions.graphql', 'OnApplicationSubmitted'],
    ] as const;
    for (const [file, name] of wanted) {
      const document = operationsOf(`${contractDir}${file}`).get(name);
      expect(document).toBeDefined();
      expect({ name, problems: problemsOf(apiSchema!, document!) }).toEqual({ name, problems: [] });
    }
  });

  it('refuses an operation that asks for a field the schema does not have', () => {
    const document = parse('query { application(id: "1") { id salary } }');
    expect(problemsOf(apiSchema!, document)).toEqual(['Cannot query field "salary" on type "Application".']);
  });
});
