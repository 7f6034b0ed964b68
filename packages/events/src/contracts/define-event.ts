import type { z } from 'zod';

import type { ServiceName } from '@jobplatform/config';

/** Services that produce or consume events (the registry's names). Each producer owns one stream (users -> USERS, subjects users.>). */
export { serviceNames, type ServiceName } from '@jobplatform/config';

/**
 * What a subject carries and who is on either end of it. The schema is checked when the event is
 * written to the outbox and again when a consumer receives it, so a bad payload is stopped at both
 * ends. `aggregateIdOf` names the entity the event is about: the relay and consumers keep the
 * events of one aggregate in order.
 */
export type EventContract<Schema extends z.ZodType = z.ZodType> = {
  producer: ServiceName;
  consumers: readonly ServiceName[];
  aggregate: string;
  aggregateIdOf: (data: z.output<Schema>) => string;
  summary: string;
  schema: Schema;
};

export function defineEvent<Schema extends z.ZodType>(contract: EventContract<Schema>): EventContract<Schema> {
  return contract;
}
