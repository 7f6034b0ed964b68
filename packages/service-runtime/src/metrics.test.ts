import type http from 'node:http';
import { randomUUID } from 'node:crypto';
import express from 'express';
import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { buildSchema } from 'graphql';
import { pino } from 'pino';
import { boundUrl, createHttpApp, listen } from './http-app.js';
import { createMetrics, labelOperation, type ServiceMetrics } from './metrics.js';

const schema = buildSchema('type Query { ping: String }');
const rootValue = { ping: () => 'pong' };

/** The label values of one metric in the registry's exposition text. */
async function labelValues(metrics: ServiceMetrics, metric: string, label: string): Promise<Set<string>> {
  const text = await metrics.registry.metrics();
  const pattern = new RegExp(`^${metric}_count\\{[^}]*\\b${label}="([^"]*)"`, 'gm');
  return new Set([...text.matchAll(pattern)].map((match) => match[1]!));
}

describe('operation labels', () => {
  const known = new Set(['Login', 'JobDetail']);

  it.each([
    ['Login', 'Login'],
    ['Login__users__0', 'Login'],
    ['JobDetail__jobs__12', 'JobDetail'],
    [undefined, 'anonymous'],
    ['RandomName', 'other'],
    ['RandomName__users__0', 'other'],
  ])('labels %s as %s', (name, label) => {
    expect(labelOperation(name, known)).toBe(label);
  });
});

describe('metric labels from client input', () => {
  const metrics = createMetrics('test');
  let server: http.Server;
  let apollo: ApolloServer;
  let base: string;

  beforeAll(async () => {
    const app = createHttpApp({ logger: pino({ level: 'silent' }), metrics });
    apollo = new ApolloServer({ schema, rootValue, plugins: [metrics.graphqlPlugin()] });
    await apollo.start();
    app.use('/graphql', express.json(), expressMiddleware(apollo));
    server = await listen(app, 0, '127.0.0.1');
    base = boundUrl(server, '127.0.0.1', '');
  });

  afterAll(async () => {
    await apollo.stop();
    await new Promise((resolve) => server.close(resolve));
  });

  const send = (operationName: string) =>
    fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `query ${operationName} { ping }`, operationName }),
    });

  it("counts made-up operation names as one label, and the platform's own by name", async () => {
    const random = `Op${randomUUID().replaceAll('-', '')}`;
    expect((await send(random)).status).toBe(200);
    // Login is one of the platform's operations in schema/operations/users.graphql.
    expect((await send('Login')).status).toBe(200);
    const labels = await labelValues(metrics, 'graphql_operation_duration_seconds', 'operation');
    expect(labels).toEqual(new Set(['other', 'Login']));
  });

  it('counts unknown paths as one route label, and known routes and mounts by their path', async () => {
    await fetch(`${base}/${randomUUID()}`);
    await fetch(`${base}/healthz`);
    await send('Login');
    const labels = await labelValues(metrics, 'http_request_duration_seconds', 'route');
    expect(labels).toEqual(new Set(['other', '/healthz', '/graphql']));
  });
});
