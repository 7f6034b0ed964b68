import type { Logger } from '@jobplatform/config';
import type { Viewer } from '@jobplatform/auth';

/** What every resolver knows about the request, whatever the service. */
export type RequestContext = {
  requestId: string;
  clientIp: string | undefined;
  userAgent: string | undefined;
  /** Present when the request carried a valid access token. */
  viewer: Viewer | undefined;
  /** The raw bearer token, to forward to another service when needed. */
  accessToken: string | undefined;
  logger: Logger;
};

// index.ts exports these two guards from here; every guard is in access-guards.ts.
export { requireRole, requireViewer } from './access-guards.js';
