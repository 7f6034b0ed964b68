import { z } from 'zod';
import { defaultJwksUrl, EnvError, envSchemas, parseEnv } from '@jobplatform/config';
import { defaultOperationLimits, hopSecretSchema } from '@jobplatform/service-runtime';

const fields = z.object({
  NODE_ENV: envSchemas.nodeEnv,
  LOG_LEVEL: envSchemas.logLevel,
  GATEWAY_HOST: z.string().default('127.0.0.1'),
  GATEWAY_PORT: envSchemas.port(4000),
  /** Where the users service publishes its public signing keys. */
  JWKS_URL: envSchemas.url.default(defaultJwksUrl),
  SUPERGRAPH_PATH: z.string().optional(),
  /** Largest accepted request body. */
  GATEWAY_BODY_LIMIT: z.string().default('100kb'),
  GATEWAY_MAX_DEPTH: z.coerce.number().int().min(1).default(defaultOperationLimits.maxDepth),
  GATEWAY_MAX_ALIASES: z.coerce.number().int().min(0).default(defaultOperationLimits.maxAliases),
  GATEWAY_MAX_COST: z.coerce.number().int().min(1).default(defaultOperationLimits.maxCost),
  /** Honour X-Forwarded-For from this many proxies in front of the gateway (0: none). */
  GATEWAY_TRUSTED_PROXIES: z.coerce.number().int().min(0).default(0),
  /** Largest WebSocket message in bytes; a larger one closes the socket (1009) before it is read. */
  GATEWAY_WS_MAX_PAYLOAD: z.coerce.number().int().min(1024).default(64 * 1024),
  /** Open WebSocket connections per client address (an IPv6 /64 counts as one address). */
  GATEWAY_WS_MAX_CONNECTIONS_PER_IP: z.coerce.number().int().min(1).default(20),
  /** The secret the gateway signs each call to a subgraph with; subgraphs hold the same one. */
  GATEWAY_HOP_SECRET: hopSecretSchema.optional(),
  /** How long one call to a subgraph may take; after that its fields are null with an error. */
  GATEWAY_SUBGRAPH_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
});

const hopSecretRequired = 'is required in production: subgraphs refuse calls the gateway did not sign';
const schema = fields.superRefine((env, ctx) => {
  if (env.NODE_ENV === 'production' && !env.GATEWAY_HOP_SECRET) ctx.addIssue({ code: 'custom', path: ['GATEWAY_HOP_SECRET'], message: hopSecretRequired });
});

type ParsedEnv = z.infer<typeof fields>;
const socketDefaults = fields.pick({ GATEWAY_WS_MAX_PAYLOAD: true, GATEWAY_WS_MAX_CONNECTIONS_PER_IP: true }).parse({});
const subgraphCallDefaults = fields.pick({ GATEWAY_SUBGRAPH_TIMEOUT_MS: true }).parse({});
type DefaultedInCode = keyof typeof socketDefaults | keyof typeof subgraphCallDefaults;

/**
 * The socket and subgraph-call settings are optional here because callers also build a GatewayEnv
 * in code (the test platforms do); socketLimitsOf and subgraphCallsOf fill in the defaults that
 * loadGatewayEnv would.
 */
export type GatewayEnv = Omit<ParsedEnv, DefaultedInCode> & Partial<Pick<ParsedEnv, DefaultedInCode>> & {
  /** Routing URL overrides by subgraph name, from <NAME>_SUBGRAPH_URL (e.g. USERS_SUBGRAPH_URL). */
  subgraphUrls: Record<string, string>;
};

export function loadGatewayEnv(source: NodeJS.ProcessEnv = process.env): GatewayEnv {
  const env = parseEnv(schema, source);
  const subgraphUrls: Record<string, string> = {};
  for (const [key, value] of Object.entries(source)) {
    const match = /^([A-Z]+)_SUBGRAPH_URL$/.exec(key);
    if (!match || !value) continue;
    if (!envSchemas.url.safeParse(value).success) throw new EnvError(`Invalid configuration:\n  ${key}: must be a URL`);
    subgraphUrls[match[1]!.toLowerCase()] = value;
  }
  return { ...env, subgraphUrls };
}

export function socketLimitsOf(env: GatewayEnv): { maxPayload: number; maxConnectionsPerAddress: number } {
  return {
    maxPayload: env.GATEWAY_WS_MAX_PAYLOAD ?? socketDefaults.GATEWAY_WS_MAX_PAYLOAD,
    maxConnectionsPerAddress: env.GATEWAY_WS_MAX_CONNECTIONS_PER_IP ?? socketDefaults.GATEWAY_WS_MAX_CONNECTIONS_PER_IP,
  };
}

/** How the gateway calls subgraphs: signed with the hop secret, each call within the timeout. */
export function subgraphCallsOf(env: GatewayEnv): { hopSecret: string | undefined; timeoutMs: number } {
  if (env.NODE_ENV === 'production' && !env.GATEWAY_HOP_SECRET) throw new EnvError(`Invalid configuration:\n  GATEWAY_HOP_SECRET: ${hopSecretRequired}`);
  return {
    hopSecret: env.GATEWAY_HOP_SECRET,
    timeoutMs: env.GATEWAY_SUBGRAPH_TIMEOUT_MS ?? subgraphCallDefaults.GATEWAY_SUBGRAPH_TIMEOUT_MS,
  };
}
