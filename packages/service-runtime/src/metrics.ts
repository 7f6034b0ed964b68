import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import type { ApolloServerPlugin } from '@apollo/server';

export type ServiceMetrics = {
  registry: Registry;
  httpRequestDuration: Histogram<'method' | 'route' | 'status'>;
  /** Apollo plugin that times each GraphQL operation by name, type and outcome. */
  graphqlPlugin(): ApolloServerPlugin;
};

/** One Prometheus registry per process, labelled with the service name. */
export function createMetrics(service: string): ServiceMetrics {
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
              operation: ctx.operationName ?? 'anonymous',
              type: ctx.operation?.operation ?? 'unknown',
              result: ctx.errors?.length ? 'error' : 'ok',
            });
          },
        };
      },
    }),
  };
}
