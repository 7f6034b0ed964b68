import { envPrefix } from '@jobplatform/config';
import { eventContracts } from './contracts/index.js';
import { deadLetterStream, deadLetterSubjectPrefix, streamNameOf } from './streams.js';

/**
 * Who may do what on the event backbone. Each service connects as the user named after it and may:
 * - publish its own subjects (<service>.>) and its dead letters (deadletter.<service>.>);
 * - create, update and inspect its own stream (<SERVICE>), create and inspect DEADLETTER;
 * - on each stream it reads (its producers': the registry's `consumes`, and those of every event
 *   contract that names it as a consumer, such as the erasure replies users waits for): inspect
 *   the stream, create, inspect and pull from durable consumers, and acknowledge their messages;
 * - receive replies only on its own inbox prefix (_INBOX.<service>.>), so no service reads the
 *   deliveries and acknowledgements meant for another.
 * It cannot publish another service's subjects, read a stream it does not consume, create or
 * delete another service's stream, or read dead letters. The admin identity (CLIs, provisioning,
 * tests' own readers and producers) may do anything.
 *
 * NATS wildcards match whole tokens only, so the consumer name in these subjects is `*`: a service
 * may attach to any durable consumer of a stream it reads, not only to its own <service>-<purpose>.
 */

/** A user of the server's configuration. */
export type NatsCredentials = { user: string; password: string };

/** A password written into the configuration, or the environment variable nats-server reads it from at start. */
export type NatsConfigPassword = string | { env: string };

/** The identity the platform's tools use (dead-letters CLI, stream provisioning, tests' own connections). */
export const natsAdminUser = 'admin';

/** The service's identity on NATS is its registry name. */
export const natsUserOf = (service: string) => service;

/** Where the replies to a service's requests arrive (JetStream acknowledgements, pulled messages). */
export const natsInboxPrefixOf = (service: string) => `_INBOX.${service}`;

export type NatsPermissions = { publish: string[]; subscribe: string[] };

/** The producers whose streams a service reads: those it declares, and those of the events it consumes by contract. */
export function producersReadBy(service: { name: string; consumes: readonly string[] }): string[] {
  const byContract = Object.values(eventContracts)
    .filter((contract) => (contract.consumers as readonly string[]).includes(service.name))
    .map((contract) => contract.producer as string);
  return [...new Set([...service.consumes, ...byContract])].filter((producer) => producer !== service.name);
}

/** What a service may publish and subscribe to. */
export function natsPermissionsOf(service: { name: string; consumes: readonly string[] }): NatsPermissions {
  const own = streamNameOf(service.name);
  const publish = [
    `${service.name}.>`,
    `${deadLetterSubjectPrefix}.${service.name}.>`,
    // Account information: the JetStream manager asks for it once to see that JetStream is there.
    '$JS.API.INFO',
    `$JS.API.STREAM.CREATE.${own}`,
    `$JS.API.STREAM.UPDATE.${own}`,
    `$JS.API.STREAM.INFO.${own}`,
    // Whoever dead-letters first creates it; its limits are the admin's to change.
    `$JS.API.STREAM.CREATE.${deadLetterStream}`,
    `$JS.API.STREAM.INFO.${deadLetterStream}`,
  ];
  for (const producer of producersReadBy(service)) {
    const stream = streamNameOf(producer);
    publish.push(
      // To wait for the producer to create it: a consumer never creates another service's stream.
      `$JS.API.STREAM.INFO.${stream}`,
      // Durable pull consumers with a filter subject: CONSUMER.CREATE.<stream>.<name>.<filter>.
      `$JS.API.CONSUMER.CREATE.${stream}.*.>`,
      `$JS.API.CONSUMER.INFO.${stream}.*`,
      `$JS.API.CONSUMER.MSG.NEXT.${stream}.*`,
      `$JS.ACK.${stream}.*.>`,
    );
  }
  return { publish, subscribe: [`${natsInboxPrefixOf(service.name)}.>`] };
}

/** An identity that only listens: core subscriptions to the given subjects, no JetStream, no publishing. */
export type NatsListener = { name: string; natsSubscribes: readonly string[] };

/** What a listener (the gateway) may do: subscribe to its subjects, and nothing else. */
export function natsListenerPermissionsOf(listener: NatsListener): NatsPermissions {
  return { publish: [], subscribe: [...listener.natsSubscribes] };
}

export type NatsServerConfigOptions = {
  /** The registry's services: their users and permissions. */
  services: readonly { name: string; consumes: readonly string[] }[];
  /** Identities that only listen (the gateway); their passwords are in `passwords` too. */
  listeners?: readonly NatsListener[];
  /** Each service's password, by service name. */
  passwords: Readonly<Record<string, NatsConfigPassword>>;
  adminPassword: NatsConfigPassword;
  /** Client port and address; the command line may set them instead (-p, -a). */
  port?: number;
  host?: string;
  /** JetStream's store folder; the command line may set it instead (-sd). */
  storeDir?: string;
  /** The monitoring endpoint (/healthz, /varz, /connz): off unless asked for, and then best bound to 127.0.0.1. */
  monitoring?: { host: string; port: number };
};

const quote = (value: string) => JSON.stringify(value);
const passwordValue = (password: NatsConfigPassword) => (typeof password === 'string' ? quote(password) : `$${password.env}`);
const list = (subjects: readonly string[], indent: string) => `[\n${subjects.map((subject) => `${indent}  ${quote(subject)}`).join(',\n')}\n${indent}]`;

/** One user of the configuration: its publish rule (allow or deny list) and the subjects it may subscribe to. */
function userEntry(name: string, password: NatsConfigPassword, publishRule: string, subscribe: readonly string[]): string {
  return [
    `    {`,
    `      user: ${quote(natsUserOf(name))}, password: ${passwordValue(password)}`,
    `      permissions: {`,
    `        publish: { ${publishRule} }`,
    `        subscribe: { allow: ${list(subscribe, '        ')} }`,
    `      }`,
    `    }`,
  ].join('\n');
}

/**
 * A nats-server configuration file: JetStream on, one user per service with the permissions of
 * natsPermissionsOf, one per listener that may subscribe to its subjects and publish nothing, an
 * admin user, no anonymous access, and no monitoring port unless asked for.
 */
export function natsServerConfig(options: NatsServerConfigOptions): string {
  const lines: string[] = [
    '# nats-server configuration generated from the service registry (packages/config/src/service-registry.ts)',
    '# by natsServerConfig in packages/events/src/nats-identities.ts.',
  ];
  if (options.host) lines.push(`host: ${quote(options.host)}`);
  if (options.port !== undefined) lines.push(`port: ${options.port}`);
  if (options.monitoring) lines.push(`http: ${quote(`${options.monitoring.host}:${options.monitoring.port}`)}`);
  lines.push(options.storeDir ? `jetstream {\n  store_dir: ${quote(options.storeDir)}\n}` : 'jetstream {}');
  const users = [`    { user: ${quote(natsAdminUser)}, password: ${passwordValue(options.adminPassword)} }`];
  for (const service of options.services) {
    const password = options.passwords[service.name];
    if (password === undefined) throw new Error(`natsServerConfig: no password for ${service.name}`);
    const { publish, subscribe } = natsPermissionsOf(service);
    users.push(userEntry(service.name, password, `allow: ${list(publish, '        ')}`, subscribe));
  }
  for (const listener of options.listeners ?? []) {
    const password = options.passwords[listener.name];
    if (password === undefined) throw new Error(`natsServerConfig: no password for ${listener.name}`);
    // An empty allow list would not restrict publishing: deny everything instead.
    users.push(userEntry(listener.name, password, `deny: ${list(['>'], '        ')}`, natsListenerPermissionsOf(listener).subscribe));
  }
  lines.push(`authorization {\n  users: [\n${users.join('\n')}\n  ]\n}`);
  return `${lines.join('\n')}\n`;
}

/** `<SERVICE>_NATS_PASSWORD`: where a service reads its NATS password, and docker-compose's nats-server too. */
export const natsPasswordVariable = (service: string) => `${envPrefix(service)}_NATS_PASSWORD`;

/** Where the tools (dead-letters CLI) read the admin password. */
export const natsAdminPasswordVariable = 'NATS_ADMIN_PASSWORD';
