import http from 'node:http';
import https from 'node:https';
import { Kind, parse, type GraphQLFormattedError, type OperationDefinitionNode } from 'graphql';
import nodeFetch, { Headers, type RequestInit, type Response } from 'node-fetch';
import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { Logger } from '@jobplatform/config';
import { CLIENT_IP_HEADER, ErrorCode, HOP_SIGNATURE_HEADER, REQUEST_ID_HEADER, signHop } from '@jobplatform/service-runtime';
import type { GatewayContext } from './context.js';

/**
 * A keep-alive socket left idle this long is closed by the gateway. It is shorter than a subgraph's
 * own keep-alive timeout (65 s, http-app.ts), so the gateway never sends a call on a socket that the
 * subgraph is closing at that moment.
 */
const IDLE_SOCKET_MS = 30_000;

export type SubgraphCalls = { hopSecret: string | undefined; timeoutMs: number };

/** fetch for subgraph calls; close() ends its pooled connections. */
export type SubgraphFetcher = ((url: string, init?: RequestInit) => Promise<Response>) & { close(): void };

function bodyText(body: RequestInit['body']): string {
  if (body === undefined || body === null) return '';
  if (typeof body === 'string') return body;
  throw new Error('Subgraph calls send their body as a string, which the hop signature covers');
}

/**
 * Fetch for subgraph calls, over pooled keep-alive connections (node-fetch on Node's http agent
 * costs the gateway less CPU per call than Node's built-in fetch). Each call is signed with the hop
 * secret and aborted after timeoutMs; an aborted call's socket is destroyed, not returned to the
 * pool, so a subgraph that hangs leaves no dead connection behind for the next call.
 */
export function createSubgraphFetcher({ hopSecret, timeoutMs }: SubgraphCalls): SubgraphFetcher {
  const agentOptions = { keepAlive: true, maxSockets: 512, keepAliveMsecs: 10_000, timeout: IDLE_SOCKET_MS };
  const httpAgent = new http.Agent(agentOptions);
  const httpsAgent = new https.Agent(agentOptions);
  const fetcher = (url: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    if (hopSecret) {
      const target = new URL(url);
      const signature = signHop(hopSecret, {
        method: init.method ?? 'GET',
        path: `${target.pathname}${target.search}`,
        authorization: headers.get('authorization') ?? undefined,
        requestId: headers.get(REQUEST_ID_HEADER) ?? undefined,
        clientIp: headers.get(CLIENT_IP_HEADER) ?? undefined,
        body: bodyText(init.body),
      });
      headers.set(HOP_SIGNATURE_HEADER, signature);
    }
    const deadline = AbortSignal.timeout(timeoutMs);
    const signal = init.signal ? AbortSignal.any([init.signal as AbortSignal, deadline]) : deadline;
    return nodeFetch(url, {
      ...init,
      headers,
      signal: signal as RequestInit['signal'],
      agent: (parsed: URL) => (parsed.protocol === 'https:' ? httpsAgent : httpAgent),
    });
  };
  return Object.assign(fetcher, {
    close() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  });
}

type SubgraphResponse = Awaited<ReturnType<RemoteGraphQLDataSource['process']>>;

/**
 * Why a call failed, in words for the client; whether the subgraph's own errors say more; whether
 * it is something other than a subgraph being down or slow (then the log keeps the whole error).
 */
type Failure = { problem: string; subgraphErrors?: GraphQLFormattedError[]; unexpected?: true };

function isGraphQLErrorList(value: unknown): value is GraphQLFormattedError[] {
  return Array.isArray(value) && value.length > 0 && value.every((e) => typeof e === 'object' && e !== null && typeof (e as { message?: unknown }).message === 'string');
}

function failureOf(error: unknown, timeoutMs: number, logger: Logger | undefined, service: string): Failure {
  const failure = error as { name?: string; type?: string; code?: string; extensions?: { response?: { status?: number; body?: unknown } } };
  if (failure.name === 'AbortError' || failure.type === 'aborted') return { problem: `did not answer within ${timeoutMs} ms` };
  if (failure.type === 'system') return { problem: `could not be reached${failure.code ? ` (${failure.code})` : ''}` };
  const response = failure.extensions?.response;
  if (response?.status) {
    const errors = (response.body as { errors?: unknown } | undefined)?.errors;
    if (!isGraphQLErrorList(errors)) return { problem: `answered HTTP ${response.status}` };
    if (errors[0]!.extensions?.reason === 'GATEWAY_SIGNATURE') {
      logger?.error({ service, message: errors[0]!.message }, `${service} refused the gateway's signature: GATEWAY_HOP_SECRET must be the same at the gateway and every subgraph`);
      return { problem: 'refused the call' };
    }
    // The subgraph refused the operation itself (an expired token, a limit): its errors say why.
    return { problem: `answered HTTP ${response.status}`, subgraphErrors: errors };
  }
  return { problem: 'sent an answer that could not be read', unexpected: true };
}

/**
 * Where the fields a failed call would have filled sit in the subgraph's own response: each entity
 * of an entity fetch (`_entities.<i>`, which the gateway maps to the entity's place in the client's
 * response), or each root field of a root fetch.
 */
function missingPaths(options: GraphQLDataSourceProcessOptions<GatewayContext>): (string | number)[][] {
  if (!('incomingRequestContext' in options)) return [];
  const representations = options.request.variables?.representations;
  if (Array.isArray(representations)) return representations.map((_, index) => ['_entities', index]);
  const document = options.document ?? (options.request.query ? parse(options.request.query) : undefined);
  const operation = document?.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  return (operation?.selectionSet.selections ?? []).flatMap((selection) =>
    selection.kind === Kind.FIELD && selection.name.value !== '__typename' ? [[selection.alias?.value ?? selection.name.value]] : [],
  );
}

/**
 * How the gateway calls a subgraph: over keep-alive connections (createSubgraphFetcher), passing
 * on the caller's bearer token (subgraphs verify it again), the request id for joined logs, and the
 * client address for per-address rate limits, all covered by the hop signature.
 *
 * A subgraph that fails (down, hanging past the timeout, answering garbage) costs only its own
 * fields: the call answers with an error at each place its data would have gone, and the gateway
 * returns what the other subgraphs sent. Where the schema makes a missing field non-null, the null
 * travels up to the nearest nullable field, as GraphQL requires.
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    private readonly subgraph: { name: string; timeoutMs: number; logger: Logger },
    config: { url: string | undefined; fetcher: SubgraphFetcher },
  ) {
    super({ ...(config.url ? { url: config.url } : {}), fetcher: config.fetcher as never });
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const headers = request.http?.headers;
    if (!headers || !context || !('requestId' in context)) return;
    if (context.accessToken) headers.set('authorization', `Bearer ${context.accessToken}`);
    headers.set(REQUEST_ID_HEADER, context.requestId);
    if (context.clientIp) headers.set(CLIENT_IP_HEADER, context.clientIp);
    if (context.userAgent) headers.set('user-agent', context.userAgent);
  }

  override async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<SubgraphResponse> {
    try {
      return await super.process(options);
    } catch (error) {
      const { name, timeoutMs } = this.subgraph;
      const logger = ('requestId' in options.context ? (options.context as GatewayContext).logger : undefined) ?? this.subgraph.logger;
      const failure = failureOf(error, timeoutMs, logger, name);
      logger.warn({ service: name, problem: failure.problem, ...(failure.unexpected ? { err: error } : {}) }, `call to the ${name} subgraph failed`);
      if (failure.subgraphErrors) return { errors: failure.subgraphErrors };
      const missing: GraphQLFormattedError = {
        message: `The ${name} service ${failure.problem}; the fields it serves are missing here. Try again shortly.`,
        extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
      };
      const paths = missingPaths(options);
      return { errors: paths.length > 0 ? paths.map((path) => ({ ...missing, path })) : [missing] };
    }
  }
}

/** The subgraphs a supergraph routes to, from its join__Graph enum. */
export function subgraphsOf(supergraphSdl: string): { name: string; url: string }[] {
  const found: { name: string; url: string }[] = [];
  for (const match of supergraphSdl.matchAll(/@join__graph\(name:\s*"([^"]+)",\s*url:\s*"([^"]+)"\)/g)) {
    found.push({ name: match[1]!, url: match[2]! });
  }
  return found;
}
