import https from 'node:https';
import { createLogger } from '@jobplatform/config';
import { errorCodeOf, postGraphQL } from '@jobplatform/testing';
import { startGateway } from '../src/server.js';
import { gatewayEnvFor, startPlatformForTest, type PlatformUnderTest } from './start-platform.js';

let platform: PlatformUnderTest;
beforeAll(async () => {
  platform = await startPlatformForTest();
});
afterAll(async () => {
  await platform.close();
});

it('turns introspection off in production', async () => {
  const production = await startGateway(gatewayEnvFor(platform, { NODE_ENV: 'production' }), { logger: createLogger('gateway', 'silent') });
  try {
    const introspection = await postGraphQL(production.url, { query: '{ __schema { types { name } } }' });
    expect(errorCodeOf(introspection)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(introspection.errors![0]!.message).toMatch(/introspection/i);
    const regular = await postGraphQL(production.url, { query: '{ me { id } }' });
    expect(regular.data).toEqual({ me: null });
  } finally {
    await production.close();
  }
  const development = await platform.gql('{ __schema { queryType { name } } }');
  expect(development.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
});

it("sends Apollo no usage data: @apollo/gateway's would go out when it stops", async () => {
  // Every HTTPS request the process makes meanwhile: the platform's own traffic here is plain HTTP on localhost.
  const hosts: string[] = [];
  const request = https.request;
  https.request = ((...args: unknown[]) => {
    const target = args[0] as string | URL | https.RequestOptions;
    hosts.push(target instanceof URL ? target.host : typeof target === 'string' ? target : String(target.hostname ?? target.host));
    return (request as (...args: unknown[]) => ReturnType<typeof https.request>)(...args);
  }) as typeof https.request;
  try {
    const gateway = await startGateway(gatewayEnvFor(platform, {}), { logger: createLogger('gateway', 'silent') });
    expect((await postGraphQL(gateway.url, { query: '{ __typename }' })).data).toEqual({ __typename: 'Query' });
    await gateway.close();
    expect(hosts).toEqual([]);
  } finally {
    https.request = request;
  }
});

it('reports not ready, naming the subgraph, when a subgraph is down', async () => {
  const readyz = platform.gateway.url.replace(/\/graphql$/, '/readyz');
  expect((await fetch(readyz)).status).toBe(200);
  await platform.users.service.close();
  const response = await fetch(readyz);
  expect(response.status).toBe(503);
  expect(await response.json()).toEqual({ status: 'unavailable', reason: 'users is unreachable', subgraphs: expect.objectContaining({ users: 'unreachable', jobs: 'ready' }) });
  expect((await fetch(readyz.replace('/readyz', '/healthz'))).status).toBe(200);
});
