// `npm start`: the whole platform on one machine. Embedded PostgreSQL and nats-server run as child
// processes (unless *_DATABASE_URL / NATS_URL point elsewhere), and a mail catcher in this process
// takes every mail the services send (unless SMTP_URL names a server); migrations are applied
// (databases, and the streams' purge of retired subjects), then every subgraph and the gateway start. Once all are up, a service that crashes is reported and restarted
// with backoff while the others keep serving. Ctrl-C or SIGTERM stops everything, PostgreSQL last
// and cleanly.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { databaseRole, EnvError, gatewayDefinition, serviceRegistry } from '@jobplatform/config';
import { applyMigrations, provisionServiceDatabase, serviceSchema } from '@jobplatform/database';
import { startEmbeddedPostgres, startNatsServer, type EmbeddedPostgresHandle, type NatsServerHandle } from '@jobplatform/embedded-infra';
import { connectToNats, natsAdminPasswordVariable, natsAdminUser, natsPasswordVariable, natsServerConfig, purgeRetiredSubjects } from '@jobplatform/events';
import { mailCatcherDir, startMailCatcher, type MailCatcher } from '@jobplatform/mail/catcher';
import { loadDevNatsPasswords, loadDevPostgresPasswords, loadDevSecrets } from './dev-keys.js';
import { loadDevStackEnv, repoRoot } from './dev-stack-env.js';
import { databaseUrlVariable, gatewayService, subgraphServices, type PlatformService } from './platform-services.js';

const started = Date.now();
const colours = ['\x1b[36m', '\x1b[35m', '\x1b[33m', '\x1b[32m', '\x1b[34m', '\x1b[31m', '\x1b[96m', '\x1b[95m'];
const reset = '\x1b[0m';
let colourIndex = 0;

function prefixed(label: string): (line: string) => void {
  const colour = colours[colourIndex++ % colours.length];
  const tag = `${colour}${label.padEnd(13)}${reset}|`;
  return (line) => process.stdout.write(`${tag} ${line}\n`);
}

const say = prefixed('platform');

/** A service process under watch: the process of the moment, and its crash record. */
type Supervised = {
  service: PlatformService;
  env: NodeJS.ProcessEnv;
  log: (line: string) => void;
  process: ChildProcess;
  startedAt: number;
  /** Crashes since the service last stayed up for RESTART_RESET_AFTER_MS. */
  crashes: number;
  restartTimer?: NodeJS.Timeout;
};

/** Restart delays double from 1 s up to 30 s; a service that stays up a minute starts again from 1 s. */
const RESTART_FIRST_DELAY_MS = 1_000;
const RESTART_MAX_DELAY_MS = 30_000;
const RESTART_RESET_AFTER_MS = 60_000;

const supervised: Supervised[] = [];
let postgres: EmbeddedPostgresHandle | undefined;
let nats: NatsServerHandle | undefined;
let mailCatcher: MailCatcher | undefined;
let stopping = false;
/** Until every service has come up once, a service that exits fails the start instead of restarting. */
let supervising = false;

async function waitForReady(url: string, child: ChildProcess, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`exited (${child.signalCode ?? `code ${child.exitCode}`}) before becoming ready`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`not ready after ${timeoutMs} ms (${url})`);
}

function spawnService(entry: Supervised): void {
  // A process group of its own, like PostgreSQL and NATS: Ctrl-C reaches only this launcher, which
  // stops everything in order (a service hit by the terminal's SIGINT and then by our SIGTERM would
  // take the second signal as "exit now" and skip its drain).
  const child = spawn(process.execPath, [...entry.service.nodeArgs, path.join(repoRoot, entry.service.entry)], {
    cwd: repoRoot,
    env: entry.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  for (const stream of [child.stdout, child.stderr]) {
    let pending = '';
    stream.on('data', (chunk: Buffer) => {
      const lines = (pending + chunk.toString('utf8')).split('\n');
      pending = lines.pop() ?? '';
      lines.forEach(entry.log);
    });
  }
  child.on('exit', (code, signal) => onServiceExit(entry, signal ?? `code ${code}`));
  entry.process = child;
  entry.startedAt = Date.now();
}

function onServiceExit(entry: Supervised, how: string): void {
  if (stopping) return;
  const name = entry.service.name;
  if (!supervising) {
    say(`${name} stopped unexpectedly (${how}) while the platform was starting; shutting the platform down`);
    void shutdown(1);
    return;
  }
  const upForMs = Date.now() - entry.startedAt;
  entry.crashes = upForMs >= RESTART_RESET_AFTER_MS ? 1 : entry.crashes + 1;
  const delayMs = Math.min(RESTART_FIRST_DELAY_MS * 2 ** (entry.crashes - 1), RESTART_MAX_DELAY_MS);
  const repeated = entry.crashes > 1 ? `, crash ${entry.crashes} in a row` : '';
  say(`${name} crashed (${how}) after ${(upForMs / 1000).toFixed(1)} s up${repeated}; restarting it in ${delayMs / 1000} s, the other services keep running`);
  entry.restartTimer = setTimeout(() => {
    entry.restartTimer = undefined;
    if (stopping) return;
    spawnService(entry);
    say(`${name} restarted`);
    waitForReady(readyUrlOf(entry.service), entry.process).then(
      () => say(`${name} is ready again`),
      () => undefined, // it exited again: its exit handler reports that and schedules the next try
    );
  }, delayMs);
}

const readyUrlOf = (service: PlatformService) => `http://127.0.0.1:${service.port}/readyz`;

function launch(service: PlatformService, env: NodeJS.ProcessEnv): ChildProcess {
  const entry = { service, env, log: prefixed(service.name), crashes: 0 } as Supervised;
  spawnService(entry);
  supervised.push(entry);
  return entry.process;
}

async function shutdown(exitCode: number): Promise<never> {
  if (stopping) return new Promise(() => undefined);
  stopping = true;
  say('stopping…');
  for (const entry of supervised) clearTimeout(entry.restartTimer);
  // The gateway first, then subgraphs, then NATS, then PostgreSQL.
  for (const { process: child } of [...supervised].reverse()) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.once('exit', () => {
        clearTimeout(force);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }
  await mailCatcher?.stop();
  await nats?.stop();
  await postgres?.stop();
  say('stopped');
  process.exit(exitCode);
}

/**
 * The streams' data migration: messages of retired subjects (users' old verification and reset
 * events, with tokens) are erased. Needs the admin identity; a server of one's own (NATS_URL)
 * without NATS_ADMIN_PASSWORD is left as it is, with a warning.
 */
async function purgeRetiredMessages(natsUrl: string, adminPassword: string | undefined): Promise<void> {
  try {
    const admin = await connectToNats(natsUrl, 'dev-stack-migrate', adminPassword ? { user: natsAdminUser, password: adminPassword } : {});
    try {
      const { removed, deadLetters } = await purgeRetiredSubjects(admin);
      const total = Object.values(removed).reduce((sum, n) => sum + n, 0) + deadLetters;
      if (total > 0) say(`streams: erased ${total} message(s) of retired subjects`);
    } finally {
      await admin.close();
    }
  } catch (error) {
    say(
      `streams: could not purge retired subjects as the NATS admin (${error instanceof Error ? error.message : String(error)}); run npm run migrate with NATS_URL and NATS_ADMIN_PASSWORD`,
    );
  }
}

async function main(): Promise<void> {
  const env = loadDevStackEnv();
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));
  // Should this launcher die without shutting down, its services, being in groups of their own, go with it.
  process.on('exit', () => {
    for (const { process: child } of supervised) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const secrets = await loadDevSecrets(env.JOBPLATFORM_DATA_DIR);

  const needsEmbeddedPostgres = subgraphServices.some((s) => !env.passThrough[databaseUrlVariable(s.name)]);
  // Each service logs in as a role of its own; the superuser only makes roles and databases.
  const devPostgresPasswords = await loadDevPostgresPasswords(
    env.JOBPLATFORM_DATA_DIR,
    subgraphServices.map((s) => s.name),
  );
  if (needsEmbeddedPostgres) {
    say(`starting embedded PostgreSQL on 127.0.0.1:${env.EMBEDDED_POSTGRES_PORT}`);
    postgres = await startEmbeddedPostgres({
      dataDir: path.join(env.JOBPLATFORM_DATA_DIR, 'postgres'),
      port: env.EMBEDDED_POSTGRES_PORT,
      password: devPostgresPasswords.admin,
      // A cluster made before the superuser's password was generated had this one.
      formerPasswords: ['postgres'],
      onLog: prefixed('postgres'),
      ownProcessGroup: true,
    });
  }
  // Each service, and the gateway, connects to NATS as itself (<NAME>_NATS_PASSWORD, by default a development key).
  const devNatsPasswords = await loadDevNatsPasswords(env.JOBPLATFORM_DATA_DIR, [...serviceRegistry.map((service) => service.name), gatewayDefinition.name]);
  const natsPasswordOf = (service: string) => env.passThrough[natsPasswordVariable(service)] ?? devNatsPasswords.services[service]!;
  let natsUrl = env.NATS_URL;
  if (!natsUrl) {
    say(`starting nats-server (JetStream) on 127.0.0.1:${env.EMBEDDED_NATS_PORT}`);
    const config = natsServerConfig({
      services: serviceRegistry,
      listeners: [gatewayDefinition],
      passwords: Object.fromEntries([...serviceRegistry, gatewayDefinition].map((service) => [service.name, natsPasswordOf(service.name)])),
      adminPassword: env.passThrough[natsAdminPasswordVariable] ?? devNatsPasswords.admin,
    });
    nats = await startNatsServer({ port: env.EMBEDDED_NATS_PORT, storeDir: path.join(env.JOBPLATFORM_DATA_DIR, 'nats'), config, onLog: prefixed('nats'), ownProcessGroup: true });
    natsUrl = nats.url;
  }
  await purgeRetiredMessages(natsUrl, env.passThrough[natsAdminPasswordVariable] ?? devNatsPasswords.admin);

  let smtpUrl = env.passThrough.SMTP_URL;
  if (!smtpUrl) {
    mailCatcher = await startMailCatcher({ dir: mailCatcherDir(env.JOBPLATFORM_DATA_DIR), port: env.MAIL_CATCHER_PORT });
    smtpUrl = mailCatcher.url;
    say(`mail catcher on ${smtpUrl}`);
  }

  const serviceEnv: NodeJS.ProcessEnv = {
    ...env.passThrough,
    NODE_ENV: env.passThrough.NODE_ENV ?? 'development',
    LOG_LEVEL: env.LOG_LEVEL,
    NATS_URL: natsUrl,
    SMTP_URL: smtpUrl,
    JWT_PRIVATE_KEY: env.passThrough.JWT_PRIVATE_KEY ?? secrets.jwtPrivateKey,
    FIELD_ENCRYPTION_KEY: env.passThrough.FIELD_ENCRYPTION_KEY ?? secrets.fieldEncryptionKey,
    GATEWAY_HOP_SECRET: env.passThrough.GATEWAY_HOP_SECRET ?? secrets.gatewayHopSecret,
    APPLICATIONS_UPLOAD_SIGNING_SECRET: env.passThrough.APPLICATIONS_UPLOAD_SIGNING_SECRET ?? secrets.uploadSigningSecret,
    BOOTSTRAP_ADMIN_EMAIL: env.BOOTSTRAP_ADMIN_EMAIL,
    BOOTSTRAP_ADMIN_PASSWORD: env.BOOTSTRAP_ADMIN_PASSWORD ?? secrets.adminPassword,
    JWKS_URL: env.passThrough.JWKS_URL ?? `http://127.0.0.1:${subgraphServices[0]!.port}/.well-known/jwks.json`,
  };

  for (const service of subgraphServices) {
    const variable = databaseUrlVariable(service.name);
    if (!serviceEnv[variable]) {
      // Also the upgrade of a database made before the roles: what postgres owned there becomes the role's.
      const access = { database: service.database!, role: databaseRole(service.name), password: devPostgresPasswords.services[service.name]! };
      const { url, handedOver } = await provisionServiceDatabase(postgres!.urlFor('postgres'), access);
      if (handedOver > 0) say(`${service.name}: ${access.role} now owns ${service.database} and the ${handedOver} object(s) in it that other roles owned`);
      serviceEnv[variable] = url;
    }
    const applied = await applyMigrations(serviceEnv[variable]!, serviceSchema(path.join(repoRoot, 'prisma'), service.name));
    say(`${service.name}: ${applied.length > 0 ? `applied ${applied.join(', ')}` : 'database is up to date'}`);
  }

  // Subgraphs start side by side; the gateway needs them all.
  await Promise.all(
    subgraphServices.map((service) =>
      waitForReady(readyUrlOf(service), launch(service, { ...serviceEnv, [natsPasswordVariable(service.name)]: natsPasswordOf(service.name) })).catch((error: Error) => {
        throw new Error(`${service.name} ${error.message}`);
      }),
    ),
  );
  const gateway = launch(gatewayService, { ...serviceEnv, [natsPasswordVariable(gatewayDefinition.name)]: natsPasswordOf(gatewayDefinition.name) });
  await waitForReady(readyUrlOf(gatewayService), gateway);
  supervising = true;

  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  say(`ready in ${seconds} s`);
  say(`GraphQL gateway:  http://127.0.0.1:${gatewayService.port}/graphql   (WebSocket subscriptions on the same path)`);
  if (!env.BOOTSTRAP_ADMIN_PASSWORD) say(`admin sign-in:    ${env.BOOTSTRAP_ADMIN_EMAIL} / ${secrets.adminPassword}`);
  if (nats) say(`NATS admin:       user admin, password in ${path.join(env.JOBPLATFORM_DATA_DIR, 'keys', 'nats-admin.password')} (npm run dead-letters reads it)`);
  if (mailCatcher) say(`mail:             nothing leaves this machine: the catcher keeps every mail in ${mailCatcher.dir} (npm run mail -- list, npm run mail -- show N)`);
  else say(`mail:             sent through SMTP_URL (${smtpUrl.replace(/\/\/[^@/]*@/, '//')})`);
  say('press Ctrl-C to stop');
}

main().catch(async (error: unknown) => {
  say(error instanceof EnvError ? error.message : `start-up failed: ${error instanceof Error ? error.message : String(error)}`);
  await shutdown(1);
});
