import { z } from 'zod';
import { envSchemas, parseEnv } from '@jobplatform/config';

/** The dead-letter command needs only the NATS server the platform uses. */
export function readDeadLetterEnv() {
  return parseEnv(z.object({ NATS_URL: envSchemas.natsUrl }));
}
