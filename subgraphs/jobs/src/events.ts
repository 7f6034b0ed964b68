import {
  connectToNats,
  ensureStreams,
  startEventConsumer,
  startOutboxRelay,
  startReplicaConsumer,
  userReplicaTable,
  watchNatsConnection,
  type EventConsumer,
  type OutboxRelay,
} from '@jobplatform/events';
import type { Logger } from '@jobplatform/config';
import type { Registry } from 'prom-client';
import type { JobsDb } from './db.js';
import type { Prisma } from './generated/prisma/client.js';
import { eraseUserFromJobs } from './user-erasure.js';

export type JobsEventsOptions = {
  natsUrl: string;
  /** jobs_db, for the relay's own connections (LISTEN and its rounds). */
  databaseUrl: string;
  db: JobsDb;
  logger: Logger;
  now: () => Date;
  /** The service's Prometheus registry, for the connection gauge. */
  registry: Registry;
};

export type JobsEvents = {
  nats: Awaited<ReturnType<typeof connectToNats>>;
  relay: OutboxRelay;
  consumers: { usersReplica: EventConsumer; userErasure: EventConsumer };
  /** Stops pulling, finishes what is in hand, publishes nothing more, drains the connection. */
  stop(): Promise<void>;
};

/**
 * Erasing an employer with thousands of jobs writes an event per job in one transaction: more time
 * than Prisma's 5 s default, and JetStream must not redeliver the message meanwhile.
 */
const ERASURE_TRANSACTION_MS = 120_000;

/**
 * The jobs service on the event backbone, one set per replica of the service:
 * - the outbox relay publishes event_outbox to the JOBS stream (jobs.>);
 * - jobs-users-replica keeps user_replicas from users.user.registered/updated/deleted.v1;
 * - jobs-user-erasure is jobs' part of the account-erasure saga (user-erasure.ts).
 * NATS being down does not stop the service: changes and their events still commit to the outbox,
 * and the connection reconnects for as long as the process lives.
 */
export async function startJobsEvents(options: JobsEventsOptions): Promise<JobsEvents> {
  const { db, logger } = options;
  const nats = await connectToNats(options.natsUrl, 'jobs');
  watchNatsConnection(nats, { logger, registry: options.registry });
  const started: { stop(): Promise<void> }[] = [];
  const stopAll = async () => {
    for (const part of started.reverse()) await part.stop();
    await nats.drain();
  };
  try {
    // The stream jobs writes and the one it reads, so that start order across services does not matter.
    await ensureStreams(nats, ['jobs', 'users']);
    const relay = await startOutboxRelay({ service: 'jobs', databaseUrl: options.databaseUrl, nats, logger });
    started.push(relay);
    const usersReplica = await startReplicaConsumer<Prisma.TransactionClient>({
      nats,
      service: 'jobs',
      purpose: 'users-replica',
      logger,
      transaction: (work) => db.$transaction(work),
      replica: userReplicaTable,
    });
    started.push(usersReplica);
    const userErasure = await startEventConsumer<Prisma.TransactionClient>({
      nats,
      service: 'jobs',
      purpose: 'user-erasure',
      logger,
      transaction: (work) => db.$transaction(work, { timeout: ERASURE_TRANSACTION_MS, maxWait: 10_000 }),
      ackWaitMs: ERASURE_TRANSACTION_MS + 30_000,
      handlers: {
        'users.user.deleted.v1': async (event, tx, context) => {
          const summary = await eraseUserFromJobs(tx, event, { traceparent: context.traceparent, now: options.now() });
          logger.info({ userId: event.data.userId, ...summary }, 'user erasure: jobs part applied, committing with its batch');
        },
      },
    });
    started.push(userErasure);
    return { nats, relay, consumers: { usersReplica, userErasure }, stop: stopAll };
  } catch (error) {
    await stopAll().catch(() => undefined);
    throw error;
  }
}
