import { databaseUrlVariable, gatewayDefinition, serviceRegistry } from '@jobplatform/config';

/**
 * The processes `npm start` and the benchmarks run, in start order, from the service registry
 * (packages/config/src/service-registry.ts): every subgraph, then the gateway.
 */
export type PlatformService = {
  name: string;
  port: number;
  /** Database the service owns, or undefined for the gateway. */
  database?: string;
  /** Compiled entry point, relative to the repository root. */
  entry: string;
  /** Node options the process starts with, before the entry point (docker-compose.yml and the Dockerfile give the same). */
  nodeArgs: readonly string[];
};

export const subgraphServices: PlatformService[] = serviceRegistry.map(({ name, port, database }) => ({
  name,
  port,
  database,
  entry: `subgraphs/${name}/dist/index.js`,
  nodeArgs: [],
}));

/**
 * The gateway's Node options. Every request allocates the client's and the subgraphs' JSON and the
 * result built from them. Most of it is garbage within milliseconds, but each young-generation
 * collection (a scavenge) copies the objects of every request still in flight. With V8's default
 * 16 MB semi-spaces and 50 requests in flight the gateway scavenged 8 to 13 times a second, 7 to
 * 15 % of the time; with 64 MB semi-spaces 2 to 5 times a second, 6 to 9 % (bench:jobs). It costs up
 * to 96 MB more memory when busy. Its effect on the p99 is not settled: see docs/benchmarks.md, "The
 * gateway's young generation".
 */
export const GATEWAY_NODE_ARGS = ['--max-semi-space-size=64'] as const;

export const gatewayService: PlatformService = { ...gatewayDefinition, entry: 'gateway/dist/index.js', nodeArgs: GATEWAY_NODE_ARGS };

export { databaseUrlVariable };
