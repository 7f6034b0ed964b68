import http from 'node:http';
import https from 'node:https';
import { Kind, parse, type GraphQLFormattedError, type OperationDefinitionNode } from 'graphql';
import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { Logger } from '@jobplatform/config';
import { CLIENT_IP_HEADER, ErrorCode, HOP_SIGNATURE_HEADER, REQUEST_ID_HEADER, signHop } from '@jobplatform/service-runtime';
import type { GatewayContext } from './context.js';
import type { AnsweredCalls } from './single-fetch.js';

/**
 * A keep-alive socket left idle this long is closed by the gateway. It is shorter than a subgraph's
 * own keep-alive timeout (65 s, http-app.ts), so the gateway never sends a call on a socket that the
 * subgraph is closing at that moment.
 */
const IDLE_SOCKET_MS = 30_000;

/**
 * Connections the gateway keeps to one subgraph, at most; a call that finds them all busy waits for
 * the next free one (first come, first served) instead of opening another. When calls pile up for
 * a moment (a pause in either process), a pool of 512 opened hundreds of sockets at once, and a
 * subgraph under load took seconds to accept them and read their first requests: in
 * bench:subscriptions, calls on those new sockets waited up to 9 s before notifications saw them,
 * while calls on open sockets waited milliseconds. Too small a pool throttles instead: with 64, on a
 * loaded machine (each call about 110 ms on its socket), 500 events/s left a queue of 2,000 calls
 * that never drained. 128 is twice that, and above what the HTTP benchmarks ask of one subgraph
 * (50 clients).
 */
export const MAX_SOCKETS_PER_SUBGRAPH = 128;

/** What a data source answers the query planner with. */
type GatewayGraphQLResponse = Awaited<ReturnType<GraphQLDataSource['process']>>;

export type SubgraphCalls = { hopSecret: string | undefined; timeoutMs: number };

/** A subgraph's answer to one call, whatever its status. */
export type SubgraphAnswer = { status: number; contentType: string | undefined; body: string };

/** A call that got no answer: none within the timeout, or the subgraph could not be reached. */
export class SubgraphCallError extends Error {
  constructor(
    readonly reason: 'timeout' | 'unreachable',
    readonly code?: string,
  ) {
    super(reason === 'timeout' ? 'no answer within the timeout' : `could not be reached${code ? ` (${code})` : ''}`);
    this.name = 'SubgraphCallError';
  }
}

/** POSTs to subgraphs, signed; close() ends its pooled connections. */
export type SubgraphClient = {
  post(url: string, body: string, headers: Record<string, string>, options?: { timeoutMs?: number }): Promise<SubgraphAnswer>;
  close(): void;
};

/**
 * The gateway's HTTP client for subgraph calls: Node's http module over pooled keep-alive
 * connections, with no fetch layer between (no Request, Headers or AbortSignal objects per call:
 * each cost the gateway CPU on every call). Each call is signed with the hop secret and given up
 * after timeoutMs by a timer that is cleared when the answer has arrived; a call given up destroys
 * its socket, so a subgraph that hangs leaves no dead connection in the pool for the next call.
 */
export function createSubgraphClient({ hopSecret, timeoutMs }: SubgraphCalls): SubgraphClient {
  // Every socket of the pool stays open while idle (maxFreeSockets) and calls take the free socket
  // idle longest (fifo), so that at a steady rate the whole pool stays warm: a burst then finds
  // open connections rather than opening new ones (lifo, Node's default, keeps a few busy and lets
  // the rest close after IDLE_SOCKET_MS). IDLE_SOCKET_MS, shorter than the subgraphs' keep-alive,
  // keeps fifo from picking a socket the subgraph is closing.
  const agentOptions: http.AgentOptions = {
    keepAlive: true,
    maxSockets: MAX_SOCKETS_PER_SUBGRAPH,
    maxFreeSockets: MAX_SOCKETS_PER_SUBGRAPH,
    scheduling: 'fifo',
    keepAliveMsecs: 10_000,
    timeout: IDLE_SOCKET_MS,
  };
  const httpAgent = new http.Agent(agentOptions);
  const httpsAgent = new https.Agent(agentOptions);
  const targets = new Map<string, URL>();
  const post: SubgraphClient['post'] = (url, body, headers, options = {}) => {
    let target = targets.get(url);
    if (!target) targets.set(url, (target = new URL(url)));
    const path = `${target.pathname}${target.search}`;
    const outgoing: Record<string, string> = { ...headers, 'content-length': String(Buffer.byteLength(body)) };
    if (hopSecret) {
      outgoing[HOP_SIGNATURE_HEADER] = signHop(hopSecret, {
        method: 'POST',
        path,
        authorization: headers.authorization,
        requestId: headers[REQUEST_ID_HEADER],
        clientIp: headers[CLIENT_IP_HEADER],
        body,
      });
    }
    const secure = target.protocol === 'https:';
    return new Promise<SubgraphAnswer>((resolve, reject) => {
      const request = (secure ? https : http).request({
        host: target.hostname,
        port: target.port || (secure ? 443 : 80),
        path,
        method: 'POST',
        headers: outgoing,
        agent: secure ? httpsAgent : httpAgent,
      });
      const timer = setTimeout(() => request.destroy(new SubgraphCallError('timeout')), options.timeoutMs ?? timeoutMs);
      const fail = (error: Error) => {
        clearTimeout(timer);
        reject(error instanceof SubgraphCallError ? error : new SubgraphCallError('unreachable', (error as NodeJS.ErrnoException).code));
      };
      request.on('error', fail);
      request.on('response', (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        // A call given up (or a connection lost) while the body was coming in.
        response.on('error', fail);
        response.on('end', () => {
          clearTimeout(timer);
          resolve({ status: response.statusCode ?? 0, contentType: response.headers['content-type'], body: Buffer.concat(chunks).toString('utf8') });
        });
      });
      request.end(body);
    });
  };
  return {
    post,
    close() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}

/**
 * Why a call failed, in words for the client; whether the subgraph's own errors say more; what else
 * the log should keep when it is something other than a subgraph being down or slow.
 */
class SubgraphFailure extends Error {
  constructor(
    readonly problem: string,
    readonly subgraphErrors?: GraphQLFormattedError[],
    readonly unexpected?: string,
  ) {
    super(problem);
  }
}

function isGraphQLErrorList(value: unknown): value is GraphQLFormattedError[] {
  return Array.isArray(value) && value.length > 0 && value.every((e) => typeof e === 'object' && e !== null && typeof (e as { message?: unknown }).message === 'string');
}

const JSON_TYPES = ['application/json', 'application/graphql-response+json'];

/** The subgraph's GraphQL response, or a SubgraphFailure saying why the answer is not one. */
function responseOf(answer: SubgraphAnswer, service: string, loggerOf: () => Logger): GatewayGraphQLResponse {
  let body: unknown;
  let unreadable: string | undefined;
  if (answer.contentType && JSON_TYPES.some((type) => answer.contentType!.startsWith(type))) {
    try {
      body = JSON.parse(answer.body);
    } catch (error) {
      unreadable = `invalid JSON: ${(error as Error).message}`;
    }
  } else {
    unreadable = `content type ${answer.contentType ?? 'none'}: ${answer.body.slice(0, 200)}`;
  }
  if (answer.status < 200 || answer.status >= 300) {
    const errors = (body as { errors?: unknown } | undefined)?.errors;
    if (!isGraphQLErrorList(errors)) throw new SubgraphFailure(`answered HTTP ${answer.status}`);
    if (errors[0]!.extensions?.reason === 'GATEWAY_SIGNATURE') {
      loggerOf().error(
        { service, message: errors[0]!.message },
        `${service} refused the gateway's signature: GATEWAY_HOP_SECRET must be the same at the gateway and every subgraph`,
      );
      throw new SubgraphFailure('refused the call');
    }
    // The subgraph refused the operation itself (an expired token, a limit): its errors say why.
    throw new SubgraphFailure(`answered HTTP ${answer.status}`, errors);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new SubgraphFailure('sent an answer that could not be read', undefined, unreadable ?? 'not a JSON object');
  return body as GatewayGraphQLResponse;
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
 * How the gateway calls a subgraph (over createSubgraphClient), passing on the caller's bearer
 * token (subgraphs verify it again), the request id for joined logs, and the client address for
 * per-address rate limits, all covered by the hop signature.
 *
 * A subgraph that fails (down, hanging past the timeout, answering garbage) costs only its own
 * fields: the call answers with an error at each place its data would have gone, and the gateway
 * returns what the other subgraphs sent. Where the schema makes a missing field non-null, the null
 * travels up to the nearest nullable field, as GraphQL requires.
 */
export class SubgraphDataSource implements GraphQLDataSource<GatewayContext> {
  constructor(
    private readonly subgraph: { name: string; url: string; timeoutMs: number; logger: Logger },
    private readonly client: SubgraphClient,
    /** Answers already received for a request's call (single-fetch.ts), given back instead of calling again. */
    private readonly answered?: AnsweredCalls,
  ) {}

  async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayGraphQLResponse> {
    const { request } = options;
    const kept = 'incomingRequestContext' in options ? this.answered?.take(options.context, request.query) : undefined;
    if (kept) return kept;
    const context = 'requestId' in options.context ? (options.context as GatewayContext) : undefined;
    const headers: Record<string, string> = {};
    // What the query planner asks for on this call (e.g. a trace header).
    for (const [name, value] of request.http?.headers ?? []) headers[name.toLowerCase()] = value;
    headers['content-type'] = 'application/json';
    if (context) {
      if (context.accessToken) headers.authorization = `Bearer ${context.accessToken}`;
      headers[REQUEST_ID_HEADER] = context.requestId;
      if (context.clientIp) headers[CLIENT_IP_HEADER] = context.clientIp;
      if (context.userAgent) headers['user-agent'] = context.userAgent;
    }
    const { name, url, timeoutMs } = this.subgraph;
    // Asked for only when something is logged: the context's request logger is a pino child made on
    // first use, and most calls log nothing.
    const loggerOf = () => context?.logger ?? this.subgraph.logger;
    try {
      const body = JSON.stringify({ query: request.query, variables: request.variables, operationName: request.operationName, extensions: request.extensions });
      return responseOf(await this.client.post(url, body, headers), name, loggerOf);
    } catch (error) {
      const failure =
        error instanceof SubgraphFailure
          ? error
          : error instanceof SubgraphCallError && error.reason === 'timeout'
            ? new SubgraphFailure(`did not answer within ${timeoutMs} ms`)
            : error instanceof SubgraphCallError
              ? new SubgraphFailure(error.message)
              : new SubgraphFailure('could not be called', undefined, String(error));
      loggerOf().warn({ service: name, problem: failure.problem, ...(failure.unexpected ? { detail: failure.unexpected } : {}) }, `call to the ${name} subgraph failed`);
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
