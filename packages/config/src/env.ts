import { z } from 'zod';

export class EnvError extends Error {
  override name = 'EnvError';
}

/**
 * Validates one concern's environment variables against a zod schema. On failure it throws an
 * EnvError listing every bad variable, which each entry point turns into a message and exit(1).
 * Only env.ts files call this: no other file reads process.env.
 */
export function parseEnv<T extends z.ZodType>(schema: T, source: NodeJS.ProcessEnv = process.env): z.infer<T> {
  const result = schema.safeParse(source);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `  ${issue.path.join('.') || '(env)'}: ${issue.message}`);
  throw new EnvError(`Invalid configuration:\n${problems.join('\n')}`);
}

const booleanString = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((value) => value === 'true' || value === '1' || value === 'yes');

/** Building blocks that several services' env.ts files share. */
export const envSchemas = {
  /**
   * Unset means production: a deployment that forgets NODE_ENV gets the safe behaviour (real keys
   * required, introspection and GraphiQL off). `npm start` sets development and the tests set test.
   */
  nodeEnv: z.enum(['development', 'test', 'production']).default('production'),
  port: (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback),
  url: z.string().url(),
  postgresUrl: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// URL'),
  natsUrl: z
    .string()
    .regex(/^(nats|tls):\/\//, 'must be a nats:// URL')
    .default('nats://127.0.0.1:4222'),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  booleanString,
};
