import http from 'node:http';
import type { Logger } from '@jobplatform/config';
import { capturingLogger, portToListenOnLater, waitFor, type LogLine } from '@jobplatform/testing';
import { httpRevocationSource, startRevocationFeed, type RevocationFeed } from './revocation-feed.js';

// The feed reads a real local HTTP server that is not listening at first, as the identity service
// is not while the platform's services start together.

const DEBUG = 20;
const INFO = 30;
const WARN = 40;

let feed: RevocationFeed | undefined;
let server: http.Server | undefined;
afterEach(async () => {
  feed?.stop();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

async function identityServiceOn(port: number): Promise<void> {
  server = http.createServer((_request, response) => {
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify({ asOf: new Date().toISOString(), revocations: [] }));
  });
  await new Promise<void>((resolve) => server!.listen(port, '127.0.0.1', resolve));
}

/** A feed reading the identity service's revocations on `port` every 10 ms. */
const feedFrom = (port: number, logger: Logger, startGraceMs: number) =>
  startRevocationFeed({ source: httpRevocationSource(`http://127.0.0.1:${port}/internal/token-revocations`, undefined), intervalMs: 10, logger, startGraceMs });

const revocationLines = (lines: LogLine[], level: number) => lines.filter((line) => line.level === level && /token revocations/.test(line.msg));

it('keeps quiet while the identity service starts within the grace, then reads it', async () => {
  const port = await portToListenOnLater();
  const { logger, lines } = capturingLogger('debug');
  feed = feedFrom(port, logger, 10_000);
  await waitFor(
    'three debug lines about the revocations',
    async () => revocationLines(lines, DEBUG).length,
    (n) => n >= 3,
  );
  expect(feed.isCaughtUp()).toBe(false);
  await identityServiceOn(port);
  await waitFor("the feed's first read", async () => feed!.isCaughtUp(), Boolean);
  expect(revocationLines(lines, WARN)).toEqual([]);
  // Nothing was said to be wrong, so nothing is said to be right again.
  expect(revocationLines(lines, INFO)).toEqual([]);
});

it('warns once the grace has passed without a read, once a minute at most, and says when the revocations can be read again', async () => {
  const port = await portToListenOnLater();
  const { logger, lines } = capturingLogger('debug');
  feed = feedFrom(port, logger, 100);
  await waitFor(
    'a warning about the revocations',
    async () => revocationLines(lines, WARN).length,
    (n) => n === 1,
  );
  // Once a minute at most.
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(revocationLines(lines, WARN)).toHaveLength(1);
  await identityServiceOn(port);
  await waitFor(
    'the line saying the revocations can be read again',
    async () => revocationLines(lines, INFO).length,
    (n) => n === 1,
  );
  expect(revocationLines(lines, INFO)[0]!.msg).toBe('token revocations can be read again');
});

it('warns at the first failure after a read has succeeded, grace or not', async () => {
  const port = await portToListenOnLater();
  await identityServiceOn(port);
  const { logger, lines } = capturingLogger('debug');
  feed = feedFrom(port, logger, 60_000);
  await waitFor("the feed's first read", async () => feed!.isCaughtUp(), Boolean);
  server!.closeAllConnections();
  await new Promise((resolve) => server!.close(resolve));
  server = undefined;
  await waitFor(
    'a warning about the revocations',
    async () => revocationLines(lines, WARN).length,
    (n) => n === 1,
  );
  expect(revocationLines(lines, WARN)[0]!.msg).toBe('cannot read token revocations; those read before still apply');
});
