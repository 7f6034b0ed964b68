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
});

export type GatewayEnv = z.infer<typeof schema> & {
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
