import { EnvError } from '@jobplatform/config';
import { HOP_MAX_AGE_MS, hopSecretSchema, signHop, verifyHop, type HopRequest } from './gateway-hop.js';
import { loadSubgraphEnv } from './subgraph-env.js';

const secret = 'a shared secret of at least thirty-two bytes';
const request: HopRequest = {
  method: 'POST',
  path: '/graphql',
  authorization: 'Bearer token',
  requestId: 'request-1234',
  clientIp: '192.0.2.10',
  body: '{"query":"{ __typename }"}',
};
const now = 1_750_000_000_000;

describe('the gateway hop signature', () => {
  it('holds for the call it was made for, within its age', () => {
    const header = signHop(secret, request, now);
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verifyHop(secret, header, request, now + HOP_MAX_AGE_MS)).toEqual({ signed: true });
    expect(verifyHop(secret, header, { ...request, body: Buffer.from(request.body) }, now)).toEqual({ signed: true });
  });

  it('breaks when anything it covers changes', () => {
    const header = signHop(secret, request, now);
    const changes: Partial<HopRequest>[] = [
      { method: 'GET' },
      { path: '/graphql?x=1' },
      { authorization: 'Bearer other' },
      { authorization: undefined },
      { requestId: 'request-5678' },
      { clientIp: '192.0.2.11' },
      { clientIp: undefined },
      { body: '{"query":"{ me { id } }"}' },
    ];
    for (const change of changes) expect(verifyHop(secret, header, { ...request, ...change }, now)).toEqual({ signed: false, problem: 'mismatch' });
    expect(verifyHop('another secret of at least thirty-two bytes', header, request, now)).toEqual({ signed: false, problem: 'mismatch' });
    // The timestamp is signed too: moving it forward does not make an old signature fresh.
    expect(verifyHop(secret, header.replace(/^t=\d+/, `t=${now + 1}`), request, now)).toEqual({ signed: false, problem: 'mismatch' });
  });

  it('expires, and tells missing, malformed and stale apart', () => {
    const header = signHop(secret, request, now);
    expect(verifyHop(secret, header, request, now + HOP_MAX_AGE_MS + 1)).toEqual({ signed: false, problem: 'stale' });
    expect(verifyHop(secret, header, request, now - HOP_MAX_AGE_MS - 1)).toEqual({ signed: false, problem: 'stale' });
    expect(verifyHop(secret, undefined, request, now)).toEqual({ signed: false, problem: 'missing' });
    expect(verifyHop(secret, 'v1=abc', request, now)).toEqual({ signed: false, problem: 'malformed' });
  });

  it('needs a secret of 32 bytes or more', () => {
    expect(hopSecretSchema.safeParse('x'.repeat(31)).success).toBe(false);
    expect(hopSecretSchema.safeParse('x'.repeat(32)).success).toBe(true);
  });
});

describe("a subgraph's settings", () => {
  const base = { JOBS_DATABASE_URL: 'postgresql://127.0.0.1:5432/jobs_db' };

  it('require the hop secret in production, with a clear message', () => {
    expect(() => loadSubgraphEnv('jobs', undefined, { ...base, NODE_ENV: 'production' })).toThrow(EnvError);
    expect(() => loadSubgraphEnv('jobs', undefined, { ...base, NODE_ENV: 'production' })).toThrow(/GATEWAY_HOP_SECRET: is required in production/);
    expect(() => loadSubgraphEnv('jobs', undefined, { ...base, NODE_ENV: 'production', GATEWAY_HOP_SECRET: 'short' })).toThrow(/GATEWAY_HOP_SECRET: must be at least 32 bytes/);
    const production = { ...base, NODE_ENV: 'production', JOBS_NATS_PASSWORD: 'nats password' };
    expect(loadSubgraphEnv('jobs', undefined, { ...production, GATEWAY_HOP_SECRET: secret }).gatewayHopSecret).toBe(secret);
  });

  it('treat an unset NODE_ENV as production: the hop secret and the NATS password are required', () => {
    expect(() => loadSubgraphEnv('jobs', undefined, base)).toThrow(/GATEWAY_HOP_SECRET: is required in production/);
    expect(() => loadSubgraphEnv('jobs', undefined, { ...base, GATEWAY_HOP_SECRET: secret })).toThrow(/JOBS_NATS_PASSWORD/);
    expect(loadSubgraphEnv('jobs', undefined, { ...base, GATEWAY_HOP_SECRET: secret, JOBS_NATS_PASSWORD: 'nats password' }).nodeEnv).toBe('production');
  });

  it("do without it elsewhere, and carry the gateway's operation limits by default", () => {
    const env = loadSubgraphEnv('jobs', undefined, { ...base, NODE_ENV: 'development' });
    expect(env.gatewayHopSecret).toBeUndefined();
    expect(env.operationLimits).toEqual({ maxDepth: 12, maxAliases: 30, maxCost: 20_000 });
  });
});
