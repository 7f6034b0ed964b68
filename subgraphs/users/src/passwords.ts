import { hash, verify, type Algorithm } from '@node-rs/argon2';
import { invalidInput } from '@jobplatform/service-runtime';

/** Algorithm.Argon2id; the package exports a const enum, which isolated modules cannot read. */
const ARGON2ID = 2 as Algorithm;

export type PasswordCost = { memoryKiB: number; timeCost: number };

export const MIN_PASSWORD_LENGTH = 10;
/** Longer input only costs hashing time; no real passphrase needs more. */
export const MAX_PASSWORD_LENGTH = 256;

export type PasswordHasher = {
  hash(password: string): Promise<string>;
  verify(stored: string, password: string): Promise<boolean>;
  /** Burns the same time as a real verification, so unknown emails answer as slowly as known ones. */
  verifyAgainstDummy(password: string): Promise<void>;
};

export function createPasswordHasher(cost: PasswordCost): PasswordHasher {
  const options = { algorithm: ARGON2ID, memoryCost: cost.memoryKiB, timeCost: cost.timeCost, parallelism: 1 };
  const dummy = hash('not-a-real-password-000', options);
  return {
    hash: (password) => hash(password, options),
    verify: async (stored, password) => verify(stored, password).catch(() => false),
    verifyAgainstDummy: async (password) => {
      await verify(await dummy, password).catch(() => false);
    },
  };
}

/** The password policy: length bounds, and not the account's own username or email. */
export function assertPasswordPolicy(password: string, account: { username: string; email: string }, field = 'password'): void {
  const problems: string[] = [];
  if (password.length < MIN_PASSWORD_LENGTH) problems.push(`must be at least ${MIN_PASSWORD_LENGTH} characters`);
  if (password.length > MAX_PASSWORD_LENGTH) problems.push(`must be at most ${MAX_PASSWORD_LENGTH} characters`);
  const lowered = password.toLowerCase();
  if (lowered === account.username.toLowerCase()) problems.push('must not be the username');
  if (lowered === account.email.toLowerCase()) problems.push('must not be the email address');
  if (problems.length > 0) throw invalidInput(problems.map((message) => ({ field, message })));
}
