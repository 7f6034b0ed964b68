import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startAnalyticsForTest, waitFor, type AnalyticsUnderTest } from './analytics-fixtures.js';

// The service as it runs in production (src/index.ts in a process of its own), stopped with SIGTERM
// right after it accepted events: it writes them all before it exits.

let analytics: AnalyticsUnderTest;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

beforeAll(async () => {
  // Its database and nats-server, which the process joins as a second replica.
  analytics = await startAnalyticsForTest();
});
afterAll(async () => {
  await analytics?.close();
});

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

it('loses no accepted event when stopped with SIGTERM', async () => {
  const port = await freePort();
  const service = spawn(process.execPath, ['--conditions=development', '--import', 'tsx', 'subgraphs/analytics/src/index.ts'], {
    cwd: root,
    env: {
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      ANALYTICS_HOST: '127.0.0.1',
      ANALYTICS_PORT: String(port),
      ANALYTICS_DATABASE_URL: analytics.db.url,
      NATS_URL: analytics.env.natsUrl,
      ANALYTICS_NATS_PASSWORD: analytics.env.natsPassword,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const exited = once(service, 'exit');
  try {
    await waitFor(
      'the service to be ready',
      () =>
        fetch(`http://127.0.0.1:${port}/readyz`).then(
          (response) => response.ok,
          () => false,
        ),
      (ready) => ready,
      30_000,
    );
    const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: 'mutation($inputs: [TrackEventInput!]!) { trackEvents(inputs: $inputs) { accepted } }',
        variables: { inputs: Array.from({ length: 50 }, (_, i) => ({ eventType: 'COMPANY_VIEW', sessionId: `sigterm-${i}`, properties: { companyId: '3' } })) },
      }),
    });
    expect(await response.json()).toEqual({ data: { trackEvents: { accepted: 50 } } });
    service.kill('SIGTERM');
    const [code] = await exited;
    expect(code).toBe(0);
  } finally {
    if (service.exitCode === null) service.kill('SIGKILL');
  }
  expect((await analytics.db.query("SELECT count(*)::int AS n FROM analytics_events WHERE session_id LIKE 'sigterm-%'")).rows[0]!.n).toBe(50);
}, 60_000);
