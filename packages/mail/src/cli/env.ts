import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { envSchemas, parseEnv } from '@jobplatform/config';
import { defaultMailCatcherPort, mailCatcherDir } from '../catcher.js';

/** Where `npm start` keeps its data (.data): the catcher's messages are in its mail folder. */
const defaultDataDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../.data');

/** `npm run mail`: which folder it reads, and where `serve` listens. */
export function readMailCliEnv(source: NodeJS.ProcessEnv = process.env) {
  const env = parseEnv(
    z.object({
      JOBPLATFORM_DATA_DIR: z.string().default(defaultDataDir),
      MAIL_CATCHER_HOST: z.string().default('127.0.0.1'),
      MAIL_CATCHER_PORT: envSchemas.port(defaultMailCatcherPort),
    }),
    source,
  );
  return { ...env, mailDir: mailCatcherDir(env.JOBPLATFORM_DATA_DIR) };
}
