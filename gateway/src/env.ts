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
  GATEWAY_WS_MAX_PAYLOAD: z.coerce
    .number()
    .int()
    .min(1024)
    .default(64 * 1024),
  /** Open WebSocket connections per client address (an IPv6 /64 counts as one address). */
  GATEWAY_WS_MAX_CONNECTIONS_PER_IP: z.coerce.number().int().min(1).default(20),
  /** The secret the gateway signs each call to a subgraph with; subgraphs hold the same one. */
  GATEWAY_HOP_SECRET: hopSecretSchema.optional(),
  /** How long one call to a subgraph may take; after that its fields are null with an error. */
  GATEWAY_SUBGRAPH_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  /** The event backbone the subscriptions listen to; the gateway connects as the NATS user "gateway". */
  NATS_URL: envSchemas.natsUrl,
  /** The gateway's NATS password (subscribe-only on the subjects its subscriptions deliver); required in production. */
  GATEWAY_NATS_PASSWORD: z.string().min(1).optional(),
  /** Open WebSocket connections per signed-in user; one more is closed with 4429. */
  GATEWAY_WS_MAX_CONNECTIONS_PER_USER: z.coerce.number().int().min(1).default(10),
  /** Active subscriptions per connection; one more is refused with TOO_MANY_REQUESTS. */
  GATEWAY_WS_MAX_SUBSCRIPTIONS_PER_CONNECTION: z.coerce.number().int().min(1).default(20),
  /** Events accepted for one connection and not yet written to it; one more closes the socket with 1013. */
  GATEWAY_WS_MAX_QUEUED_EVENTS: z.coerce.number().int().min(1).default(100),
  /** Refuse every operation that is not a trusted document (schema/operations/*.graphql), sent by id or as its exact text. */
  GATEWAY_TRUSTED_DOCUMENTS_ONLY: envSchemas.booleanString.optional(),
  /** Where the trusted documents come from: a folder of .graphql files; by default the platform's schema/operations. */
  GATEWAY_TRUSTED_DOCUMENTS_DIR: z.string().optional(),
  /**
   * Answer an operation whose query plan is one subgraph call selecting exactly the client's fields
   * with that subgraph's data as it came, when it has no errors (single-fetch.ts); false: every
   * operation through @apollo/gateway's plan execution.
   */
  GATEWAY_SINGLE_FETCH: envSchemas.booleanString.optional(),
  /** Serve GraphiQL on GET /graphql from a browser; on unless NODE_ENV is production. */
  GATEWAY_IDE: envSchemas.booleanString.optional(),
  /**
   * @apollo/gateway's own switch for the usage data it sends to Apollo (uptime, CPUs, memory, to
   * usage-reporting.api.apollographql.com, hourly and when it stops). Off here unless set to false.
   */
  APOLLO_TELEMETRY_DISABLED: envSchemas.booleanString.default(true),
});

const hopSecretRequired = 'is required in production: subgraphs refuse calls the gateway did not sign';
const natsPasswordRequired = 'is required in production: the gateway connects to NATS as "gateway" with it';
const schema = fields.superRefine((env, ctx) => {
  if (env.NODE_ENV === 'production' && !env.GATEWAY_HOP_SECRET) ctx.addIssue({ code: 'custom', path: ['GATEWAY_HOP_SECRET'], message: hopSecretRequired });
  if (env.NODE_ENV === 'production' && !env.GATEWAY_NATS_PASSWORD) ctx.addIssue({ code: 'custom', path: ['GATEWAY_NATS_PASSWORD'], message: natsPasswordRequired });
});

type ParsedEnv = z.infer<typeof fields>;
const socketDefaults = fields
  .pick({
    GATEWAY_WS_MAX_PAYLOAD: true,
    GATEWAY_WS_MAX_CONNECTIONS_PER_IP: true,
    GATEWAY_WS_MAX_CONNECTIONS_PER_USER: true,
    GATEWAY_WS_MAX_SUBSCRIPTIONS_PER_CONNECTION: true,
    GATEWAY_WS_MAX_QUEUED_EVENTS: true,
  })
  .parse({});
const subgraphCallDefaults = fields.pick({ GATEWAY_SUBGRAPH_TIMEOUT_MS: true }).parse({});
type DefaultedInCode = keyof typeof socketDefaults | keyof typeof subgraphCallDefaults | 'NATS_URL';

/**
 * The socket and subgraph-call settings are optional here because callers also build a GatewayEnv
 * in code (the test platforms do); socketLimitsOf and subgraphCallsOf fill in the defaults that
 * loadGatewayEnv would. A GatewayEnv built without NATS_URL serves no subscriptions.
 */
export type GatewayEnv = Omit<ParsedEnv, DefaultedInCode> &
  Partial<Pick<ParsedEnv, DefaultedInCode>> & {
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

export function socketLimitsOf(env: GatewayEnv): { maxPayload: number; maxConnectionsPerAddress: number; maxConnectionsPerUser: number } {
  return {
    maxPayload: env.GATEWAY_WS_MAX_PAYLOAD ?? socketDefaults.GATEWAY_WS_MAX_PAYLOAD,
    maxConnectionsPerAddress: env.GATEWAY_WS_MAX_CONNECTIONS_PER_IP ?? socketDefaults.GATEWAY_WS_MAX_CONNECTIONS_PER_IP,
    maxConnectionsPerUser: env.GATEWAY_WS_MAX_CONNECTIONS_PER_USER ?? socketDefaults.GATEWAY_WS_MAX_CONNECTIONS_PER_USER,
  };
}

/** Where the subscriptions' events come from, and how much one connection may hold; undefined without NATS_URL. */
export function liveUpdatesOf(env: GatewayEnv): { natsUrl: string; natsPassword: string | undefined; maxSubscriptionsPerConnection: number; maxQueuedEvents: number } | undefined {
  if (!env.NATS_URL) return undefined;
  if (env.NODE_ENV === 'production' && !env.GATEWAY_NATS_PASSWORD) throw new EnvError(`Invalid configuration:\n  GATEWAY_NATS_PASSWORD: ${natsPasswordRequired}`);
  return {
    natsUrl: env.NATS_URL,
    natsPassword: env.GATEWAY_NATS_PASSWORD,
    maxSubscriptionsPerConnection: env.GATEWAY_WS_MAX_SUBSCRIPTIONS_PER_CONNECTION ?? socketDefaults.GATEWAY_WS_MAX_SUBSCRIPTIONS_PER_CONNECTION,
    maxQueuedEvents: env.GATEWAY_WS_MAX_QUEUED_EVENTS ?? socketDefaults.GATEWAY_WS_MAX_QUEUED_EVENTS,
  };
}

/** GraphiQL on GET /graphql: GATEWAY_IDE when set, else on everywhere but production. */
export const ideEnabledIn = (env: GatewayEnv): boolean => env.GATEWAY_IDE ?? env.NODE_ENV !== 'production';

/** How the gateway calls subgraphs: signed with the hop secret, each call within the timeout. */
export function subgraphCallsOf(env: GatewayEnv): { hopSecret: string | undefined; timeoutMs: number } {
  if (env.NODE_ENV === 'production' && !env.GATEWAY_HOP_SECRET) throw new EnvError(`Invalid configuration:\n  GATEWAY_HOP_SECRET: ${hopSecretRequired}`);
  return {
    hopSecret: env.GATEWAY_HOP_SECRET,
    timeoutMs: env.GATEWAY_SUBGRAPH_TIMEOUT_MS ?? subgraphCallDefaults.GATEWAY_SUBGRAPH_TIMEOUT_MS,
  };
}
