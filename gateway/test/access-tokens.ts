import type { KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';

/** An access token as users issues it, signed with `key`, expiring at `expiresAt` (seconds). */
export function mintAccessToken(key: KeyObject, userId: string, expiresAt: number): Promise<string> {
  return new SignJWT({ role: 'job_seeker' })
    .setProtectedHeader({ alg: 'EdDSA' })
    .setSubject(userId)
    .setIssuer('jobplatform-users')
    .setAudience('jobplatform')
    .setJti(`gateway-test-${Date.now()}-${Math.random().toString(36).slice(2)}`)
    .setIssuedAt()
    .setExpirationTime(expiresAt)
    .sign(key);
}
