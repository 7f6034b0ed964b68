import type { Role, Viewer } from '@jobplatform/auth';
import { AppError } from './errors.js';
import type { RequestContext } from './request-context.js';

const roleNames: Record<Role, string> = { job_seeker: 'job seeker', employer: 'employer', admin: 'admin' };

const listOf = (roles: readonly Role[]) => {
  const names = roles.map((role) => roleNames[role]);
  return names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names.at(-1)}` : (names[0] ?? '');
};

/**
 * `Query.me` in a service other than users: the signed-in viewer as a reference to their User, or
 * null without a valid token. Every service that adds fields to User declares `me` @shareable, so
 * that the gateway answers `me { id notifications }` with one call to notifications instead of a
 * call to users first. It agrees with users' `me`, which is null also for an account that is gone:
 * deleting an account revokes its tokens (every service reads the revocations about once a second).
 */
export function viewerAsUser(context: Pick<RequestContext, 'viewer'>): { id: string } | null {
  return context.viewer ? { id: context.viewer.userId } : null;
}

/** The signed-in viewer, or UNAUTHENTICATED. */
export function requireViewer(context: Pick<RequestContext, 'viewer'>): Viewer {
  if (!context.viewer) throw new AppError('UNAUTHENTICATED', 'Sign in first: send an access token as "Authorization: Bearer <token>"');
  return context.viewer;
}

/**
 * The viewer when their role is one of `roles`, or FORBIDDEN with `message` (by default "Only
 * employer and admin accounts can do this"). For a viewer already in hand, such as the one a service
 * re-reads inside its transaction.
 */
export function assertRole(viewer: Viewer, roles: Role | readonly Role[], message?: string): Viewer {
  const allowed: readonly Role[] = typeof roles === 'string' ? [roles] : roles;
  if (!allowed.includes(viewer.role)) throw new AppError('FORBIDDEN', message ?? `Only ${listOf(allowed)} accounts can do this`);
  return viewer;
}

/** The signed-in viewer when their role is one of `roles`: `requireRole(ctx, 'admin')`. */
export function requireRole(context: Pick<RequestContext, 'viewer'>, roles: Role | readonly Role[], message?: string): Viewer {
  return assertRole(requireViewer(context), roles, message);
}

export function isAdmin(viewer: Viewer | undefined): boolean {
  return viewer?.role === 'admin';
}

/** Whether the viewer is the user `userId` (their own data) or an admin. */
export function isSelfOrAdmin(viewer: Viewer | undefined, userId: string | bigint): boolean {
  return viewer !== undefined && (viewer.userId === userId.toString() || viewer.role === 'admin');
}

/**
 * Whether the viewer is an admin, or holds one of `roles` (any, when left out) in the thing a
 * membership is of: a company, a team. `membership` reads the viewer's role there, undefined when
 * they have none; it is not called for admins.
 */
export async function isAdminOrMember<MemberRole extends string>(
  viewer: Viewer | undefined,
  membership: () => Promise<MemberRole | undefined>,
  roles?: readonly MemberRole[],
): Promise<boolean> {
  if (!viewer) return false;
  if (viewer.role === 'admin') return true;
  const held = await membership();
  return held !== undefined && (roles === undefined || roles.includes(held));
}

/** As isAdminOrMember, or FORBIDDEN with `message`. */
export async function requireAdminOrMember<MemberRole extends string>(
  viewer: Viewer,
  membership: () => Promise<MemberRole | undefined>,
  options: { roles?: readonly MemberRole[]; message: string },
): Promise<void> {
  if (!(await isAdminOrMember(viewer, membership, options.roles))) throw new AppError('FORBIDDEN', options.message);
}
