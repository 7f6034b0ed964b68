import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { envSchemas, parseEnv } from '@jobplatform/config';
import { natsAdminPasswordVariable } from '../nats-identities.js';

/** The dead-letter command needs only the NATS server the platform uses, and the admin identity there. */
export function readDeadLetterEnv() {
  return parseEnv(
    z.object({
      NATS_URL: envSchemas.natsUrl,
      /** The admin identity's password (user admin); by default the development key of `npm start`. */
      [natsAdminPasswordVariable]: z.string().min(1).optional(),
      /** Where `npm start` keeps its development keys. */
      JOBPLATFORM_DATA_DIR: z.string().default(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../.data')),
    }),
  );
}

/** NATS_ADMIN_PASSWORD, or the one `npm start` made (.data/keys/nats-admin.password) when it exists. */
export function adminPasswordOf(env: ReturnType<typeof readDeadLetterEnv>): string | undefined {
  const given = env[natsAdminPasswordVariable] as string | undefined;
  if (given) return given;
  const devKey = path.join(env.JOBPLATFORM_DATA_DIR, 'keys', 'nats-admin.password');
  return existsSync(devKey) ? readFileSync(devKey, 'utf8').trim() : undefined;
}
