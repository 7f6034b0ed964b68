// Trusted documents: the platform's own operations (schema/operations) sent by id instead of text,
// and a gateway that runs nothing else when GATEWAY_TRUSTED_DOCUMENTS_ONLY is set.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { WebSocket } from 'ws';
import { createClient, type Client } from 'graphql-ws';
import { createLogger } from '@jobplatform/config';
import { gatewayEnvBeside, startPlatformForTest, type PlatformUnderTest } from '@jobplatform/testing';
import { startGateway, type RunningGateway } from '../src/server.js';
import { compileTrustedDocuments, defaultOperationsDir, type TrustedDocument } from '../src/trusted-documents.js';

const manifest = compileTrustedDocuments();
const documentNamed = (name: string): TrustedDocument => {
  const found = manifest.operations.find((document) => document.name === name);
  if (!found) throw new Error(`no trusted document ${name}`);
  return found;
};
const ME = documentNamed('Me');

let platform: PlatformUnderTest;
let strict: RunningGateway;
let account: { accessToken: string; id: string };
const clients: Client[] = [];

beforeAll(async () => {
  platform = await startPlatformForTest({ services: ['users', 'jobs'] });
  strict = await startGateway(gatewayEnvBeside(platform, { GATEWAY_TRUSTED_DOCUMENTS_ONLY: true }), { logger: createLogger('gateway', 'silent') });
  const seeker = await platform.register('JOB_SEEKER');
  account = { accessToken: seeker.accessToken, id: seeker.id };
}, 120_000);

afterAll(async () => {
  await Promise.all(clients.map((client) => client.dispose()));
  await strict?.close();
  await platform?.close();
});

/** POSTs a raw body to a gateway, as a client library would, and returns the status and JSON. */
async function post(gateway: RunningGateway, body: Record<string, unknown>, token?: string) {
  const response = await fetch(gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as { data?: Record<string, any> | null; errors?: { message: string; extensions?: { code?: string } }[] } };
}

describe('the manifest', () => {
  it('holds every named operation of schema/operations once, each id the SHA-256 of its text, with the fragments it uses', () => {
    const operationCount = readdirSync(defaultOperationsDir)
      .filter((file) => file.endsWith('.graphql'))
      .map((file) => readFileSync(new URL(file, `file://${defaultOperationsDir}`), 'utf8').match(/^(query|mutation|subscription) \w+/gm)?.length ?? 0)
      .reduce((a, b) => a + b, 0);
    expect(manifest.operations).toHaveLength(operationCount);
    expect(new Set(manifest.operations.map((document) => document.id)).size).toBe(operationCount);
    for (const document of manifest.operations) expect(document.id).toBe(createHash('sha256').update(document.body).digest('hex'));
    expect(ME.body).toContain('fragment OwnProfile on User');
    expect(documentNamed('Login').body).not.toContain('fragment');
    expect(manifest.operations.filter((document) => document.type === 'subscription').map((document) => document.name)).toEqual(
      expect.arrayContaining(['OnNotification', 'OnApplicationStatusChanged', 'OnApplicationSubmitted']),
    );
  });
});

describe('a request that names a trusted document', () => {
  it('gets the same answer by documentId, by sha256:documentId and by Apollo persistedQuery as by its text', async () => {
    const byText = await post(platform.gateway, { query: ME.body }, account.accessToken);
    expect(byText.json.data!.me.id).toBe(account.id);
    for (const body of [{ documentId: ME.id }, { documentId: `sha256:${ME.id}` }, { extensions: { persistedQuery: { version: 1, sha256Hash: ME.id } } }]) {
      const byId = await post(platform.gateway, body, account.accessToken);
      expect(byId).toEqual({ status: 200, json: byText.json });
    }
  });

  it('answers PERSISTED_QUERY_NOT_FOUND for an unknown id, and refuses a malformed one with BAD_REQUEST', async () => {
    const unknown = await post(platform.gateway, { documentId: 'f'.repeat(64) });
    expect(unknown.status).toBe(200);
    expect(unknown.json.errors![0]!.extensions!.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect(unknown.json.errors![0]!.message).toMatch(/schema\/operations/);
    const malformed = await post(platform.gateway, { documentId: 42 });
    expect(malformed.status).toBe(400);
    expect(malformed.json.errors![0]!.extensions!.code).toBe('BAD_REQUEST');
    const badExtension = await post(platform.gateway, { extensions: { persistedQuery: { version: 2, sha256Hash: ME.id } } });
    expect(badExtension.json.errors![0]!.extensions!.code).toBe('BAD_REQUEST');
  });

  it('does not let a client register a document of its own under an id', async () => {
    const text = 'query Mine { me { id userType } }';
    const id = createHash('sha256').update(text).digest('hex');
    const registering = await post(platform.gateway, { query: text, extensions: { persistedQuery: { version: 1, sha256Hash: id } } }, account.accessToken);
    expect(registering.json.data).toEqual({ me: { id: account.id, userType: 'JOB_SEEKER' } });
    const byId = await post(platform.gateway, { extensions: { persistedQuery: { version: 1, sha256Hash: id } } }, account.accessToken);
    expect(byId.json.errors![0]!.extensions!.code).toBe('PERSISTED_QUERY_NOT_FOUND');
  });
});

describe('a gateway that runs trusted documents only', () => {
  it('runs a trusted document by id or by its exact text, and refuses any other text with PERSISTED_QUERY_NOT_IN_LIST', async () => {
    expect((await post(strict, { documentId: ME.id }, account.accessToken)).json.data!.me.id).toBe(account.id);
    expect((await post(strict, { query: ME.body }, account.accessToken)).json.data!.me.id).toBe(account.id);
    const other = await post(strict, { query: '{ me { id } }' }, account.accessToken);
    expect(other.status).toBe(400);
    expect(other.json.errors![0]!.extensions!.code).toBe('PERSISTED_QUERY_NOT_IN_LIST');
    expect(other.json.data).toBeUndefined();
    const introspection = await post(strict, { query: '{ __schema { types { name } } }' });
    expect(introspection.json.errors![0]!.extensions!.code).toBe('PERSISTED_QUERY_NOT_IN_LIST');
  });

  it('refuses other text sent with GET too', async () => {
    const response = await fetch(`${strict.url}?query=${encodeURIComponent('{ me { id } }')}`, { headers: { 'apollo-require-preflight': 'true' } });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('PERSISTED_QUERY_NOT_IN_LIST');
  });

  it('over graphql-ws: runs a document sent by id, and refuses other text', async () => {
    const client = createClient({
      url: strict.url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${account.accessToken}` },
      retryAttempts: 0,
    });
    clients.push(client);
    const run = (payload: { query: string; extensions?: Record<string, unknown> }) =>
      new Promise<{ data?: unknown; errors?: readonly { message: string; extensions?: Record<string, unknown> }[] }>((resolve) => {
        let last: { data?: unknown } = {};
        client.subscribe(payload, {
          next: (value) => (last = value as typeof last),
          error: (error) => resolve({ errors: error as never }),
          complete: () => resolve(last),
        });
      });
    const byId = await run({ query: '', extensions: { persistedQuery: { version: 1, sha256Hash: ME.id } } });
    expect((byId.data as { me: { id: string } }).me.id).toBe(account.id);
    const other = await run({ query: '{ me { id } }' });
    expect(other.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_IN_LIST');
  });
});
