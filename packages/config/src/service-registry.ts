import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The service registry: every subgraph service of the platform, what it owns and how it joins the
 * event backbone. This is the one place a service is declared. The dev stack (`npm start`), the
 * migration command, the test platform, the gateway's defaults, the event contracts' erasure
 * participants and the benchmarks read it; docker-compose.yml, docker/postgres-init.sql and
 * schema/supergraph.config.json are checked against it by scripts/src/service-registry.test.ts.
 *
 * Adding a service: `npm run new:subgraph -- <name>` writes its entry here (see docs/adding-a-service.md).
 * Removing one: delete its folders and its entry.
 */

/** The domain services the platform's design names; event contracts may name any of them as consumers. */
export const serviceNames = ['users', 'jobs', 'applications', 'search', 'notifications', 'analytics'] as const;
export type ServiceName = (typeof serviceNames)[number];

/**
 * Shared Prisma files a service's schema folder includes, each a symlink prisma/<name>/<file>.prisma
 * to the package that owns the tables: the event outbox and processed events, the users replica,
 * the outbound-mail send queue.
 */
export const sharedPrismaFiles = {
  'event-tables': 'packages/events/prisma/event-tables.prisma',
  'user-replica': 'packages/events/prisma/user-replica.prisma',
  'outbound-mail': 'packages/mail/prisma/outbound-mail.prisma',
} as const;
export type SharedPrismaFile = keyof typeof sharedPrismaFiles;

export type ServiceDefinition = {
  name: ServiceName;
  /** Fixed default port: `npm start`, docker-compose and the supergraph's routing URLs use it. */
  port: number;
  /** The PostgreSQL database the service owns; no other service connects to it. */
  database: string;
  /** Producers whose streams this service reads (its own stream, <NAME>, it always writes). */
  consumes: readonly ServiceName[];
  /**
   * Its part in account erasure: `coordinator` runs the saga (users); a `participant` consumes
   * users.user.deleted.v1, deletes or anonymises what it holds and replies
   * <service>.user_erasure.completed.v1.
   */
  erasure: 'coordinator' | 'participant' | 'none';
  /** Shared Prisma files that prisma/<name>/ includes as symlinks. */
  prismaIncludes: readonly SharedPrismaFile[];
};

/** In start order: users first, since every other service verifies tokens with its public keys. */
export const serviceRegistry = [
  { name: 'users', port: 4001, database: 'users_db', consumes: ['jobs'], erasure: 'coordinator', prismaIncludes: ['event-tables', 'outbound-mail'] },
  { name: 'jobs', port: 4002, database: 'jobs_db', consumes: ['users'], erasure: 'participant', prismaIncludes: ['event-tables', 'user-replica'] },
  { name: 'applications', port: 4003, database: 'applications_db', consumes: ['users', 'jobs'], erasure: 'participant', prismaIncludes: ['event-tables', 'user-replica'] },
  {
    name: 'notifications',
    port: 4005,
    database: 'notifications_db',
    consumes: ['users', 'jobs', 'applications', 'search'],
    erasure: 'participant',
    prismaIncludes: ['event-tables', 'user-replica', 'outbound-mail'],
  },
  { name: 'search', port: 4004, database: 'search_db', consumes: ['users', 'jobs'], erasure: 'participant', prismaIncludes: ['event-tables'] },
  { name: 'analytics', port: 4006, database: 'analytics_db', consumes: ['users', 'jobs', 'applications', 'search'], erasure: 'participant', prismaIncludes: ['event-tables'] },
] as const satisfies readonly ServiceDefinition[];

export type RegisteredService = (typeof serviceRegistry)[number];
export type RegisteredServiceName = RegisteredService['name'];

/**
 * The gateway is not a subgraph: it owns no database and publishes nothing. On NATS it only listens
 * to the subjects its subscriptions deliver (core subscriptions, no durable consumer: every replica
 * receives each event as it passes, and one that restarts replays nothing).
 */
export const gatewayDefinition = {
  name: 'gateway',
  port: 4000,
  natsSubscribes: ['applications.application.submitted.v1', 'applications.application.status_changed.v1', 'notifications.notification.created.v1'],
} as const;

/** The service that issues tokens and publishes the keys that verify them. */
export const identityService = 'users' satisfies RegisteredServiceName;

export function registeredService(name: string): ServiceDefinition {
  const found = (serviceRegistry as readonly ServiceDefinition[]).find((service) => service.name === name);
  if (!found) throw new Error(`"${name}" is not in the service registry (packages/config/src/service-registry.ts)`);
  return found;
}

export function isRegisteredService(name: string): name is RegisteredServiceName {
  return (serviceRegistry as readonly ServiceDefinition[]).some((service) => service.name === name);
}

type ParticipantOf<S> = S extends { erasure: 'participant'; name: infer N } ? N : never;
export type ErasureParticipant = ParticipantOf<RegisteredService>;

/** The services users waits for in an account-erasure saga. */
export const erasureParticipants = serviceRegistry
  .filter((service): service is Extract<RegisteredService, { erasure: 'participant' }> => service.erasure === 'participant')
  .map((service) => service.name) as unknown as readonly [ErasureParticipant, ...ErasureParticipant[]];

/** USERS_DATABASE_URL for users, and so on: the variable every tool reads a service's database from. */
export const databaseUrlVariable = (service: string) => `${envPrefix(service)}_DATABASE_URL`;

/** USERS for users: the prefix of a service's own settings (USERS_PORT, USERS_DATABASE_POOL_SIZE, ...). */
export function envPrefix(service: string): string {
  return service.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}

/**
 * The role a service logs in to PostgreSQL as: `jobs_service` for jobs. It owns the service's
 * database and everything in it, and can reach no other database (packages/database's
 * provisionServiceDatabase; docker/postgres-init.sql).
 */
export const databaseRole = (service: string) => `${service.replace(/-/g, '_')}_service`;

/** USERS_DATABASE_PASSWORD for users: the password of its role in docker-compose.yml and its .env. */
export const databasePasswordVariable = (service: string) => `${envPrefix(service)}_DATABASE_PASSWORD`;

/** The embedded PostgreSQL of `npm start` (scripts/src/dev-stack.ts): where the CLIs look by default. */
export const devStackPostgres = {
  host: '127.0.0.1',
  port: 55432,
  /** `npm start`'s data folder (JOBPLATFORM_DATA_DIR unset): its keys hold each role's password. */
  dataDir: fileURLToPath(new URL('../../../.data', import.meta.url)),
} as const;

/** Where `npm start` keeps the password of a service's role (scripts/src/dev-keys.ts makes it on the first start). */
const devStackDatabasePasswordFile = (dataDir: string, service: string) => path.join(dataDir, 'keys', `postgres-${service}.password`);

/**
 * A service's database under `npm start`, as its own role, with the password `npm start` made
 * (none before the first start, when there is no server to reach either).
 */
export function devStackDatabaseUrl(service: string, dataDir: string = devStackPostgres.dataDir): string {
  const { host, port } = devStackPostgres;
  const passwordFile = devStackDatabasePasswordFile(dataDir, service);
  const password = existsSync(passwordFile) ? `:${encodeURIComponent(readFileSync(passwordFile, 'utf8').trim())}` : '';
  return `postgresql://${databaseRole(service)}${password}@${host}:${port}/${registeredService(service).database}`;
}

/** Where a service listens under `npm start`: the default of its <NAME>_SUBGRAPH_URL at the gateway. */
export const defaultSubgraphUrl = (service: string) => `http://127.0.0.1:${registeredService(service).port}/graphql`;

/** The identity service's public keys under `npm start`: the default JWKS_URL of every verifier. */
export const defaultJwksUrl = `http://127.0.0.1:${registeredService(identityService).port}/.well-known/jwks.json`;
