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
};

export const subgraphServices: PlatformService[] = serviceRegistry.map(({ name, port, database }) => ({ name, port, database, entry: `subgraphs/${name}/dist/index.js` }));

export const gatewayService: PlatformService = { ...gatewayDefinition, entry: 'gateway/dist/index.js' };

export { databaseUrlVariable };
