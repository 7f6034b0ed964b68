import type { Logger } from '@jobplatform/config';
import type { Role, Viewer } from '@jobplatform/auth';
import { AppError } from './errors.js';

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

export function requireViewer(context: Pick<RequestContext, 'viewer'>): Viewer {
  if (!context.viewer) throw new AppError('UNAUTHENTICATED', 'Sign in first: send an access token as "Authorization: Bearer <token>"');
  return context.viewer;
}

export function requireRole(context: Pick<RequestContext, 'viewer'>, ...roles: Role[]): Viewer {
  const viewer = requireViewer(context);
  if (!roles.includes(viewer.role)) {
    throw new AppError('FORBIDDEN', `This needs one of these roles: ${roles.join(', ')}`);
  }
  return viewer;
}
