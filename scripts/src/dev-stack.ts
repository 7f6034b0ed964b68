// `npm start`: the whole platform on one machine. Embedded PostgreSQL and nats-server run as child
// processes (unless *_DATABASE_URL / NATS_URL point elsewhere), migrations are applied, then every
// subgraph and the gateway start. Ctrl-C or SIGTERM stops everything, PostgreSQL last and cleanly.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { EnvError, serviceRegistry } from '@jobplatform/config';
import { applyMigrations, serviceSchema } from '@jobplatform/database';
import { startEmbeddedPostgres, startNatsServer, type EmbeddedPostgresHandle, type NatsServerHandle } from '@jobplatform/embedded-infra';
import { natsAdminPasswordVariable, natsPasswordVariable, natsServerConfig } from '@jobplatform/events';
import { loadDevNatsPasswords, loadDevSecrets } from './dev-keys.js';
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
const children: { name: string; process: ChildProcess }[] = [];
let postgres: EmbeddedPostgresHandle | undefined;
let nats: NatsServerHandle | undefined;
let stopping = false;

async function waitForReady(url: string, child: ChildProcess, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`exited with code ${child.exitCode} before becoming ready`);
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

function launch(service: PlatformService, env: NodeJS.ProcessEnv): ChildProcess {
  const log = prefixed(service.name);
  // A process group of its own, like PostgreSQL and NATS: Ctrl-C reaches only this launcher, which
  // stops everything in order (a service hit by the terminal's SIGINT and then by our SIGTERM would
  // take the second signal as "exit now" and skip its drain).
  const child = spawn(process.execPath, [path.join(repoRoot, service.entry)], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  for (const stream of [child.stdout, child.stderr]) {
    let pending = '';
    stream.on('data', (chunk: Buffer) => {
      const lines = (pending + chunk.toString('utf8')).split('\n');
      pending = lines.pop() ?? '';
      lines.forEach(log);
    });
  }
  child.on('exit', (code, signal) => {
    if (!stopping) {
      say(`${service.name} stopped unexpectedly (${signal ?? `code ${code}`}); shutting the platform down`);
      void shutdown(1);
    }
  });
  children.push({ name: service.name, process: child });
  return child;
}

async function shutdown(exitCode: number): Promise<never> {
  if (stopping) return new Promise(() => undefined);
  stopping = true;
  say('stopping…');
  // The gateway first, then subgraphs, then NATS, then PostgreSQL.
  for (const { process: child } of [...children].reverse()) {
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
  await nats?.stop();
  await postgres?.stop();
  say('stopped');
  process.exit(exitCode);
}

async function main(): Promise<void> {
  const env = loadDevStackEnv();
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));
  // Should this launcher die without shutting down, its services, being in groups of their own, go with it.
  process.on('exit', () => {
    for (const { process: child } of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const secrets = await loadDevSecrets(env.JOBPLATFORM_DATA_DIR);

  const needsEmbeddedPostgres = subgraphServices.some((s) => !env.passThrough[databaseUrlVariable(s.name)]);
  if (needsEmbeddedPostgres) {
    say(`starting embedded PostgreSQL on 127.0.0.1:${env.EMBEDDED_POSTGRES_PORT}`);
    postgres = await startEmbeddedPostgres({
      dataDir: path.join(env.JOBPLATFORM_DATA_DIR, 'postgres'),
      port: env.EMBEDDED_POSTGRES_PORT,
      onLog: prefixed('postgres'),
      ownProcessGroup: true,
    });
  }
  // Each service connects to NATS as itself (<NAME>_NATS_PASSWORD, by default a development key).
  const devNatsPasswords = await loadDevNatsPasswords(env.JOBPLATFORM_DATA_DIR, serviceRegistry.map((service) => service.name));
  const natsPasswordOf = (service: string) => env.passThrough[natsPasswordVariable(service)] ?? devNatsPasswords.services[service]!;
  let natsUrl = env.NATS_URL;
  if (!natsUrl) {
    say(`starting nats-server (JetStream) on 127.0.0.1:${env.EMBEDDED_NATS_PORT}`);
    const config = natsServerConfig({
      services: serviceRegistry,
      passwords: Object.fromEntries(serviceRegistry.map((service) => [service.name, natsPasswordOf(service.name)])),
      adminPassword: env.passThrough[natsAdminPasswordVariable] ?? devNatsPasswords.admin,
    });
    nats = await startNatsServer({ port: env.EMBEDDED_NATS_PORT, storeDir: path.join(env.JOBPLATFORM_DATA_DIR, 'nats'), config, onLog: prefixed('nats'), ownProcessGroup: true });
    natsUrl = nats.url;
  }

  const serviceEnv: NodeJS.ProcessEnv = {
    ...env.passThrough,
    NODE_ENV: env.passThrough.NODE_ENV ?? 'development',
    LOG_LEVEL: env.LOG_LEVEL,
    NATS_URL: natsUrl,
    JWT_PRIVATE_KEY: env.passThrough.JWT_PRIVATE_KEY ?? secrets.jwtPrivateKey,
    FIELD_ENCRYPTION_KEY: env.passThrough.FIELD_ENCRYPTION_KEY ?? secrets.fieldEncryptionKey,
    GATEWAY_HOP_SECRET: env.passThrough.GATEWAY_HOP_SECRET ?? secrets.gatewayHopSecret,
    BOOTSTRAP_ADMIN_EMAIL: env.BOOTSTRAP_ADMIN_EMAIL,
    BOOTSTRAP_ADMIN_PASSWORD: env.BOOTSTRAP_ADMIN_PASSWORD ?? secrets.adminPassword,
    JWKS_URL: env.passThrough.JWKS_URL ?? `http://127.0.0.1:${subgraphServices[0]!.port}/.well-known/jwks.json`,
  };

  for (const service of subgraphServices) {
    const variable = databaseUrlVariable(service.name);
    if (!serviceEnv[variable]) {
      await postgres!.ensureDatabase(service.database!);
      serviceEnv[variable] = postgres!.urlFor(service.database!);
    }
    const applied = await applyMigrations(serviceEnv[variable]!, serviceSchema(path.join(repoRoot, 'prisma'), service.name));
    say(`${service.name}: ${applied.length > 0 ? `applied ${applied.join(', ')}` : 'database is up to date'}`);
  }

  // Subgraphs start side by side; the gateway needs them all.
  await Promise.all(
    subgraphServices.map((service) => waitForReady(`http://127.0.0.1:${service.port}/readyz`, launch(service, { ...serviceEnv, [natsPasswordVariable(service.name)]: natsPasswordOf(service.name) })).catch((error: Error) => {
      throw new Error(`${service.name} ${error.message}`);
    })),
  );
  const gateway = launch(gatewayService, serviceEnv);
  await waitForReady(`http://127.0.0.1:${gatewayService.port}/readyz`, gateway);

  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  say(`ready in ${seconds} s`);
  say(`GraphQL gateway:  http://127.0.0.1:${gatewayService.port}/graphql   (WebSocket subscriptions on the same path)`);
  if (!env.BOOTSTRAP_ADMIN_PASSWORD) say(`admin sign-in:    ${env.BOOTSTRAP_ADMIN_EMAIL} / ${secrets.adminPassword}`);
  if (nats) say(`NATS admin:       user admin, password in ${path.join(env.JOBPLATFORM_DATA_DIR, 'keys', 'nats-admin.password')} (npm run dead-letters reads it)`);
  say('press Ctrl-C to stop');
}

main().catch(async (error: unknown) => {
  say(error instanceof EnvError ? error.message : `start-up failed: ${error instanceof Error ? error.message : String(error)}`);
  await shutdown(1);
});
