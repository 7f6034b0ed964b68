import { spawn } from 'node:child_process';
import { once } from 'node:events';
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

/** The address the service says it serves at (its `… subgraph ready` log line), once it does. */
function readyUrl(service: ReturnType<typeof spawn>): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    service.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      for (const line of buffered.split('\n')) {
        const url = /"url":"(http:[^"]+)"/.exec(line)?.[1];
        if (url && line.includes('subgraph ready')) resolve(url.replace(/\/graphql$/, ''));
      }
    });
    service.once('exit', (code) => reject(new Error(`the service exited (${code}) before it was ready`)));
  });
}

it('loses no accepted event when stopped with SIGTERM', async () => {
  const service = spawn(process.execPath, ['--conditions=development', '--import', 'tsx', 'subgraphs/analytics/src/index.ts'], {
    cwd: root,
    env: {
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      ANALYTICS_HOST: '127.0.0.1',
      // A port of its own choosing: one picked here could be taken by another test before it binds.
      ANALYTICS_PORT: '0',
      ANALYTICS_DATABASE_URL: analytics.db.url,
      NATS_URL: analytics.env.natsUrl,
      ANALYTICS_NATS_PASSWORD: analytics.env.natsPassword,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = once(service, 'exit');
  try {
    const origin = await readyUrl(service);
    await waitFor(
      'the service to be ready',
      () =>
        fetch(`${origin}/readyz`).then(
          (response) => response.ok,
          () => false,
        ),
      (ready) => ready,
      30_000,
    );
    const response = await fetch(`${origin}/graphql`, {
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
