import { AppError, invalidField, rethrowPrismaError, validateInput } from '@jobplatform/service-runtime';
import type { Role } from '@jobplatform/auth';
import type { Logger } from '@jobplatform/config';
import type { Prisma } from './generated/prisma/client.js';
import type { UsersDb, UserRow } from './db.js';
import type { AccountErasure } from './account-erasure.js';
import type { AccountMailer } from './account-mails.js';
import { recordAudit, type RequestOrigin } from './audit.js';
import type { FieldCipher } from './field-encryption.js';
import { addressBlockOf, assertLoginAllowed, assertRegistrationAllowed, type LoginThrottlePolicy, type RegistrationLimit } from './login-throttle.js';
import { assertPasswordPolicy, type PasswordHasher } from './passwords.js';
import { createSecretToken, EMAIL_VERIFICATION_TTL_MS, hashSecretToken, PASSWORD_RESET_TTL_MS } from './secret-tokens.js';
import { openSession, revokeAllSessions, revokeFamily, rotateRefreshToken } from './sessions.js';
import type { AccessTokenSigner } from './signing-keys.js';
import type { UserEventSink } from './user-events.js';
import { emailSchema, registerInputSchema, secretTokenSchema, updateProfileInputSchema } from './validation.js';

export type AccountDeps = {
  db: UsersDb;
  hasher: PasswordHasher;
  signer: AccessTokenSigner;
  cipher: FieldCipher;
  events: UserEventSink;
  /** Queues the verification and reset mails, which users' courier sends. */
  mailer: AccountMailer;
  erasure: Pick<AccountErasure, 'start'>;
  throttle: LoginThrottlePolicy;
  registrationLimit: RegistrationLimit;
  logger: Logger;
  now?: () => Date;
};

export type SignedIn = { accessToken: string; refreshToken: string; user: UserRow };

/** At most this many reset emails per account per hour, so the endpoint cannot be used to spam. */
const MAX_RESET_REQUESTS_PER_HOUR = 3;
/** At most this many verification emails per account per hour, the one sent at registration included. */
const MAX_VERIFICATION_REQUESTS_PER_HOUR = 3;
const HOUR_MS = 60 * 60 * 1000;

const invalidCredentials = () => new AppError('UNAUTHENTICATED', 'The email or password is incorrect');

/** The account rules of the users service, free of GraphQL. */
export function createAccountService(deps: AccountDeps) {
  const { db, hasher, signer, cipher, events } = deps;
  const now = deps.now ?? (() => new Date());

  async function signIn(tx: Prisma.TransactionClient, user: UserRow, origin: RequestOrigin, at: Date) {
    const session = await openSession(tx, user.id, origin, at);
    const accessToken = await signer.sign({ id: user.id, role: user.userType as Role, sessionId: session.familyId, username: user.username });
    return { accessToken, refreshToken: session.refreshToken };
  }

  /** Issues a one-time token and queues the mail that carries it, the only place the token goes. */
  async function issueOneTimeToken(tx: Prisma.TransactionClient, user: UserRow, tokenType: 'email_verification' | 'password_reset', at: Date) {
    const { token, hash } = createSecretToken();
    const expiresAt = new Date(at.getTime() + (tokenType === 'email_verification' ? EMAIL_VERIFICATION_TTL_MS : PASSWORD_RESET_TTL_MS));
    // Only the newest token of a kind stays usable.
    await tx.userVerificationToken.updateMany({ where: { userId: user.id, tokenType, usedAt: null }, data: { usedAt: at } });
    await tx.userVerificationToken.create({ data: { userId: user.id, token: hash, tokenType, expiresAt } });
    await deps.mailer.queue(tx, tokenType, user, token);
  }

  /** Marks a one-time token used and returns its user; the conditional update makes it single-use under races. */
  type TokenType = 'email_verification' | 'password_reset';
  const tokenLabel = (tokenType: TokenType) => (tokenType === 'email_verification' ? 'verification' : 'reset');

  /** The presented token's row, if it is of this type, unused, unexpired and its account active; refuses it otherwise. */
  async function usableOneTimeToken(reader: Pick<Prisma.TransactionClient, 'userVerificationToken'>, presented: string, tokenType: TokenType, at: Date) {
    const token = validateInput(secretTokenSchema, presented, 'token');
    const row = await reader.userVerificationToken.findUnique({ where: { token: hashSecretToken(token) }, include: { user: true } });
    const label = tokenLabel(tokenType);
    if (!row || row.tokenType !== tokenType || !row.user.isActive) throw new AppError('BAD_USER_INPUT', `The ${label} token is not valid`);
    if (row.usedAt) throw new AppError('BAD_USER_INPUT', `The ${label} token was already used; request a new one`);
    if (row.expiresAt <= at) throw new AppError('BAD_USER_INPUT', `The ${label} token has expired; request a new one`);
    return row;
  }

  /**
   * Whether a password check (sign-in, password change, account deletion) must be refused, before
   * any hashing, because the account or the address has failed too often lately; a refusal is
   * audited with `writer` (the sign-in's transaction, which commits it with its outcome).
   */
  async function throttleRefusal(writer: Prisma.TransactionClient | UsersDb, email: string, origin: RequestOrigin, at: Date): Promise<AppError | undefined> {
    const refusal = await assertLoginAllowed(writer, deps.throttle, email, origin.clientIp, at).then(
      () => undefined,
      (error: AppError) => error,
    );
    if (refusal) await recordAudit(writer, 'login_throttled', origin, { subject: email });
    return refusal;
  }

  async function throttled(email: string, origin: RequestOrigin): Promise<void> {
    const refusal = await throttleRefusal(db, email, origin, now());
    if (refusal) throw refusal;
  }

  /** Refuses a registration from an address that made too many accounts lately, and audits the refusal. */
  async function registrationAllowed(reader: Prisma.TransactionClient | UsersDb, origin: RequestOrigin, at: Date): Promise<void> {
    try {
      await assertRegistrationAllowed(reader, deps.registrationLimit, origin.clientIp, at);
    } catch (error) {
      // Outside the registration's transaction, which the refusal rolls back.
      await recordAudit(db, 'registration_throttled', origin);
      throw error;
    }
  }

  async function consumeOneTimeToken(tx: Prisma.TransactionClient, presented: string, tokenType: TokenType, at: Date) {
    const row = await usableOneTimeToken(tx, presented, tokenType, at);
    const label = tokenLabel(tokenType);
    const claimed = await tx.userVerificationToken.updateMany({ where: { id: row.id, usedAt: null }, data: { usedAt: at } });
    if (claimed.count === 0) throw new AppError('BAD_USER_INPUT', `The ${label} token was already used; request a new one`);
    return row.user;
  }

  /**
   * An account being erased keeps its username and email until the saga completes (the row is a
   * tombstone from then on, and both are free again); meanwhile a registration is told so.
   */
  async function assertAvailable(username: string, email: string, excludeId?: bigint) {
    const taken = await db.$queryRaw<{ username: boolean; email: boolean; erasing: boolean }[]>`
      SELECT lower(username) = lower(${username}) AS username, email = ${email} AS email, deletion_requested_at IS NOT NULL AS erasing
      FROM users WHERE (lower(username) = lower(${username}) OR email = ${email}) AND id <> ${excludeId ?? -1n}`;
    const fields = (['username', 'email'] as const).filter((field) => taken.some((row) => row[field]));
    if (fields.length === 0) return;
    const verb = fields.length > 1 ? 'are' : 'is';
    if (taken.every((t) => t.erasing)) {
      throw new AppError('CONFLICT', `That ${fields.join(' and ')} ${verb} held by an account that is being deleted; it can be used again once the deletion has completed`, {
        fields: fields.map((field) => ({ field: `input.${field}`, message: 'belongs to an account that is being deleted' })),
      });
    }
    throw new AppError('CONFLICT', `That ${fields.join(' and ')} ${verb} already taken`, {
      fields: fields.map((field) => ({ field: `input.${field}`, message: 'is already taken' })),
    });
  }

  async function createUser(
    input: { username: string; email: string; password: string; firstName?: string | null; lastName?: string | null },
    userType: Role,
    origin: RequestOrigin,
  ) {
    assertPasswordPolicy(input.password, input, 'input.password');
    await assertAvailable(input.username, input.email);
    // Checked before the hash (a refused flood costs no argon2), and again under a lock on the
    // address inside the transaction, so that registrations sent in parallel are all counted.
    await registrationAllowed(db, origin, now());
    const passwordHash = await hasher.hash(input.password);
    const at = now();
    try {
      return await db.$transaction(async (tx) => {
        const block = addressBlockOf(origin.clientIp);
        if (block) {
          await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`register:${block}`}, 0))`;
          await registrationAllowed(tx, origin, at);
        }
        const user = await tx.user.create({
          data: {
            username: input.username,
            email: input.email,
            password: passwordHash,
            firstName: input.firstName ?? null,
            lastName: input.lastName ?? null,
            userType,
            isStaff: userType === 'admin',
            isSuperuser: userType === 'admin',
          },
        });
        await recordAudit(tx, userType === 'admin' ? 'admin_created' : 'user_registered', origin, { userId: user.id, subject: user.email });
        await events.record(tx, { type: 'registered', user });
        await issueOneTimeToken(tx, user, 'email_verification', at);
        return user;
      });
    } catch (error) {
      // Two registrations raced past the availability check; the unique indexes decided.
      rethrowPrismaError(error, { conflict: 'That username or email is already taken' });
    }
  }

  return {
    async register(rawInput: unknown, origin: RequestOrigin): Promise<SignedIn> {
      const input = validateInput(registerInputSchema, rawInput, 'input');
      const role: Role = input.userType === 'EMPLOYER' ? 'employer' : 'job_seeker';
      const user = await createUser(input, role, origin);
      const tokens = await db.$transaction((tx) => signIn(tx, user, origin, now()));
      return { ...tokens, user };
    },

    async login(rawEmail: string, password: string, origin: RequestOrigin): Promise<SignedIn> {
      const parsed = emailSchema.safeParse(rawEmail);
      if (!parsed.success || password.length === 0 || password.length > 256) throw invalidCredentials();
      const email = parsed.data;
      const at = now();
      // One attempt per account at a time, across replicas (a transaction-scoped advisory lock on
      // the email): guesses sent in parallel each see the failures recorded before them, so no
      // more than the policy's number are ever checked against the password.
      const outcome = await db.$transaction(
        async (tx): Promise<{ refused: AppError } | { signedIn: SignedIn }> => {
          await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`login:${email}`}, 0))`;
          const refusal = await throttleRefusal(tx, email, origin, at);
          if (refusal) return { refused: refusal };
          const user = await tx.user.findUnique({ where: { email } });
          const valid = user ? await hasher.verify(user.password, password) : (await hasher.verifyAgainstDummy(password), false);
          // An account being erased answers like a wrong password: its sign-ins ended with the request.
          if (!user || !valid || !user.isActive || user.deletionRequestedAt) {
            await recordAudit(tx, 'login_failed', origin, { userId: user?.id ?? null, subject: email });
            return { refused: invalidCredentials() };
          }
          const updated = await tx.user.update({ where: { id: user.id }, data: { lastLogin: at } });
          await recordAudit(tx, 'login_succeeded', origin, { userId: user.id, subject: email });
          return { signedIn: { ...(await signIn(tx, updated, origin, at)), user: updated } };
        },
        // Attempts at one account queue for the lock, each holding it for one password check.
        { maxWait: 10_000, timeout: 30_000 },
      );
      if ('refused' in outcome) throw outcome.refused;
      return outcome.signedIn;
    },

    async refresh(refreshToken: string, origin: RequestOrigin): Promise<{ accessToken: string; refreshToken: string }> {
      if (refreshToken.length === 0 || refreshToken.length > 128) throw new AppError('UNAUTHENTICATED', 'The refresh token is not valid; sign in again');
      const rotated = await rotateRefreshToken(db, refreshToken, origin, now());
      const user = await db.user.findUniqueOrThrow({ where: { id: rotated.userId } });
      const accessToken = await signer.sign({ id: user.id, role: user.userType as Role, sessionId: rotated.familyId, username: user.username });
      return { accessToken, refreshToken: rotated.refreshToken };
    },

    async logout(refreshToken: string, origin: RequestOrigin): Promise<boolean> {
      if (refreshToken.length === 0 || refreshToken.length > 128) return true;
      const session = await db.userSession.findUnique({ where: { refreshToken: hashSecretToken(refreshToken) } });
      if (!session) return true;
      await db.$transaction(async (tx) => {
        const revoked = await revokeFamily(tx, session.familyId, 'logout', now());
        if (revoked > 0) await recordAudit(tx, 'logout', origin, { userId: session.userId });
      });
      return true;
    },

    async verifyEmail(token: string, origin: RequestOrigin): Promise<UserRow> {
      return db.$transaction(async (tx) => {
        const user = await consumeOneTimeToken(tx, token, 'email_verification', now());
        const updated = await tx.user.update({ where: { id: user.id }, data: { isVerified: true } });
        await recordAudit(tx, 'email_verified', origin, { userId: user.id });
        await events.record(tx, { type: 'updated', user: updated });
        return updated;
      });
    },

    async requestPasswordReset(rawEmail: string, origin: RequestOrigin): Promise<boolean> {
      const parsed = emailSchema.safeParse(rawEmail);
      if (!parsed.success) throw invalidField('email', 'must be a valid email address');
      const at = now();
      const user = await db.user.findUnique({ where: { email: parsed.data } });
      if (!user || !user.isActive) return true; // same answer either way: no account enumeration
      const recent = await db.userVerificationToken.count({
        where: { userId: user.id, tokenType: 'password_reset', createdAt: { gt: new Date(at.getTime() - 60 * 60 * 1000) } },
      });
      if (recent >= MAX_RESET_REQUESTS_PER_HOUR) {
        deps.logger.warn({ userId: user.id.toString() }, 'password reset requested too often; no email sent');
        return true;
      }
      await db.$transaction(async (tx) => {
        await issueOneTimeToken(tx, user, 'password_reset', at);
        await recordAudit(tx, 'password_reset_requested', origin, { userId: user.id, subject: user.email });
      });
      return true;
    },

    /**
     * Sends a new verification mail to the signed-in account (the last one expired or got lost);
     * its token replaces the earlier ones. At most three an hour, counted under the account's row
     * lock so that parallel requests cannot pass the limit together.
     */
    async requestEmailVerification(userId: bigint, origin: RequestOrigin): Promise<boolean> {
      const at = now();
      await db.$transaction(async (tx) => {
        await tx.$queryRaw`SELECT 1 FROM users WHERE id = ${userId} FOR UPDATE`;
        const user = await tx.user.findUnique({ where: { id: userId } });
        if (!user || !user.isActive || user.deletionRequestedAt) throw new AppError('UNAUTHENTICATED', 'The account no longer exists');
        if (user.isVerified) throw new AppError('CONFLICT', 'The email address is already verified');
        const recent = await tx.userVerificationToken.findMany({
          where: { userId, tokenType: 'email_verification', createdAt: { gt: new Date(at.getTime() - HOUR_MS) } },
          select: { createdAt: true },
          orderBy: { createdAt: 'asc' },
        });
        if (recent.length >= MAX_VERIFICATION_REQUESTS_PER_HOUR) {
          const retryAfterSeconds = Math.max(1, Math.ceil((recent[0]!.createdAt.getTime() + HOUR_MS - at.getTime()) / 1000));
          throw new AppError('TOO_MANY_REQUESTS', `At most ${MAX_VERIFICATION_REQUESTS_PER_HOUR} verification emails an hour; try again later`, { retryAfterSeconds });
        }
        await issueOneTimeToken(tx, user, 'email_verification', at);
        await recordAudit(tx, 'email_verification_requested', origin, { userId });
      });
      return true;
    },

    async resetPassword(token: string, newPassword: string, origin: RequestOrigin): Promise<boolean> {
      const at = now();
      // The token is checked before any hashing: an unknown, used or expired one costs no hash.
      const preview = await usableOneTimeToken(db, token, 'password_reset', at);
      assertPasswordPolicy(newPassword, preview.user, 'newPassword');
      const passwordHash = await hasher.hash(newPassword);
      await db.$transaction(async (tx) => {
        const user = await consumeOneTimeToken(tx, token, 'password_reset', at);
        await tx.user.update({ where: { id: user.id }, data: { password: passwordHash } });
        await revokeAllSessions(tx, user.id, 'password_reset', at);
        // With the email as subject: a reset lifts the account's sign-in lock (login-throttle.ts).
        await recordAudit(tx, 'password_reset', origin, { userId: user.id, subject: user.email });
      });
      return true;
    },

    async changePassword(userId: bigint, sessionId: string | undefined, currentPassword: string, newPassword: string, origin: RequestOrigin): Promise<boolean> {
      const user = await db.user.findUnique({ where: { id: userId } });
      if (!user || !user.isActive) throw new AppError('UNAUTHENTICATED', 'The account no longer exists');
      await throttled(user.email, origin);
      if (!(await hasher.verify(user.password, currentPassword))) {
        await recordAudit(db, 'login_failed', origin, { userId, subject: user.email, metadata: { during: 'change_password' } });
        throw invalidField('currentPassword', 'is incorrect');
      }
      assertPasswordPolicy(newPassword, user, 'newPassword');
      if (await hasher.verify(user.password, newPassword)) {
        throw invalidField('newPassword', 'must differ from the current password');
      }
      const passwordHash = await hasher.hash(newPassword);
      const at = now();
      await db.$transaction(async (tx) => {
        await tx.user.update({ where: { id: userId }, data: { password: passwordHash } });
        await revokeAllSessions(tx, userId, 'password_changed', at, sessionId);
        await recordAudit(tx, 'password_changed', origin, { userId });
      });
      return true;
    },

    async updateProfile(userId: bigint, rawInput: unknown, origin: RequestOrigin): Promise<UserRow> {
      const input = validateInput(updateProfileInputSchema, rawInput, 'input');
      const data: Prisma.UserUpdateInput = {};
      if (input.firstName !== undefined) data.firstName = input.firstName || null;
      if (input.lastName !== undefined) data.lastName = input.lastName || null;
      if (input.bio !== undefined) data.bio = input.bio || null;
      if (input.profilePicture !== undefined) data.profilePicture = input.profilePicture || null;
      if (input.phoneNumber !== undefined) data.phoneNumberEncrypted = input.phoneNumber ? cipher.encrypt(input.phoneNumber) : null;
      if (input.dateOfBirth !== undefined) data.dateOfBirthEncrypted = input.dateOfBirth ? cipher.encrypt(input.dateOfBirth) : null;
      return db.$transaction(async (tx) => {
        const updated = await tx.user
          .update({ where: { id: userId, isActive: true }, data })
          .catch((error: unknown) => rethrowPrismaError(error, { notFound: new AppError('UNAUTHENTICATED', 'The account no longer exists') }));
        await recordAudit(tx, 'profile_updated', origin, { userId, metadata: { fields: Object.keys(input) } });
        await events.record(tx, { type: 'updated', user: updated });
        return updated;
      });
    },

    /**
     * Starts erasure: the account stops working at once (sessions revoked, sign-in refused), and
     * the deletion event asks every service to erase what it holds. The row itself is erased when
     * they have all reported back (account-erasure.ts).
     */
    async requestAccountDeletion(userId: bigint, password: string, origin: RequestOrigin): Promise<boolean> {
      const user = await db.user.findUnique({ where: { id: userId } });
      if (!user || !user.isActive) throw new AppError('UNAUTHENTICATED', 'The account no longer exists');
      await throttled(user.email, origin);
      if (!(await hasher.verify(user.password, password))) {
        await recordAudit(db, 'login_failed', origin, { userId, subject: user.email, metadata: { during: 'delete_account' } });
        throw invalidField('password', 'is incorrect');
      }
      const at = now();
      await db.$transaction(async (tx) => {
        // Conditional, so two requests at once start one saga; the loser sees a gone account.
        const marked = await tx.user.updateMany({ where: { id: userId, isActive: true, deletionRequestedAt: null }, data: { isActive: false, deletionRequestedAt: at } });
        if (marked.count === 0) throw new AppError('UNAUTHENTICATED', 'The account no longer exists');
        await revokeAllSessions(tx, userId, 'account_deleted', at);
        await recordAudit(tx, 'account_deletion_requested', origin, { userId });
        await deps.erasure.start(tx, userId, at);
      });
      return true;
    },

    /** Creates an admin account; used by BOOTSTRAP_ADMIN_* at start and by `npm run create-admin`. */
    async createAdmin(input: { username: string; email: string; password: string }, origin: RequestOrigin): Promise<UserRow> {
      const parsed = validateInput(registerInputSchema, { ...input, userType: null });
      return createUser(parsed, 'admin', origin);
    },

    async ensureBootstrapAdmin(input: { username: string; email: string; password: string }): Promise<'created' | 'exists'> {
      const email = validateInput(emailSchema, input.email);
      if (await db.user.findUnique({ where: { email } })) return 'exists';
      await this.createAdmin(input, { clientIp: undefined, userAgent: 'bootstrap' });
      return 'created';
    },
  };
}

export type AccountService = ReturnType<typeof createAccountService>;
