import type { Logger } from '@jobplatform/config';
import { connectToNats, startEventConsumer, startOutboxRelay, watchNatsConnection, type EventConsumer, type OutboxRelay } from '@jobplatform/events';
import type { Registry } from 'prom-client';
import type { AccountErasure, ErasurePolicy } from './account-erasure.js';
import type { UsersDb } from './db.js';

export type UsersEventsOptions = {
  natsUrl: string;
  databaseUrl: string;
  db: UsersDb;
  erasure: AccountErasure;
  /** How often overdue erasures are looked for, and what overdue means. */
  erasureCheckIntervalMs: number;
  erasurePolicy: ErasurePolicy;
  logger: Logger;
  /** The service's Prometheus registry, for the connection gauge. */
  registry: Registry;
};

export type UsersEvents = {
  nats: Awaited<ReturnType<typeof connectToNats>>;
  relay: OutboxRelay;
  erasureConsumer: EventConsumer;
  /** Stops the erasure check and consumer, lets the relay finish its round, then drains NATS. */
  stop(): Promise<void>;
};

/**
 * The users service on the event backbone: the outbox relay publishes what users records (its
 * stream USERS is created or updated at start), the durable consumer users-user-erasure applies
 * the participants' replies, and a timer publishes users.user.deleted.v1 again for erasures that
 * went unanswered. Every replica runs all three; they share the work.
 */
export async function startUsersEvents(options: UsersEventsOptions): Promise<UsersEvents> {
  const { db, erasure, logger } = options;
  const nats = await connectToNats(options.natsUrl, 'users');
  watchNatsConnection(nats, { logger, registry: options.registry });

  const relay = await startOutboxRelay({
    service: 'users',
    databaseUrl: options.databaseUrl,
    nats,
    logger,
    // Published rows carry one-time tokens in clear: keep them no longer than the broker's duplicate window.
    keepPublishedMs: 10 * 60 * 1000,
  });
  const erasureConsumer = await startEventConsumer({
    nats,
    service: 'users',
    purpose: 'user-erasure',
    logger,
    // A batch of replies shares one transaction, and each completing reply erases an account:
    // more than Prisma's default 5 s, well within the consumer's 30 s ack wait.
    transaction: (work) => db.$transaction(work, { maxWait: 10_000, timeout: 20_000 }),
    handlers: erasure.completionHandlers(),
  });

  let check: Promise<unknown> | undefined;
  const timer = setInterval(() => {
    check ??= erasure
      .republishOverdue(options.erasurePolicy)
      .catch((error: unknown) => logger.error({ err: error }, 'checking overdue account erasures failed'))
      .finally(() => (check = undefined));
  }, options.erasureCheckIntervalMs);
  timer.unref();

  let stopped: Promise<void> | undefined;
  return {
    nats,
    relay,
    erasureConsumer,
    stop() {
      stopped ??= (async () => {
        clearInterval(timer);
        await check;
        await erasureConsumer.stop();
        // The relay finishes its round; whatever is left waits in the outbox for the next start.
        await relay.stop();
        await nats.drain();
      })();
      return stopped;
    },
  };
}
