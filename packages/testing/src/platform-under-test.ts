import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createLogger, erasureParticipants, gatewayDefinition, identityService, serviceRegistry, type Logger, type RegisteredServiceName } from '@jobplatform/config';
import type { SubgraphDefinition } from '@jobplatform/service-runtime';
import { startGateway, type RunningGateway } from '../../../gateway/src/server.js';
import type { GatewayEnv } from '../../../gateway/src/env.js';
import { waitForEventsSettled } from './event-streams.js';
import { waitFor } from './wait-for.js';
import { postGraphQL } from './graphql-client.js';
import { startPrivateNats, type PrivateNats } from './private-nats.js';
import { startSubgraphForTest, testHopSecret, type Gql, type SubgraphUnderTest } from './subgraph-under-test.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** A signed-in account of the platform under test. */
export type Account = { id: string; accessToken: string; refreshToken: string; username: string; email: string; password: string };

export type PlatformOptions = {
  /** The subgraphs to run (the identity service always runs); every registered one by default. */
  services?: RegisteredServiceName[];
  /**
   * Each service on a nats-server of its own, so that a test publishes another service's events
   * itself; by default they share one, and events flow between them as in production.
   */
  isolatedNats?: boolean;
  now?: () => Date;
  gateway?: Partial<GatewayEnv>;
  loggers?: Partial<Record<RegisteredServiceName, Logger>>;
  /** Extra settings by service, as environment variables. */
  env?: Partial<Record<RegisteredServiceName, NodeJS.ProcessEnv>>;
  overrides?: Partial<Record<RegisteredServiceName, unknown>>;
};

export type PlatformUnderTest = {
  services: Partial<Record<RegisteredServiceName, SubgraphUnderTest<any, any>>>;
  /** The nats-server the services share (and the gateway's subscriptions listen to); none with isolatedNats. */
  nats: PrivateNats | undefined;
  /** One running service; fails the test when it was not started. */
  service<D = any>(name: RegisteredServiceName): SubgraphUnderTest<any, D>;
  gateway: RunningGateway;
  /** Through the gateway, as a client sends it. */
  gql: Gql;
  /** gql as `account`, failing the test on any error; returns the data. */
  ok(query: string, variables: Record<string, unknown>, account: Pick<Account, 'accessToken'>): Promise<Record<string, any>>;
  /** Registers a new account through the gateway and returns it signed in. */
  register(userType: 'JOB_SEEKER' | 'EMPLOYER', overrides?: Partial<{ username: string; email: string; password: string }>): Promise<Account>;
  employer(): Promise<Account>;
  jobSeeker(): Promise<Account>;
  /** An admin, made through the identity service's own rules (registration never makes admins). */
  admin(): Promise<Account>;
  /**
   * Waits until each of the services' users replica holds the account (its registration event has
   * arrived): jobs provides a job's employer's handle and names from it, applications an
   * applicant's. Returns the account.
   */
  replicated(account: Account, ...services: RegisteredServiceName[]): Promise<Account>;
  /**
   * Waits until every event the services committed is published and applied by every consumer
   * (waitForEventsSettled): what a test measures a request's statements after.
   */
  settled(): Promise<void>;
  close(): Promise<void>;
};

/** The definition a service's src/server.ts exports as <name>Subgraph (jobsSubgraph). */
export async function loadSubgraphDefinition(name: RegisteredServiceName): Promise<SubgraphDefinition<any, any, any, any, any>> {
  const module = (await import(pathToFileURL(path.join(repoRoot, 'subgraphs', name, 'src', 'server.ts')).href)) as Record<string, unknown>;
  const exportName = `${name.replace(/[-_](\w)/g, (_m, c: string) => c.toUpperCase())}Subgraph`;
  const definition = module[exportName];
  if (!definition) throw new Error(`subgraphs/${name}/src/server.ts does not export ${exportName}`);
  return definition as SubgraphDefinition<any, any, any, any, any>;
}

/** Gateway settings as in production, routing each subgraph of the supergraph to the one under test. */
export function gatewayEnvFor(jwksUrl: string, subgraphUrls: Record<string, string>, overrides: Partial<GatewayEnv> = {}): GatewayEnv {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    GATEWAY_HOST: '127.0.0.1',
    GATEWAY_PORT: 0,
    JWKS_URL: jwksUrl,
    GATEWAY_BODY_LIMIT: '100kb',
    GATEWAY_MAX_DEPTH: 12,
    GATEWAY_MAX_ALIASES: 30,
    GATEWAY_MAX_COST: 20_000,
    GATEWAY_TRUSTED_PROXIES: 0,
    GATEWAY_HOP_SECRET: testHopSecret,
    APOLLO_TELEMETRY_DISABLED: true,
    subgraphUrls,
    ...overrides,
  };
}

/** The gateway on a private server: its address and the gateway's own (subscribe-only) identity. */
export function gatewayNatsEnv(nats: PrivateNats | undefined): Partial<GatewayEnv> {
  return nats ? { NATS_URL: nats.address, GATEWAY_NATS_PASSWORD: nats.passwords[gatewayDefinition.name]! } : {};
}

/** Where the identity service under test publishes its public keys. */
const jwksUrlOf = (identity: SubgraphUnderTest) => identity.service.url.replace(/\/graphql$/, '/.well-known/jwks.json');
/** Each running subgraph's URL, by name. */
const subgraphUrlsOf = (services: PlatformUnderTest['services']) => Object.fromEntries(Object.entries(services).map(([name, s]) => [name, s!.service.url]));

/**
 * Settings for one more gateway over a running test platform's subgraphs, as the platform's own
 * gateway has them (its NATS included), with `overrides`, and `routes` sending some subgraphs'
 * calls elsewhere (a proxy, a closed port).
 */
export function gatewayEnvBeside(
  platform: Pick<PlatformUnderTest, 'services' | 'nats' | 'service'>,
  overrides: Partial<GatewayEnv> = {},
  routes: Record<string, string> = {},
): GatewayEnv {
  return gatewayEnvFor(jwksUrlOf(platform.service(identityService)), { ...subgraphUrlsOf(platform.services), ...routes }, { ...gatewayNatsEnv(platform.nats), ...overrides });
}

const REGISTER = /* GraphQL */ `
  mutation Register($input: RegisterInput!) {
    register(input: $input) {
      accessToken
      refreshToken
      user {
        id
        username
      }
    }
  }
`;

let accountCounter = 0;
function uniqueTag(): string {
  accountCounter += 1;
  return `${Date.now().toString(36)}${accountCounter}`;
}

/**
 * The platform for real: the registry's subgraphs (each on a fresh migrated database, with its
 * event parts on NATS) behind the real gateway serving the checked-in supergraph. Services start
 * in registry order, the identity service first, since the others verify tokens with its keys.
 */
export async function startPlatformForTest(options: PlatformOptions = {}): Promise<PlatformUnderTest> {
  const wanted = new Set<RegisteredServiceName>([identityService, ...(options.services ?? serviceRegistry.map((s) => s.name))]);
  // An account erasure waits for the participants that run here, not for every registered one.
  const running = erasureParticipants.filter((name) => wanted.has(name));
  const settings = { ...options.env, [identityService]: { USER_ERASURE_PARTICIPANTS: running.join(','), ...options.env?.[identityService] } };
  const shared: PrivateNats | undefined = options.isolatedNats ? undefined : await startPrivateNats();
  const services: Partial<Record<RegisteredServiceName, SubgraphUnderTest<any, any>>> = {};
  let jwksUrl: string | undefined;
  let gateway: RunningGateway | undefined;
  const close = async () => {
    await gateway?.close();
    for (const name of Object.keys(services).reverse()) await services[name as RegisteredServiceName]!.close();
    await shared?.dispose();
  };
  try {
    for (const { name } of serviceRegistry) {
      if (!wanted.has(name)) continue;
      const definition = await loadSubgraphDefinition(name);
      const started = await startSubgraphForTest(definition, {
        ...(jwksUrl ? { jwksUrl } : {}),
        ...(shared ? { natsUrl: shared.url } : {}),
        ...(options.now ? { now: options.now } : {}),
        ...(options.loggers?.[name] ? { logger: options.loggers[name] } : {}),
        ...(settings[name] ? { env: settings[name] } : {}),
        ...(options.overrides?.[name] ? { overrides: options.overrides[name] as object } : {}),
      });
      services[name] = started;
      if (name === identityService) jwksUrl = jwksUrlOf(started);
    }
    gateway = await startGateway(gatewayEnvFor(jwksUrl!, subgraphUrlsOf(services), { ...gatewayNatsEnv(shared), ...options.gateway }), {
      logger: createLogger('gateway', 'silent'),
    });
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
  const url = gateway.url;
  const gql: Gql = (query, variables, opts = {}) =>
    postGraphQL(url, { query, ...(variables ? { variables } : {}), ...(opts.operationName ? { operationName: opts.operationName } : {}) }, opts);
  const register: PlatformUnderTest['register'] = async (userType, overrides = {}) => {
    const tag = uniqueTag();
    const input = { username: `user_${tag}`, email: `user_${tag}@example.com`, password: 'correct horse battery', userType, ...overrides };
    const response = await gql(REGISTER, { input });
    if (!response.data?.register) throw new Error(`registration failed: ${JSON.stringify(response.errors)}`);
    const { accessToken, refreshToken, user } = response.data.register;
    return { id: user.id, accessToken, refreshToken, username: input.username, email: input.email, password: input.password };
  };
  return {
    services,
    nats: shared,
    service(name) {
      const found = services[name];
      if (!found) throw new Error(`${name} is not running in this test platform`);
      return found;
    },
    gateway,
    gql,
    async ok(query, variables, account) {
      const response = await gql(query, variables, { token: account.accessToken });
      if (response.errors) throw new Error(JSON.stringify(response.errors));
      return response.data!;
    },
    register,
    employer: () => register('EMPLOYER'),
    jobSeeker: () => register('JOB_SEEKER'),
    async admin() {
      const tag = uniqueTag();
      const input = { username: `admin_${tag}`, email: `admin_${tag}@example.com`, password: 'admin password 123' };
      const accounts = services[identityService]!.service.domain.accounts;
      const user = await accounts.createAdmin(input, { clientIp: undefined, userAgent: 'test' });
      const signedIn = await accounts.login(input.email, input.password, { clientIp: '127.0.0.1', userAgent: 'test' });
      return { id: user.id.toString(), accessToken: signedIn.accessToken, refreshToken: signedIn.refreshToken, ...input };
    },
    async replicated(account, ...names) {
      for (const name of names) {
        const db = services[name]?.db;
        if (!db) throw new Error(`${name} is not running in this test platform`);
        await waitFor(
          `the registration of user ${account.id} to reach the ${name} users replica`,
          async () => (await db.query('SELECT 1 FROM user_replicas WHERE id = $1', [account.id])).rowCount,
          (count) => count === 1,
          60_000,
        );
      }
      return account;
    },
    settled: () => waitForEventsSettled(Object.values(services)),
    close,
  };
}
