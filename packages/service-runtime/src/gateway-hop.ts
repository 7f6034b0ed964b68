import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { CLIENT_IP_HEADER, REQUEST_ID_HEADER } from './request-id.js';

/**
 * The gateway's signature on its call to a subgraph: `t=<unix ms>,v1=<hex HMAC-SHA256>`. Subgraphs
 * believe what the gateway forwards (the caller's token, the request id, the client address) only
 * when the signature holds, so a caller that reaches a subgraph directly cannot pose as the gateway.
 */
export const HOP_SIGNATURE_HEADER = 'x-gateway-signature';

/** How old (or how far in the future, for clock skew) a signature may be. */
export const HOP_MAX_AGE_MS = 60_000;

const MIN_SECRET_BYTES = 32;
const VERSION = 'v1';

/** GATEWAY_HOP_SECRET, as the gateway and every subgraph read it. */
export const hopSecretSchema = z
  .string()
  .refine((value) => Buffer.byteLength(value, 'utf8') >= MIN_SECRET_BYTES, `must be at least ${MIN_SECRET_BYTES} bytes (e.g. 32 random bytes in base64)`);

/** What a signature covers: the call's target, its forwarded identity and its body. */
export type HopRequest = {
  method: string;
  /** Path and query string as sent (`/graphql`). */
  path: string;
  authorization: string | undefined;
  requestId: string | undefined;
  clientIp: string | undefined;
  body: string | Uint8Array;
};

export type HopVerdict = { signed: true } | { signed: false; problem: 'missing' } | { signed: false; problem: 'malformed' | 'mismatch' | 'stale' };

// One field per line: header values cannot hold a line break, so no two requests share a text.
function canonicalText(request: HopRequest, timestamp: number): string {
  return [
    VERSION,
    request.method.toUpperCase(),
    request.path,
    String(timestamp),
    request.authorization ?? '',
    request.requestId ?? '',
    request.clientIp ?? '',
    createHash('sha256').update(request.body).digest('hex'),
  ].join('\n');
}

function mac(secret: string, request: HopRequest, timestamp: number): string {
  return createHmac('sha256', secret).update(canonicalText(request, timestamp)).digest('hex');
}

/** The value of the signature header for one call. */
export function signHop(secret: string, request: HopRequest, now = Date.now()): string {
  return `t=${now},${VERSION}=${mac(secret, request, now)}`;
}

/** Checks a call's signature header against the shared secret. */
export function verifyHop(secret: string, header: string | undefined, request: HopRequest, now = Date.now()): HopVerdict {
  if (!header) return { signed: false, problem: 'missing' };
  const match = /^t=(\d{1,16}),v1=([0-9a-f]{64})$/.exec(header);
  if (!match) return { signed: false, problem: 'malformed' };
  const timestamp = Number(match[1]);
  const expected = Buffer.from(mac(secret, request, timestamp), 'hex');
  if (!timingSafeEqual(expected, Buffer.from(match[2]!, 'hex'))) return { signed: false, problem: 'mismatch' };
  if (Math.abs(now - timestamp) > HOP_MAX_AGE_MS) return { signed: false, problem: 'stale' };
  return { signed: true };
}

type HeaderSource = Record<string, string | string[] | undefined>;

function single(headers: HeaderSource, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The forwarded headers a signature covers, read from lower-cased header names. */
export function hopHeadersOf(headers: HeaderSource): Pick<HopRequest, 'authorization' | 'requestId' | 'clientIp'> {
  return { authorization: single(headers, 'authorization'), requestId: single(headers, REQUEST_ID_HEADER), clientIp: single(headers, CLIENT_IP_HEADER) };
}
