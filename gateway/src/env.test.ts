import { ideEnabledIn, loadGatewayEnv } from './env.js';

describe("the gateway's settings", () => {
  it('treat an unset NODE_ENV as production: the hop secret and the NATS password are required', () => {
    expect(() => loadGatewayEnv({})).toThrow(/GATEWAY_HOP_SECRET/);
    expect(() => loadGatewayEnv({ GATEWAY_HOP_SECRET: 'x'.repeat(32) })).toThrow(/GATEWAY_NATS_PASSWORD/);
  });

  it('leave GraphiQL off when NODE_ENV is unset, and on in development', () => {
    const unset = loadGatewayEnv({ GATEWAY_HOP_SECRET: 'x'.repeat(32), GATEWAY_NATS_PASSWORD: 'nats password' });
    expect(unset.NODE_ENV).toBe('production');
    expect(ideEnabledIn(unset)).toBe(false);
    expect(ideEnabledIn(loadGatewayEnv({ NODE_ENV: 'development' }))).toBe(true);
  });

  it("turn @apollo/gateway's usage data to Apollo off unless APOLLO_TELEMETRY_DISABLED=false", () => {
    expect(loadGatewayEnv({ NODE_ENV: 'development' }).APOLLO_TELEMETRY_DISABLED).toBe(true);
    expect(loadGatewayEnv({ NODE_ENV: 'development', APOLLO_TELEMETRY_DISABLED: 'false' }).APOLLO_TELEMETRY_DISABLED).toBe(false);
  });
});
