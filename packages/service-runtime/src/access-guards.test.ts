import type { Viewer } from '@jobplatform/auth';
import { assertRole, isAdminOrMember, isSelfOrAdmin, requireAdminOrMember, requireRole, requireViewer } from './access-guards.js';

const viewer = (role: Viewer['role'], userId = '7'): Viewer => ({ userId, role, tokenId: 't', sessionId: undefined });
const codeOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
};

it('requireViewer refuses a request without a viewer as UNAUTHENTICATED', () => {
  expect(codeOf(() => requireViewer({ viewer: undefined }))).toBe('UNAUTHENTICATED');
  expect(requireViewer({ viewer: viewer('employer') }).userId).toBe('7');
});

describe('requireRole and assertRole', () => {
  it('let a role in the list through and return the viewer', () => {
    expect(requireRole({ viewer: viewer('admin') }, 'admin').role).toBe('admin');
    expect(assertRole(viewer('employer'), ['employer', 'admin']).role).toBe('employer');
  });

  it('refuse a signed-out caller as UNAUTHENTICATED and another role as FORBIDDEN', () => {
    expect(codeOf(() => requireRole({ viewer: undefined }, 'admin'))).toBe('UNAUTHENTICATED');
    expect(codeOf(() => requireRole({ viewer: viewer('job_seeker') }, 'admin'))).toBe('FORBIDDEN');
  });

  it('say which accounts may, unless given a message', () => {
    expect(() => assertRole(viewer('job_seeker'), ['employer', 'admin'])).toThrow('Only employer and admin accounts can do this');
    expect(() => assertRole(viewer('employer'), 'admin', 'Only admins can verify companies')).toThrow('Only admins can verify companies');
  });
});

it('isSelfOrAdmin: the user themselves or an admin', () => {
  expect(isSelfOrAdmin(viewer('job_seeker', '7'), 7n)).toBe(true);
  expect(isSelfOrAdmin(viewer('admin', '1'), '7')).toBe(true);
  expect(isSelfOrAdmin(viewer('employer', '8'), '7')).toBe(false);
  expect(isSelfOrAdmin(undefined, '7')).toBe(false);
});

describe('membership guards', () => {
  const holding = (role: 'owner' | 'member' | undefined) => async () => role;

  it('let admins through without reading a membership', async () => {
    let reads = 0;
    const membership = async () => {
      reads += 1;
      return undefined;
    };
    expect(await isAdminOrMember(viewer('admin'), membership)).toBe(true);
    expect(reads).toBe(0);
  });

  it('let members through, of the given roles when there are any', async () => {
    expect(await isAdminOrMember(viewer('employer'), holding('member'))).toBe(true);
    expect(await isAdminOrMember(viewer('employer'), holding('member'), ['owner'])).toBe(false);
    expect(await isAdminOrMember(viewer('employer'), holding(undefined))).toBe(false);
    expect(await isAdminOrMember(undefined, holding('owner'))).toBe(false);
  });

  it('refuse anyone else as FORBIDDEN with the message', async () => {
    await expect(requireAdminOrMember(viewer('employer'), holding('member'), { roles: ['owner'], message: 'Owners only' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
      message: 'Owners only',
    });
    await expect(requireAdminOrMember(viewer('employer'), holding('owner'), { roles: ['owner'], message: 'Owners only' })).resolves.toBeUndefined();
  });
});
