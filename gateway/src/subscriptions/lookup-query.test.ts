import { buildSchema, getOperationAST, parse, print, validate } from 'graphql';
import { buildLookupQuery } from './lookup-query.js';

const schema = buildSchema(`
  type Query { application(id: ID!): Application }
  type Subscription { applicationStatusChanged(applicationId: ID): Application! }
  type Job { id: ID! title(upper: Boolean): String! }
  type Application { id: ID! status: String! job: Job! }
`);

function lookupOf(source: string, variables: Record<string, unknown> = {}) {
  const document = parse(source);
  const built = buildLookupQuery(document, getOperationAST(document)!, variables, { field: 'application', argument: 'id' });
  expect(validate(schema, parse(built.query))).toEqual([]);
  expect(print(built.document)).toBe(built.query);
  return built;
}

describe('buildLookupQuery', () => {
  it('reads the selection on the lookup field under the subscription field’s response key, without the narrowing argument', () => {
    const built = lookupOf('subscription OnChange($applicationId: ID) { applicationStatusChanged(applicationId: $applicationId) { id status job { title } } }', {
      applicationId: '7',
    });
    expect(built).toEqual({
      document: expect.objectContaining({ kind: 'Document' }),
      query: 'query OnChange($entityId: ID!) {\n  applicationStatusChanged: application(id: $entityId) {\n    id\n    status\n    job {\n      title\n    }\n  }\n}',
      operationName: 'OnChange',
      idVariable: 'entityId',
      variables: {},
      responseKey: 'applicationStatusChanged',
    });
  });

  it('keeps an alias, the fragments the selection spreads and the variables it uses', () => {
    const built = lookupOf(
      `subscription S($upper: Boolean, $applicationId: ID) { ...Root }
       fragment Root on Subscription { changed: applicationStatusChanged(applicationId: $applicationId) { ...Fields } }
       fragment Fields on Application { id job { title(upper: $upper) } }`,
      { upper: true, applicationId: '1' },
    );
    expect(built.responseKey).toBe('changed');
    expect(built.variables).toEqual({ upper: true });
    expect(built.query).toContain('query S($upper: Boolean, $entityId: ID!)');
    expect(built.query).toContain('fragment Fields on Application');
    expect(built.query).not.toContain('fragment Root');
  });

  it('picks an id variable the client does not use', () => {
    const built = lookupOf('subscription($entityId: Boolean) { applicationStatusChanged { id job { title(upper: $entityId) } } }', { entityId: false });
    expect(built.idVariable).toBe('_entityId');
    expect(built.variables).toEqual({ entityId: false });
  });
});
