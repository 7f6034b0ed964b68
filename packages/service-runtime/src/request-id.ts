import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export const REQUEST_ID_HEADER = 'x-request-id';
/** Set by the gateway to the address its client connected from; subgraphs sit behind it. */
export const CLIENT_IP_HEADER = 'x-client-ip';

/** Reuses a caller's request id when it looks like one, so logs join across services. */
export function requestIdFrom(headers: IncomingHttpHeaders): string {
  const given = headers[REQUEST_ID_HEADER];
  const value = Array.isArray(given) ? given[0] : given;
  return value && /^[\w.-]{8,128}$/.test(value) ? value : randomUUID();
}

export function clientIpFrom(headers: IncomingHttpHeaders, socketAddress: string | undefined): string | undefined {
  const given = headers[CLIENT_IP_HEADER];
  const value = Array.isArray(given) ? given[0] : given;
  if (value && value.length <= 45 && /^[0-9a-fA-F.:]+$/.test(value)) return value;
  return socketAddress?.replace(/^::ffff:/, '');
}
