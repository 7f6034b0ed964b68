import { readdirSync, readFileSync } from 'node:fs';
import { Kind, parse } from 'graphql';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import type { ApolloServerPlugin } from '@apollo/server';

export type ServiceMetrics = {
  registry: Registry;
  httpRequestDuration: Histogram<'method' | 'route' | 'status'>;
  /** Apollo plugin that times each GraphQL operation by name, type and outcome. */
  graphqlPlugin(): ApolloServerPlugin;
};

export type MetricsOptions = {
  /**
   * Operation names that get a label of their own; any other name is counted as `other`, so a
   * client cannot grow the registry by sending made-up names. Defaults to the platform's own
   * client operations in schema/operations/*.graphql.
   */
  knownOperations?: Iterable<string>;
};

/** The label for a value that is not one of the known ones (an unknown route or operation name). */
export const OTHER_LABEL = 'other';

/** The operation names defined in the .graphql files of a folder. */
export function readOperationNames(dir: URL): Set<string> {
  const names = new Set<string>();
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.graphql'))
    .sort()) {
    for (const definition of parse(readFileSync(new URL(file, dir), 'utf8')).definitions) {
      if (definition.kind === Kind.OPERATION_DEFINITION && definition.name) names.add(definition.name.value);
    }
  }
  return names;
}

// Relative to this module (src/ or dist/ alike), not to the working directory.
const platformOperationsDir = new URL('../../../schema/operations/', import.meta.url);
let platformOperations: ReadonlySet<string> | undefined;
/** The platform's own client operations, read once per process. */
const platformOperationNames = () => (platformOperations ??= readOperationNames(platformOperationsDir));

// The gateway names each subgraph fetch `<operation>__<subgraph>__<n>` (Apollo's query planner).
const subgraphFetchName = /^(.+)__[_A-Za-z0-9]+__\d+$/;

/**
 * The operation label: a known name (also when the gateway forwards it to a subgraph with its
 * fetch suffix), `anonymous` for an unnamed operation, otherwise `other`. Never the client's text.
 */
export function labelOperation(name: string | null | undefined, known: ReadonlySet<string>): string {
  if (!name) return 'anonymous';
  if (known.has(name)) return name;
  const forwarded = subgraphFetchName.exec(name)?.[1];
  return forwarded !== undefined && known.has(forwarded) ? forwarded : OTHER_LABEL;
}

/** One Prometheus registry per process, labelled with the service name. */
export function createMetrics(service: string, options: MetricsOptions = {}): ServiceMetrics {
  const knownOperations = options.knownOperations ? new Set(options.knownOperations) : platformOperationNames();
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  const httpRequestDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP requests by method, route and status code',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const operationDuration = new Histogram({
    name: 'graphql_operation_duration_seconds',
    help: 'GraphQL operations by operation name, type and result',
    labelNames: ['operation', 'type', 'result'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  return {
    registry,
    httpRequestDuration,
    graphqlPlugin: () => ({
      async requestDidStart() {
        const stop = operationDuration.startTimer();
        return {
          async willSendResponse(ctx) {
            stop({
              operation: labelOperation(ctx.operationName, knownOperations),
              type: ctx.operation?.operation ?? 'unknown',
              result: ctx.errors?.length ? 'error' : 'ok',
            });
          },
        };
      },
    }),
  };
}
