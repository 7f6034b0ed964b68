import { z } from 'zod';
import { defaultJwksUrl, envPrefix, envSchemas, parseEnv, registeredService } from '@jobplatform/config';
import { graphQLExecutorKinds, type GraphQLExecutorKind } from './compiled-execution.js';
import { hopSecretSchema } from './gateway-hop.js';
import { defaultOperationLimits, type OperationLimits } from './operation-limits.js';

/** The settings every subgraph has, named after the service: USERS_PORT, JOBS_DATABASE_URL, ... */
export type SubgraphEnv<Own = Record<string, never>> = {
  nodeEnv: 'development' | 'test' | 'production';
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  host: string;
  port: number;
  databaseUrl: string;
  /** Connections in this process's pool to the service's database. */
  databasePoolSize: number;
  /** Connections opened at start (each running the definition's warmUp) and kept open while idle. */
  databasePoolMin: number;
  natsUrl: string;
  /** The service's password on NATS (<NAME>_NATS_PASSWORD); it connects as the user named after it. */
  natsPassword: string | undefined;
  /** Where the identity service publishes the public keys that access tokens are verified with. */
  jwksUrl: string;
  /** How long a shutdown may take before the process exits anyway. */
  shutdownDeadlineMs: number;
  /**
   * The secret the gateway signs its calls with (required in production, where unsigned calls are
   * refused; elsewhere an unsigned call is served, but its forwarded client address and request id
   * are ignored).
   */
  gatewayHopSecret: string | undefined;
  /** Depth, alias and cost limits on every operation the service serves. */
  operationLimits: OperationLimits;
  /** How operations are executed (SUBGRAPH_EXECUTOR): compiled by graphql-jit, or graphql-js' interpreter. */
  executor: GraphQLExecutorKind;
  /** The service's own settings, from its definition's env schema. */
  own: Own;
};

/** Connections kept warm when <NAME>_DATABASE_POOL_MIN is not set (fewer when the pool is smaller). */
const DEFAULT_POOL_MIN = 4;

/**
 * Reads a subgraph's settings once, at start: the common ones with the registry's defaults and
 * the service's own schema. Throws an EnvError that lists every bad variable.
 */
export function loadSubgraphEnv<Own>(service: string, ownSchema: z.ZodType<Own> | undefined, source: NodeJS.ProcessEnv = process.env): SubgraphEnv<Own> {
  const prefix = envPrefix(service);
  const { port } = registeredService(service);
  const common = z
    .object({
      NODE_ENV: envSchemas.nodeEnv,
      LOG_LEVEL: envSchemas.logLevel,
      [`${prefix}_HOST`]: z.string().default('127.0.0.1'),
      [`${prefix}_PORT`]: envSchemas.port(port),
      [`${prefix}_DATABASE_URL`]: envSchemas.postgresUrl,
      [`${prefix}_DATABASE_POOL_SIZE`]: z.coerce.number().int().min(1).max(200).default(20),
      [`${prefix}_DATABASE_POOL_MIN`]: z.coerce.number().int().min(0).max(200).optional(),
      NATS_URL: envSchemas.natsUrl,
      [`${prefix}_NATS_PASSWORD`]: z.string().min(1).optional(),
      JWKS_URL: envSchemas.url.default(defaultJwksUrl),
      SHUTDOWN_DEADLINE_MS: z.coerce.number().int().min(100).default(8_000),
      GATEWAY_HOP_SECRET: hopSecretSchema.optional(),
      SUBGRAPH_MAX_DEPTH: z.coerce.number().int().min(1).default(defaultOperationLimits.maxDepth),
      SUBGRAPH_MAX_ALIASES: z.coerce.number().int().min(0).default(defaultOperationLimits.maxAliases),
      SUBGRAPH_MAX_COST: z.coerce.number().int().min(1).default(defaultOperationLimits.maxCost),
      SUBGRAPH_EXECUTOR: z.enum(graphQLExecutorKinds).default('compiled'),
    })
    .superRefine((env, ctx) => {
      if (((env[`${prefix}_DATABASE_POOL_MIN`] as number | undefined) ?? 0) > (env[`${prefix}_DATABASE_POOL_SIZE`] as number)) {
        ctx.addIssue({ code: 'custom', path: [`${prefix}_DATABASE_POOL_MIN`], message: `must not exceed ${prefix}_DATABASE_POOL_SIZE` });
      }
      if (env.NODE_ENV === 'production' && !env.GATEWAY_HOP_SECRET) {
        ctx.addIssue({ code: 'custom', path: ['GATEWAY_HOP_SECRET'], message: 'is required in production: the secret the gateway signs its calls with' });
      }
    });
  const natsPassword = `${prefix}_NATS_PASSWORD`;
  const schema = (ownSchema ? z.intersection(common, ownSchema) : common).superRefine((env, ctx) => {
    const settings = env as Record<string, unknown>;
    if (settings.NODE_ENV === 'production' && !settings[natsPassword]) {
      ctx.addIssue({ code: 'custom', path: [natsPassword], message: `is required in production: the service connects to NATS as "${service}" with it` });
    }
  });
  const parsed = parseEnv(schema, source) as Record<string, unknown>;
  return {
    nodeEnv: parsed.NODE_ENV as SubgraphEnv['nodeEnv'],
    logLevel: parsed.LOG_LEVEL as SubgraphEnv['logLevel'],
    host: parsed[`${prefix}_HOST`] as string,
    port: parsed[`${prefix}_PORT`] as number,
    databaseUrl: parsed[`${prefix}_DATABASE_URL`] as string,
    databasePoolSize: parsed[`${prefix}_DATABASE_POOL_SIZE`] as number,
    databasePoolMin: (parsed[`${prefix}_DATABASE_POOL_MIN`] as number | undefined) ?? Math.min(DEFAULT_POOL_MIN, parsed[`${prefix}_DATABASE_POOL_SIZE`] as number),
    natsUrl: parsed.NATS_URL as string,
    natsPassword: parsed[natsPassword] as string | undefined,
    jwksUrl: parsed.JWKS_URL as string,
    shutdownDeadlineMs: parsed.SHUTDOWN_DEADLINE_MS as number,
    gatewayHopSecret: parsed.GATEWAY_HOP_SECRET as string | undefined,
    operationLimits: {
      maxDepth: parsed.SUBGRAPH_MAX_DEPTH as number,
      maxAliases: parsed.SUBGRAPH_MAX_ALIASES as number,
      maxCost: parsed.SUBGRAPH_MAX_COST as number,
    },
    executor: parsed.SUBGRAPH_EXECUTOR as GraphQLExecutorKind,
    own: (ownSchema ? ownSchema.parse(source) : {}) as Own,
  };
}
