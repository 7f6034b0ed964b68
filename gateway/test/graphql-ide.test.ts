import { createLogger } from '@jobplatform/config';
import { gatewayEnvFor } from '@jobplatform/testing';
import { startGateway, type RunningGateway } from '../src/server.js';
import type { GatewayEnv } from '../src/env.js';

// GraphiQL needs no subgraph, token or event backbone to be served: these gateways have none.
const gateways: RunningGateway[] = [];
afterAll(async () => {
  await Promise.all(gateways.map((gateway) => gateway.close()));
});

async function gatewayWith(overrides: Partial<GatewayEnv>): Promise<RunningGateway> {
  const gateway = await startGateway(gatewayEnvFor('http://127.0.0.1:9/.well-known/jwks.json', {}, overrides), { logger: createLogger('gateway', 'silent') });
  gateways.push(gateway);
  return gateway;
}

const browse = (url: string) => fetch(url, { headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });

describe('GraphiQL on GET /graphql', () => {
  it('serves the IDE and every file it loads from the gateway itself, none from another origin', async () => {
    const gateway = await gatewayWith({ NODE_ENV: 'development' });
    const response = await browse(gateway.url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    const page = await response.text();
    const loaded = [...page.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]!);
    expect(loaded.sort()).toEqual(
      [
        '/ide/graphiql-start.js',
        '/ide/graphiql.min.css',
        '/ide/graphiql.min.js',
        '/ide/graphql-ws.min.js',
        '/ide/react-dom.production.min.js',
        '/ide/react.production.min.js',
      ].sort(),
    );
    const origin = new URL(gateway.url).origin;
    for (const path of loaded) {
      const asset = await fetch(`${origin}${path}`);
      expect({ path, status: asset.status, type: asset.headers.get('content-type') }).toEqual({ path, status: 200, type: path.endsWith('.css') ? 'text/css' : 'text/javascript' });
      expect((await asset.text()).length).toBeGreaterThan(path.endsWith('start.js') ? 500 : 10_000);
    }
    expect((await fetch(`${origin}/ide/package.json`)).status).toBe(404);
  });

  it('leaves GraphQL over GET, and JSON clients, to the GraphQL endpoint', async () => {
    const gateway = await gatewayWith({ NODE_ENV: 'development' });
    const query = await fetch(`${gateway.url}?query=${encodeURIComponent('{ __typename }')}`, { headers: { accept: 'application/json', 'apollo-require-preflight': 'true' } });
    expect(await query.json()).toEqual({ data: { __typename: 'Query' } });
    const json = await fetch(gateway.url, { headers: { accept: 'application/json' } });
    expect(json.headers.get('content-type')).not.toMatch(/html/);
  });

  it('is off in production, with no CDN landing page either, unless GATEWAY_IDE turns it on', async () => {
    const production = await gatewayWith({ NODE_ENV: 'production', GATEWAY_HOP_SECRET: 'x'.repeat(32) });
    const off = await browse(production.url);
    expect(off.headers.get('content-type') ?? '').not.toMatch(/html/);
    expect(await off.text()).not.toMatch(/cdn|sandbox|embeddable/i);
    expect((await fetch(production.url.replace(/\/graphql$/, '/ide/graphiql.min.js'))).status).toBe(404);

    const enabled = await gatewayWith({ NODE_ENV: 'production', GATEWAY_HOP_SECRET: 'x'.repeat(32), GATEWAY_IDE: true });
    expect(await (await browse(enabled.url)).text()).toContain('/ide/graphiql.min.js');
  });
});
