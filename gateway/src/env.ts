import { z } from 'zod';
import { EnvError, envSchemas, parseEnv } from '@jobplatform/config';

const schema = z.object({
  NODE_ENV: envSchemas.nodeEnv,
  LOG_LEVEL: envSchemas.logLevel,
  GATEWAY_HOST: z.string().default('127.0.0.1'),
  GATEWAY_PORT: envSchemas.port(4000),
  /** Where the users service publishes its public signing keys. */
  JWKS_URL: envSchemas.url.default('http://127.0.0.1:4001/.well-known/jwks.json'),
  SUPERGRAPH_PATH: z.string().optional(),
  /** Largest accepted request body. */
  GATEWAY_BODY_LIMIT: z.string().default('100kb'),
  GATEWAY_MAX_DEPTH: z.coerce.number().int().min(1).default(12),
  GATEWAY_MAX_ALIASES: z.coerce.number().int().min(0).default(30),
  GATEWAY_MAX_COST: z.coerce.number().int().min(1).default(20_000),
  /** Honour X-Forwarded-For from this many proxies in front of the gateway (0: none). */
  GATEWAY_TRUSTED_PROXIES: z.coerce.number().int().min(0).default(0),
  /** Largest WebSocket message in bytes; a larger one closes the socket (1009) before it is read. */
  GATEWAY_WS_MAX_PAYLOAD: z.coerce.number().int().min(1024).default(64 * 1024),
  /** Open WebSocket connections per client address (an IPv6 /64 counts as one address). */
  GATEWAY_WS_MAX_CONNECTIONS_PER_IP: z.coerce.number().int().min(1).default(20),
});

type ParsedEnv = z.infer<typeof schema>;
const socketDefaults = schema.pick({ GATEWAY_WS_MAX_PAYLOAD: true, GATEWAY_WS_MAX_CONNECTIONS_PER_IP: true }).parse({});
type SocketSettings = keyof typeof socketDefaults;

/**
 * The socket settings are optional here because callers also build a GatewayEnv in code (the
 * test platforms do); socketLimitsOf fills in the defaults that loadGatewayEnv would.
 */
export type GatewayEnv = Omit<ParsedEnv, SocketSettings> & Partial<Pick<ParsedEnv, SocketSettings>> & {
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
