import http from 'node:http';
import type net from 'node:net';
import { HOP_SIGNATURE_HEADER, verifyHop } from '@jobplatform/service-runtime';
import { createLogger } from '@jobplatform/config';
import { createSubgraphClient, SubgraphCallError, SubgraphDataSource, type SubgraphClient } from './subgraph-requests.js';

// The gateway's client for subgraph calls, against a real local HTTP server.

const SECRET = 'a hop secret of at least thirty-two bytes';

type Received = { headers: http.IncomingHttpHeaders; body: string; socket: net.Socket };

/** A server that records each call and answers it as `answer` says, or never (`hang`). */
async function startServer(answer: (call: Received, response: http.ServerResponse) => void) {
  const received: Received[] = [];
  const sockets = new Set<net.Socket>();
  const closed: net.Socket[] = [];
  const server = http.createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      const call = { headers: request.headers, body, socket: request.socket };
      received.push(call);
      answer(call, response);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => closed.push(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    received,
    sockets,
    closed,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

const json = (response: http.ServerResponse, status: number, body: unknown) => {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  response.end(JSON.stringify(body));
};

let client: SubgraphClient;
beforeEach(() => {
  // Long enough for a loaded machine's first call; the timeout tests give their own.
  client = createSubgraphClient({ hopSecret: SECRET, timeoutMs: 5_000 });
});
afterEach(() => client.close());

describe('createSubgraphClient', () => {
  it('posts the body with its headers, signed over what it forwards, and reads the answer whatever its status', async () => {
    const server = await startServer((call, response) => json(response, call.body.includes('refuse') ? 400 : 200, { data: { echo: call.body } }));
    try {
      const body = JSON.stringify({ query: '{ me { id } }' });
      const headers = { 'content-type': 'application/json', authorization: 'Bearer t', 'x-request-id': 'request-0001', 'x-client-ip': '203.0.113.7' };
      const answer = await client.post(server.url, body, headers);
      expect(answer).toEqual({ status: 200, contentType: 'application/json; charset=utf-8', body: JSON.stringify({ data: { echo: body } }) });

      const [call] = server.received;
      expect(call!.headers).toMatchObject({ authorization: 'Bearer t', 'x-request-id': 'request-0001', 'x-client-ip': '203.0.113.7', 'content-length': String(body.length) });
      const request = { method: 'POST', path: '/graphql', authorization: 'Bearer t', requestId: 'request-0001', clientIp: '203.0.113.7' };
      expect(verifyHop(SECRET, call!.headers[HOP_SIGNATURE_HEADER] as string, { ...request, body })).toEqual({ signed: true });
      // The signature covers the client address: a different one does not verify.
      expect(verifyHop(SECRET, call!.headers[HOP_SIGNATURE_HEADER] as string, { ...request, clientIp: '198.51.100.1', body })).toMatchObject({ signed: false });

      expect((await client.post(server.url, '"refuse"', {})).status).toBe(400);
    } finally {
      await server.close();
    }
  });

  it('sends no signature without a hop secret', async () => {
    const server = await startServer((_call, response) => json(response, 200, { data: {} }));
    const unsigned = createSubgraphClient({ hopSecret: undefined, timeoutMs: 5_000 });
    try {
      await unsigned.post(server.url, '{}', {});
      expect(server.received[0]!.headers[HOP_SIGNATURE_HEADER]).toBeUndefined();
    } finally {
      unsigned.close();
      await server.close();
    }
  });

  it('reuses one keep-alive connection for calls one after another', async () => {
    const server = await startServer((_call, response) => json(response, 200, { data: {} }));
    try {
      for (let i = 0; i < 5; i += 1) await client.post(server.url, `{"n":${i}}`, {});
      expect(server.received).toHaveLength(5);
      expect(new Set(server.received.map((call) => call.socket)).size).toBe(1);
    } finally {
      await server.close();
    }
  });

  it('gives up on a call with no answer within the timeout, and closes its connection instead of pooling it', async () => {
    const server = await startServer((call, response) => {
      if (!call.body.includes('hang')) json(response, 200, { data: {} });
    });
    try {
      const started = performance.now();
      const failure = await client.post(server.url, '"hang"', {}, { timeoutMs: 200 }).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(SubgraphCallError);
      expect((failure as SubgraphCallError).reason).toBe('timeout');
      expect(performance.now() - started).toBeGreaterThanOrEqual(190);
      // The next call gets a new connection, and an answer.
      await expect(client.post(server.url, '"answer"', {})).resolves.toMatchObject({ status: 200 });
      expect(server.received[1]!.socket).not.toBe(server.received[0]!.socket);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(server.closed).toContain(server.received[0]!.socket);
    } finally {
      await server.close();
    }
  });

  it('gives up when the body stops half way', async () => {
    const server = await startServer((_call, response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      response.write('{"data":');
    });
    try {
      await expect(client.post(server.url, '{}', {}, { timeoutMs: 200 })).rejects.toMatchObject({ reason: 'timeout' });
    } finally {
      await server.close();
    }
  });

  it('says a subgraph that refuses connections could not be reached, with the reason', async () => {
    const server = await startServer(() => undefined);
    const url = server.url;
    await server.close();
    await expect(client.post(url, '{}', {})).rejects.toMatchObject({ reason: 'unreachable', code: 'ECONNREFUSED', message: 'could not be reached (ECONNREFUSED)' });
  });
});

describe('SubgraphDataSource', () => {
  it('leaves the request logger unmade when a call succeeds (a pino child per call cost every subscription event)', async () => {
    const server = await startServer((_call, response) => json(response, 200, { data: { notification: { id: '1' } } }));
    try {
      let loggerReads = 0;
      const logger = createLogger('gateway-test', 'silent');
      const context = {
        requestId: 'r-1',
        clientIp: undefined,
        userAgent: undefined,
        viewer: undefined,
        accessToken: 'token',
        get logger() {
          loggerReads += 1;
          return logger;
        },
      };
      const source = new SubgraphDataSource({ name: 'notifications', url: server.url, timeoutMs: 5_000, logger }, client);
      const answer = await source.process({ kind: 'incoming operation', request: { query: '{ notification(id: "1") { id } }' }, incomingRequestContext: {}, context } as never);
      expect(answer).toEqual({ data: { notification: { id: '1' } } });
      expect(server.received[0]!.headers.authorization).toBe('Bearer token');
      expect(loggerReads).toBe(0);
    } finally {
      await server.close();
    }
  });
});
