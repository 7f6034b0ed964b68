import { z } from 'zod';
import { envSchemas, parseEnv } from '@jobplatform/config';

/** The database URL variables of the services, each optional. */
export function loadMigrateEnv(variables: string[], source: NodeJS.ProcessEnv = process.env): Record<string, string | undefined> {
  const shape = Object.fromEntries(variables.map((name) => [name, envSchemas.postgresUrl.optional()]));
  return parseEnv(z.object(shape), source) as Record<string, string | undefined>;
}
