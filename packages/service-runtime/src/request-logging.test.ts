import { ApolloServer } from '@apollo/server';
import { buildSchema } from 'graphql';
import { capturingLogger } from '@jobplatform/testing';
import { AppError, formatGraphQLError } from './errors.js';
import { requestLoggingPlugin } from './request-logging.js';

type Context = { requestId: string };

const schema = buildSchema('type Query { login: String broken: String }');
const rootValue = {
  login: () => {
    throw new AppError('UNAUTHENTICATED', 'The username or password is wrong');
  },
  broken: () => {
    throw new Error('connection refused');
  },
};

async function run(query: string) {
  const { logger, lines } = capturingLogger();
  const server = new ApolloServer<Context>({ schema, rootValue, formatError: formatGraphQLError(logger), plugins: [requestLoggingPlugin<Context>(logger)] });
  await server.start();
  try {
    const response = await server.executeOperation({ query }, { contextValue: { requestId: 'r-1' } });
    const body = response.body.kind === 'single' ? response.body.singleResult : undefined;
    const clientCodes = body?.errors?.map((e) => e.extensions?.code);
    return { clientCodes, logged: lines.find((line) => line.msg === 'graphql request') };
  } finally {
    await server.stop();
  }
}

describe('request log error codes', () => {
  it('logs the AppError code the client receives, not INTERNAL_SERVER_ERROR', async () => {
    const { clientCodes, logged } = await run('query Login { login }');
    expect(clientCodes).toEqual(['UNAUTHENTICATED']);
    expect(logged?.errorCodes).toEqual(['UNAUTHENTICATED']);
  });

  it('logs INTERNAL_SERVER_ERROR for an unexpected failure, as the client sees it', async () => {
    const { clientCodes, logged } = await run('query Broken { broken }');
    expect(clientCodes).toEqual(['INTERNAL_SERVER_ERROR']);
    expect(logged?.errorCodes).toEqual(['INTERNAL_SERVER_ERROR']);
  });

  it('logs graphql-js request errors with their own code', async () => {
    const { clientCodes, logged } = await run('query Bad { nope }');
    expect(clientCodes).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(logged?.errorCodes).toEqual(['GRAPHQL_VALIDATION_FAILED']);
  });

  it('logs no error codes for a request without errors', async () => {
    const { logged } = await run('{ __typename }');
    expect(logged).toBeDefined();
    expect(logged).not.toHaveProperty('errorCodes');
  });
});
