import type http from 'node:http';
import express from 'express';
import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { buildSchema } from 'graphql';
import { pino } from 'pino';
import { byteSize, expressCall, expressCheck, sendJson, serveGraphQLPostsAhead, type GraphQLCall, type GraphQLCallCheck } from './graphql-post.js';
import { boundUrl, createHttpApp, installErrorHandler, listen } from './http-app.js';
import { createMetrics } from './metrics.js';

// JSON POSTs to /graphql served ahead of Express, beside the Express way that serves the rest.

type Context = { requestId: string; rawBodyLength: number; note: string | undefined };

const schema = buildSchema('type Query { ping: String, requestId: String, rawBodyLength: Int, note: String }');
const rootValue = {
  ping: () => 'pong',
  requestId: (_args: unknown, context: Context) => context.requestId,
  rawBodyLength: (_args: unknown, context: Context) => context.rawBodyLength,
  note: (_args: unknown, context: Context) => context.note,
};

const metrics = createMetrics('test');
const logger = pino({ level: 'silent' });
let server: http.Server;
let apollo: ApolloServer<Context>;
let url: string;
/** Requests that went through Express's middleware. */
let throughExpress = 0;

/** Refuses a body that asks to be refused; rewrites a query named by `{ "alias": "ping" }`. */
const check: GraphQLCallCheck = (call) => {
  const body = call.body as { refuse?: boolean; alias?: string; query?: string } | undefined;
  if (body?.refuse) {
    sendJson(call.res, 403, { errors: [{ message: 'refused by the check', extensions: { code: 'FORBIDDEN' } }] });
    return true;
  }
  if (body?.alias === 'ping') body.query = '{ ping }';
  return false;
};

beforeAll(async () => {
  const app = createHttpApp({ logger, metrics });
  app.use((_req, _res, next) => {
    throughExpress += 1;
    next();
  });
  apollo = new ApolloServer<Context>({ schema, rootValue, csrfPrevention: true });
  await apollo.start();
  server = await listen(app, 0, '127.0.0.1');
  const context = async (call: GraphQLCall): Promise<Context> => ({
    requestId: call.requestId,
    rawBodyLength: call.rawBody.length,
    note: call.req.headers['x-note'] as string | undefined,
  });
  serveGraphQLPostsAhead(server, app, { path: '/graphql', apollo, metrics, logger, bodyLimit: '1kb', checks: [check], context });
  app.use('/graphql', express.json({ limit: '1kb' }), expressCheck(check), expressMiddleware(apollo, { context: ({ req, res }) => context(expressCall(req, res)) }));
  installErrorHandler(app, logger);
  url = boundUrl(server, '127.0.0.1', '/graphql');
});

afterAll(async () => {
  await apollo.stop();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  throughExpress = 0;
});

const post = (body: string, headers: Record<string, string> = {}, target = url) =>
  fetch(target, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

describe('serveGraphQLPostsAhead', () => {
  it('serves a JSON POST without Express, with the request id, the raw body and the length of its answer', async () => {
    const body = JSON.stringify({ query: '{ ping requestId rawBodyLength note }' });
    const response = await post(body, { 'x-request-id': 'request-12345', 'x-note': 'hello' });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBe('request-12345');
    const text = await response.text();
    expect(response.headers.get('content-length')).toBe(String(Buffer.byteLength(text)));
    expect(JSON.parse(text)).toEqual({ data: { ping: 'pong', requestId: 'request-12345', rawBodyLength: body.length, note: 'hello' } });
    expect(throughExpress).toBe(0);
  });

  it('answers as the Express way does: a GET of the same query gives the same data', async () => {
    const viaPost = await (await post(JSON.stringify({ query: '{ ping }' }))).json();
    const viaGet = await (await fetch(`${url}?query=${encodeURIComponent('{ ping }')}`, { headers: { 'apollo-require-preflight': 'true' } })).json();
    expect(viaGet).toEqual(viaPost);
    expect(throughExpress).toBe(1);
  });

  it('passes the query string on to ApolloServer', async () => {
    const response = await post(JSON.stringify({ query: '{ ping }' }), {}, `${url}?trace=1`);
    expect(await response.json()).toEqual({ data: { ping: 'pong' } });
    expect(throughExpress).toBe(0);
  });

  it('runs the checks: one may answer the call itself, or change its body', async () => {
    const refused = await post(JSON.stringify({ query: '{ ping }', refuse: true }));
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({ errors: [{ message: 'refused by the check', extensions: { code: 'FORBIDDEN' } }] });
    expect(await (await post(JSON.stringify({ alias: 'ping' }))).json()).toEqual({ data: { ping: 'pong' } });
  });

  it('refuses a body over the limit with 413, whether its length is announced or not', async () => {
    const large = JSON.stringify({ query: `{ ping } # ${'x'.repeat(2000)}` });
    const announced = await post(large);
    expect(announced.status).toBe(413);
    expect(await announced.json()).toEqual({ errors: [{ message: 'The request body is too large', extensions: { code: 'PAYLOAD_TOO_LARGE' } }] });
    // Streamed in chunks with no Content-Length: counted as it arrives.
    const stream = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 4; i += 1) controller.enqueue(new TextEncoder().encode(large.slice(i * 600, (i + 1) * 600)));
        controller.close();
      },
    });
    const streamed = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: stream, duplex: 'half' } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(throughExpress).toBe(0);
  });

  it('refuses malformed JSON and bare JSON values with 400, as Express does, without a stack trace', async () => {
    for (const body of ['{"query":', '"a string"', '42']) {
      const response = await post(body);
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ errors: [{ message: 'The request body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }] });
    }
    const viaExpress = await fetch(`${url}/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '"a string"' });
    expect(viaExpress.status).toBe(400);
    expect(throughExpress).toBe(1);
  });

  it('leaves other content types to Express and ApolloServer (a form post is refused as CSRF)', async () => {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{ ping }' });
    expect(response.status).toBe(400);
    expect(throughExpress).toBe(1);
  });

  it('counts the request in the HTTP metrics under the /graphql route', async () => {
    await post(JSON.stringify({ query: '{ ping }' }));
    expect(await metrics.registry.metrics()).toMatch(/http_request_duration_seconds_count\{[^}]*method="POST"[^}]*route="\/graphql"[^}]*status="200"/);
  });
});

describe('byteSize', () => {
  it.each([
    ['512', 512],
    ['100kb', 102_400],
    ['1MB', 1_048_576],
    ['1.5kb', 1536],
  ])('reads %s as %d bytes', (text, bytes) => {
    expect(byteSize(text)).toBe(bytes);
  });

  it('refuses what is not a size', () => {
    expect(() => byteSize('lots')).toThrow('Not a size: lots');
  });
});
