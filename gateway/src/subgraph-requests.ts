import http from 'node:http';
import https from 'node:https';
import nodeFetch, { type RequestInit } from 'node-fetch';
import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { CLIENT_IP_HEADER, REQUEST_ID_HEADER } from '@jobplatform/service-runtime';
import type { GatewayContext } from './context.js';

const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 512, keepAliveMsecs: 10_000 });
const httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 512, keepAliveMsecs: 10_000 });

/**
 * Fetch for subgraph calls over pooled keep-alive connections. node-fetch on Node's http agent
 * costs the gateway less CPU per call than the WHATWG fetch built into Node.
 */
export const subgraphFetcher = (url: string, init?: RequestInit) =>
  nodeFetch(url, { ...init, agent: (parsed: URL) => (parsed.protocol === 'https:' ? httpsAgent : httpAgent) });

/**
 * How the gateway calls a subgraph: over keep-alive connections (subgraphFetcher),
 * passing on the caller's bearer token (subgraphs verify it again), the request id for joined
 * logs, and the client address for per-address rate limits.
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const headers = request.http?.headers;
    if (!headers || !context || !('requestId' in context)) return;
    if (context.accessToken) headers.set('authorization', `Bearer ${context.accessToken}`);
    headers.set(REQUEST_ID_HEADER, context.requestId);
    if (context.clientIp) headers.set(CLIENT_IP_HEADER, context.clientIp);
    if (context.userAgent) headers.set('user-agent', context.userAgent);
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
