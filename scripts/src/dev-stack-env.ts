import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { envSchemas, parseEnv } from '@jobplatform/config';
import { defaultMailCatcherPort } from '@jobplatform/mail/catcher';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const schema = z.object({
  /** Where embedded PostgreSQL, NATS and the development keys keep their files. */
  JOBPLATFORM_DATA_DIR: z.string().default(path.join(repoRoot, '.data')),
  EMBEDDED_POSTGRES_PORT: envSchemas.port(55432),
  EMBEDDED_NATS_PORT: envSchemas.port(4222),
  /** The development mail catcher's SMTP port; it runs unless SMTP_URL names a server. */
  MAIL_CATCHER_PORT: envSchemas.port(defaultMailCatcherPort),
  NATS_URL: z.string().optional(),
  BOOTSTRAP_ADMIN_EMAIL: z.string().default('admin@jobplatform.localhost'),
  BOOTSTRAP_ADMIN_PASSWORD: z.string().optional(),
  LOG_LEVEL: envSchemas.logLevel,
});

export type DevStackEnv = z.infer<typeof schema> & { passThrough: NodeJS.ProcessEnv };

export function loadDevStackEnv(source: NodeJS.ProcessEnv = process.env): DevStackEnv {
  return { ...parseEnv(schema, source), passThrough: source };
}
