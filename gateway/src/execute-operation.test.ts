import { buildSchema, GraphQLError, parse, type DocumentNode, type GraphQLFormattedError } from 'graphql';
import type { ApolloGateway } from '@apollo/gateway';
import { createLogger } from '@jobplatform/config';
import { operationLimitRules } from '@jobplatform/service-runtime';
import type { GatewayContext } from './context.js';
import { createQueryPreparer, type PreparedQuery } from './execute-operation.js';

const schema = buildSchema(`
  type Query { notification(id: ID!): Notification }
  type Notification { id: ID! title: String! related: Notification }
`);
const logger = createLogger('gateway-test', 'silent');
const context = { requestId: 'r', clientIp: undefined, userAgent: undefined, viewer: undefined, accessToken: 'token', logger } satisfies GatewayContext;

function runnable(prepared: PreparedQuery | readonly GraphQLError[]): PreparedQuery {
  if (typeof prepared !== 'function') throw new Error(`refused: ${prepared.map((e) => e.message).join('; ')}`);
  return prepared;
}

type Executed = { document: DocumentNode; queryHash: string; variables: Record<string, unknown> | undefined; context: unknown };

function preparerWith(answer: () => { data?: Record<string, unknown> | null; errors?: GraphQLError[] }) {
  const executed: Executed[] = [];
  const gateway = {
    executor: async (requestContext: { document: DocumentNode; queryHash: string; request: { variables?: Record<string, unknown> }; context: unknown }) => {
      executed.push({ document: requestContext.document, queryHash: requestContext.queryHash, variables: requestContext.request.variables, context: requestContext.context });
      return answer();
    },
  } as unknown as Pick<ApolloGateway, 'executor'>;
  const masked: GraphQLFormattedError[] = [];
  const prepare = createQueryPreparer(gateway, {
    validationRules: operationLimitRules({ maxDepth: 3, maxAliases: 5 }),
    formatError: (formatted) => {
      masked.push(formatted);
      return formatted.extensions?.code === 'INTERNAL_SERVER_ERROR' ? { message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } } : formatted;
    },
    logger,
  });
  return { prepare, executed, masked };
}

describe('createQueryPreparer', () => {
  it('hands the gateway’s executor the document parsed and hashed once, with each run’s variables and context', async () => {
    const { prepare, executed } = preparerWith(() => ({ data: { n: { id: '1', title: 'Hello' } } }));
    const document = parse('query Lookup($id: ID!) { n: notification(id: $id) { id title } }');
    const run = runnable(prepare(document, schema));
    expect(await run({ id: '1' }, context)).toEqual({ data: { n: { id: '1', title: 'Hello' } } });
    await run({ id: '2' }, context);
    expect(executed.map((e) => e.variables)).toEqual([{ id: '1' }, { id: '2' }]);
    expect(executed[0]!.document).toBe(document);
    expect(executed[1]!.document).toBe(document);
    expect(executed[0]!.queryHash).toMatch(/^[0-9a-f]{64}$/);
    expect(executed[1]!.queryHash).toBe(executed[0]!.queryHash);
    expect(executed[0]!.context).toBe(context);
  });

  it('refuses a document that breaks the schema or the gateway’s limits', () => {
    const { prepare, executed } = preparerWith(() => ({ data: null }));
    expect(prepare(parse('query { notification(id: "1") { nope } }'), schema)).toEqual([expect.objectContaining({ message: expect.stringMatching(/nope/) })]);
    const deep = prepare(parse('query { notification(id: "1") { related { related { related { related { id } } } } } }'), schema);
    expect(typeof deep === 'function' ? 'prepared' : deep.length).toBe(1);
    expect(executed).toHaveLength(0);
  });

  it('masks errors as ApolloServer does: one without a code is internal and goes through formatError', async () => {
    const { prepare, masked } = preparerWith(() => ({
      data: { notification: null },
      errors: [new GraphQLError('connect ECONNREFUSED 10.0.0.1', { path: ['notification'] }), new GraphQLError('Not yours', { extensions: { code: 'FORBIDDEN' } })],
    }));
    const run = runnable(prepare(parse('query($id: ID!) { notification(id: $id) { id } }'), schema));
    const result = await run({ id: '1' }, context);
    expect(result).toEqual({
      data: { notification: null },
      errors: [
        { message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } },
        { message: 'Not yours', extensions: { code: 'FORBIDDEN' } },
      ],
    });
    expect(masked).toHaveLength(2);
  });
});
