import { randomHex } from './random-bytes.js';

/** W3C Trace Context (https://www.w3.org/TR/trace-context/): version-traceid-parentid-flags. */
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

export type TraceContext = { traceparent: string; tracestate?: string };

export function isTraceparent(value: string): boolean {
  const match = TRACEPARENT.exec(value);
  return !!match && !/^0+$/.test(match[1]!) && !/^0+$/.test(match[2]!);
}

/** A new trace, for events caused by nothing that carried a trace of its own. */
export function createTraceparent(): string {
  return `00-${randomHex(16)}-${randomHex(8)}-01`;
}

/**
 * A child span of the given trace: same trace id, new parent id. Handlers receive one, so events
 * they write join the trace of the event that caused them.
 */
export function createChildTraceparent(parent: string | undefined): string {
  const match = parent ? TRACEPARENT.exec(parent) : null;
  if (!match || !isTraceparent(parent!)) return createTraceparent();
  return `00-${match[1]}-${randomHex(8)}-${match[3]}`;
}

export function traceIdOf(traceparent: string): string | undefined {
  return TRACEPARENT.exec(traceparent)?.[1];
}
