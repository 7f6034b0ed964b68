import type { RequestContext } from '@jobplatform/service-runtime';

/** Per-request state at the gateway: who is asking, and what to pass on to subgraphs. */
export type GatewayContext = RequestContext;
