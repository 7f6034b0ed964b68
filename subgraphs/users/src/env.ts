import { z } from 'zod';
import { devStackDatabaseUrl, envSchemas, parseEnv } from '@jobplatform/config';
import { checkMailSettings, mailSettings } from '@jobplatform/mail';
import { userErasureParticipants } from '@jobplatform/events';

/** The web client: the links in verification and reset mails lead to its pages. */
const webAppUrl = z.string().url().default('http://localhost:3000');

/**
 * users' own settings, beside the common ones every subgraph has (USERS_PORT, USERS_DATABASE_URL,
 * NATS_URL, ...: packages/service-runtime/src/subgraph-env.ts), and the mail settings every sending
 * service reads (SMTP_URL, MAIL_FROM, MAIL_*: packages/mail/src/settings.ts).
 */
export const usersSettings = z
  .object({
    ...mailSettings.shape,
    WEB_APP_URL: webAppUrl,
    NODE_ENV: envSchemas.nodeEnv,
    /** Ed25519 private key (PKCS#8 PEM) that signs access tokens. */
    JWT_PRIVATE_KEY: z.string().optional(),
    /** During a key rotation: the retired key's public half (SPKI PEM), still published so that the tokens it signed verify until they expire. */
    JWT_PREVIOUS_PUBLIC_KEY: z.string().optional(),
    /** 32 bytes, base64: the AES-256-GCM key for phone numbers and dates of birth. */
    FIELD_ENCRYPTION_KEY: z
      .string()
      .optional()
      .refine((v) => v === undefined || Buffer.from(v, 'base64').length === 32, 'must be 32 bytes encoded as base64'),
    BOOTSTRAP_ADMIN_EMAIL: z.string().email().optional(),
    BOOTSTRAP_ADMIN_PASSWORD: z.string().optional(),
    BOOTSTRAP_ADMIN_USERNAME: z.string().default('admin'),
    /** argon2id cost; the defaults follow OWASP's minimum (19 MiB, 2 passes). */
    ARGON2_MEMORY_KIB: z.coerce.number().int().min(8192).default(19456),
    ARGON2_TIME_COST: z.coerce.number().int().min(1).default(2),
    /** Accounts one client address (an IPv6 /64) may register per hour; 0 turns the limit off. Calls without an address (seed, CLIs) are not limited. */
    REGISTRATIONS_PER_ADDRESS_PER_HOUR: z.coerce.number().int().min(0).default(20),
    /** How often pending account erasures are checked for participants that have not replied. */
    USER_ERASURE_CHECK_INTERVAL_MS: z.coerce
      .number()
      .int()
      .min(100)
      .default(2 * 60 * 1000),
    /** A pending erasure with no progress for this long gets users.user.deleted.v1 published again. */
    USER_ERASURE_TIMEOUT_MS: z.coerce
      .number()
      .int()
      .min(100)
      .default(15 * 60 * 1000),
    /** Publications of users.user.deleted.v1 before an erasure is marked stuck for an operator. */
    USER_ERASURE_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(5),
    /**
     * The services a new erasure waits for, comma-separated: by default every participant the
     * registry names. A deployment that does not run one of them (or a test platform) lists those it
     * runs; an erasure would otherwise wait for a reply that never comes and end up stuck.
     */
    USER_ERASURE_PARTICIPANTS: z
      .string()
      .optional()
      .transform((value, ctx) => {
        if (value === undefined) return [...userErasureParticipants];
        const listed = [
          ...new Set(
            value
              .split(',')
              .map((name) => name.trim())
              .filter(Boolean),
          ),
        ];
        const unknown = listed.filter((name) => !(userErasureParticipants as readonly string[]).includes(name));
        if (unknown.length > 0)
          ctx.addIssue({
            code: 'custom',
            message: `${unknown.join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not among the erasure participants (${userErasureParticipants.join(', ')})`,
          });
        return listed as (typeof userErasureParticipants)[number][];
      }),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === 'production') {
      if (!env.JWT_PRIVATE_KEY) ctx.addIssue({ code: 'custom', path: ['JWT_PRIVATE_KEY'], message: 'is required in production' });
      if (!env.FIELD_ENCRYPTION_KEY) ctx.addIssue({ code: 'custom', path: ['FIELD_ENCRYPTION_KEY'], message: 'is required in production' });
    }
    checkMailSettings(env, ctx);
    if (Boolean(env.BOOTSTRAP_ADMIN_EMAIL) !== Boolean(env.BOOTSTRAP_ADMIN_PASSWORD)) {
      ctx.addIssue({ code: 'custom', path: ['BOOTSTRAP_ADMIN_PASSWORD'], message: 'set both BOOTSTRAP_ADMIN_EMAIL and BOOTSTRAP_ADMIN_PASSWORD, or neither' });
    }
  });

export type UsersSettings = z.infer<typeof usersSettings>;

/**
 * The local development database that `npm start` runs (see scripts/src/dev-stack.ts), as the CLIs'
 * default: read when a CLI parses its settings, since it reads the role's password from `.data`.
 */
const devStackUsersDatabaseUrl = () => devStackDatabaseUrl('users');

const createAdminSchema = z.object({
  USERS_DATABASE_URL: envSchemas.postgresUrl.default(devStackUsersDatabaseUrl),
  ADMIN_PASSWORD: z.string().optional(),
  /** The new admin's verification mail waits in users_db's send queue; its link leads here. */
  WEB_APP_URL: webAppUrl,
  ARGON2_MEMORY_KIB: z.coerce.number().int().min(8192).default(19456),
  ARGON2_TIME_COST: z.coerce.number().int().min(1).default(2),
});

export type CreateAdminEnv = z.infer<typeof createAdminSchema>;

export function loadCreateAdminEnv(source: NodeJS.ProcessEnv = process.env): CreateAdminEnv {
  return parseEnv(createAdminSchema, source);
}

/** The commands that work on users_db alone (npm run erasures, npm run users:republish). */
const databaseCliSchema = z.object({
  USERS_DATABASE_URL: envSchemas.postgresUrl.default(devStackUsersDatabaseUrl),
});

export type DatabaseCliEnv = z.infer<typeof databaseCliSchema>;

export function loadDatabaseCliEnv(source: NodeJS.ProcessEnv = process.env): DatabaseCliEnv {
  return parseEnv(databaseCliSchema, source);
}
