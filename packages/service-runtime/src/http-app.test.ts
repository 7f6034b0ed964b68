import type http from 'node:http';
import { capturingLogger } from '@jobplatform/testing';
import { createHttpApp, NotReadyError } from './http-app.js';
import { createMetrics } from './metrics.js';

// /readyz is asked every few seconds by a probe (npm start, an orchestrator): a state is logged
// when it changes, and an expected one (starting, a dependency down) without a stack trace.

let server: http.Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

async function serve(readiness: () => Promise<void>) {
  const { logger, lines } = capturingLogger();
  const app = createHttpApp({ logger, metrics: createMetrics('readiness-test'), readiness });
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server!.once('listening', resolve));
  const { port } = server.address() as { port: number };
  const ask = async () => {
    const response = await fetch(`http://127.0.0.1:${port}/readyz`);
    return { status: response.status, body: (await response.json()) as { status: string; reason?: string } };
  };
  return { lines, ask };
}

it('logs a not-ready state once while it lasts, without a stack trace, and when it ends', async () => {
  let state: string | undefined = 'starting: /graphql is not served yet';
  const { lines, ask } = await serve(async () => {
    if (state) throw new NotReadyError(state, { subgraphs: {} });
  });
  for (let i = 0; i < 3; i += 1) expect(await ask()).toEqual({ status: 503, body: { status: 'unavailable', reason: state, subgraphs: {} } });
  state = undefined;
  expect((await ask()).status).toBe(200);
  expect((await ask()).status).toBe(200);
  state = 'jobs is unreachable';
  await ask();
  await ask();
  expect(lines.map(({ level, msg, reason }) => ({ level, msg, reason }))).toEqual([
    { level: 40, msg: 'not ready', reason: 'starting: /graphql is not served yet' },
    { level: 30, msg: 'ready again', reason: undefined },
    { level: 40, msg: 'not ready', reason: 'jobs is unreachable' },
  ]);
  expect(lines.some((line) => line.err !== undefined)).toBe(false);
});

it('logs an unexpected readiness error with its stack at every answer', async () => {
  const { lines, ask } = await serve(async () => {
    throw new Error('the pool is closed');
  });
  expect((await ask()).body).toEqual({ status: 'unavailable', reason: 'the pool is closed' });
  await ask();
  expect(lines.filter((line) => line.msg === 'readiness check failed')).toHaveLength(2);
  expect(lines[0]!.err).toMatchObject({ message: 'the pool is closed', stack: expect.stringContaining('Error: the pool is closed') });
});
