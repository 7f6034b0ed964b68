import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as prettier from 'prettier';
import { parse as parseYaml } from 'yaml';
import { devStackPostgres, sharedPrismaFiles, type SharedPrismaFile } from '@jobplatform/config';
import { loadGatewayEnv } from '../../../gateway/src/env.js';
import { repoRoot } from '../dev-stack-env.js';
import { createMigrationOffline } from '../migrate-create.js';
import { composeSupergraph } from '../schema/compose-supergraph.js';
import { loadSupergraphConfig } from '../schema/supergraph-config.js';
import { formatProblem } from '../schema/source-location.js';
import { addComposeService, addInitDatabase, addSupergraphEntry, composeDatabasePassword, composeDatabaseUrl, composeNatsPassword } from './platform-files.js';
import { addRegistryEntry, readRegistrySource, registryFile, type RegistryEntry } from './registry-source.js';
import { nameProblem, namesOf, type ServiceNames } from './service-names.js';
import { npmDependencies, serviceFiles } from './templates.js';

export type NewSubgraphOptions = {
  /** The checkout to write into (the repository itself, or a copy in tests). */
  root: string;
  name: string;
  /** Default: the one after the highest port in the registry. */
  port?: number;
  /** Takes part in account erasure (`erasure: 'participant'`). */
  erasure?: boolean;
  /** Keeps a users replica (user_replicas, `prismaIncludes: [..., 'user-replica']`). */
  userReplica?: boolean;
  /** Writes the first migration on a throw-away embedded PostgreSQL (default true). */
  migrate?: boolean;
  /** npm install, the service's code generation, npm run compose (default true). */
  install?: boolean;
  log?: (line: string) => void;
};

export type NewSubgraphResult = {
  names: ServiceNames;
  entry: RegistryEntry;
  /** Files written or edited, relative to the root. */
  written: string[];
  edited: string[];
  migration: string | undefined;
};

export class NewSubgraphRefused extends Error {
  override name = 'NewSubgraphRefused';
}

/** Platform files the generator edits, relative to the root. */
const platformFiles = {
  registry: registryFile,
  supergraphConfig: 'schema/supergraph.config.json',
  postgresInit: 'docker/postgres-init.sql',
  compose: 'docker-compose.yml',
} as const;

/** Ports the dev stack's own servers take by default (scripts/src/dev-stack-env.ts). */
const infrastructurePorts = new Map([
  [devStackPostgres.port, 'the embedded PostgreSQL of npm start'],
  [4222, 'the nats-server of npm start'],
]);

function choosePort(taken: Map<number, string>, registered: number[], requested: number | undefined): number {
  if (requested !== undefined) {
    if (!Number.isInteger(requested) || requested < 1024 || requested > 65535) throw new NewSubgraphRefused(`--port ${requested}: use a port from 1024 to 65535`);
    const owner = taken.get(requested);
    if (owner) throw new NewSubgraphRefused(`--port ${requested} is taken by ${owner}`);
    return requested;
  }
  let port = Math.max(...registered) + 1;
  while (taken.has(port)) port += 1;
  return port;
}

/**
 * What the new service would need of the platform, checked before anything is written: that the
 * supergraph config accepts its name and the service composes with the others, and that the
 * gateway reads its <NAME>_SUBGRAPH_URL (docker-compose routes it that way).
 */
function checkPlatformAccepts(root: string, names: ServiceNames, configText: string, sdl: string): void {
  const gatewayRoutes = loadGatewayEnv({ NODE_ENV: 'development', [`${names.env}_SUBGRAPH_URL`]: `http://${names.name}:1/graphql` }).subgraphUrls[names.name];
  if (!gatewayRoutes) {
    throw new NewSubgraphRefused(`"${names.name}": the gateway does not read ${names.env}_SUBGRAPH_URL as this service's URL (gateway/src/env.ts); choose a name of letters only`);
  }
  const stage = mkdtempSync(path.join(os.tmpdir(), 'new-subgraph-'));
  try {
    const configPath = path.join(stage, platformFiles.supergraphConfig);
    mkdirSync(path.dirname(configPath), { recursive: true });
    writeFileSync(configPath, configText);
    const current = loadSupergraphConfig(path.join(root, platformFiles.supergraphConfig), root);
    for (const subgraph of current.subgraphs) {
      const copy = path.join(stage, path.relative(root, subgraph.sdlPath));
      mkdirSync(path.dirname(copy), { recursive: true });
      writeFileSync(copy, readFileSync(subgraph.sdlPath));
    }
    const newSdl = path.join(stage, 'subgraphs', names.name, 'src', 'schema.graphql');
    mkdirSync(path.dirname(newSdl), { recursive: true });
    writeFileSync(newSdl, sdl);
    const outcome = composeSupergraph({ configPath, root: stage });
    if (!outcome.ok) {
      throw new NewSubgraphRefused(`"${names.name}" would not compose with the supergraph:\n${outcome.problems.map((p) => `  ${formatProblem(p)}`).join('\n')}`);
    }
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

/** The versions this workspace has installed, so that npm install needs nothing new. */
function installedVersions(): Record<(typeof npmDependencies)[number], string> {
  return Object.fromEntries(
    npmDependencies.map((name) => [name, (JSON.parse(readFileSync(path.join(repoRoot, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version]),
  ) as Record<(typeof npmDependencies)[number], string>;
}

/** Checks the edited compose file says what the service registry test will ask of it. */
function checkCompose(text: string, names: ServiceNames, port: number): void {
  type Service = { command?: string[]; environment?: Record<string, unknown>; depends_on?: Record<string, unknown> };
  const services = (parseYaml(text, { merge: true }) as { services: Record<string, Service> }).services;
  const problems = [
    services[names.name]?.command?.[1] === `subgraphs/${names.name}/dist/index.js` ? '' : 'its service block',
    services[names.name]?.environment?.[`${names.env}_PORT`] === port ? '' : `its ${names.env}_PORT`,
    services.migrate?.environment?.[`${names.env}_DATABASE_URL`] === composeDatabaseUrl(names.name, names.database) ? '' : `the migrate job's ${names.env}_DATABASE_URL`,
    services[names.name]?.environment?.[`${names.env}_DATABASE_URL`] === composeDatabaseUrl(names.name, names.database) ? '' : `its ${names.env}_DATABASE_URL`,
    ...(composeDatabasePassword(text, names) === undefined
      ? []
      : [services.postgres?.environment?.[`${names.env}_DATABASE_PASSWORD`] ? '' : `its ${names.env}_DATABASE_PASSWORD at postgres`]),
    services.gateway?.environment?.[`${names.env}_SUBGRAPH_URL`] === `http://${names.name}:${port}/graphql` ? '' : `the gateway's ${names.env}_SUBGRAPH_URL`,
    names.name in (services.gateway?.depends_on ?? {}) ? '' : "the gateway's depends_on",
    ...(composeNatsPassword(text, names) === undefined
      ? []
      : [
          services[names.name]?.environment?.[`${names.env}_NATS_PASSWORD`] && services.nats?.environment?.[`${names.env}_NATS_PASSWORD`]
            ? ''
            : `its ${names.env}_NATS_PASSWORD at the service and at nats`,
        ]),
  ].filter(Boolean);
  if (problems.length > 0) throw new Error(`docker-compose.yml: the edit did not produce ${problems.join(', ')}; add them by hand`);
}

/**
 * The files in the project's Prettier style (.prettierrc.json of this repository), so that a new
 * service passes `npm run lint` as written: TypeScript, JavaScript and JSON but package.json,
 * which npm writes.
 */
async function inHouseStyle(files: Record<string, string>): Promise<Record<string, string>> {
  const config = (await prettier.resolveConfig(path.join(repoRoot, '.prettierrc.json'))) ?? {};
  const styled: Record<string, string> = {};
  for (const [file, text] of Object.entries(files)) {
    const formatted = /\.(ts|js|mjs|json)$/.test(file) && path.basename(file) !== 'package.json';
    styled[file] = formatted ? await prettier.format(text, { ...config, filepath: file }) : text;
  }
  return styled;
}

function run(root: string, command: string, args: string[], log: (line: string) => void): void {
  log(`$ ${[command, ...args].join(' ')}`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: process.env });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.error?.message ?? `exit ${result.status}`})`);
}

/**
 * Writes a new subgraph service and registers it everywhere the platform needs it: the service
 * registry, the supergraph config, docker/postgres-init.sql and docker-compose.yml; then its first
 * migration and, unless told not to, npm install, its code generation and the supergraph. Refuses
 * (NewSubgraphRefused, nothing written) a bad or taken name or port. Should a step fail after the
 * writing began, what it wrote is taken back, except when npm install or a later step failed.
 */
export async function generateSubgraph(options: NewSubgraphOptions): Promise<NewSubgraphResult> {
  const { root, erasure = false, userReplica = false, migrate = true, install = true } = options;
  const log = options.log ?? (() => undefined);
  const problem = nameProblem(options.name);
  if (problem) throw new NewSubgraphRefused(problem);
  const names = namesOf(options.name);

  const registry = readRegistrySource(path.join(root, registryFile));
  if (registry.services.some((s) => s.name === names.name)) throw new NewSubgraphRefused(`"${names.name}" is already in the service registry (${registryFile})`);
  for (const dir of [`subgraphs/${names.name}`, `prisma/${names.name}`]) {
    if (existsSync(path.join(root, dir))) throw new NewSubgraphRefused(`${dir} already exists; remove it first or choose another name`);
  }
  const taken = new Map<number, string>([
    ...registry.services.map((s): [number, string] => [s.port, `the ${s.name} service`]),
    [registry.gatewayPort, 'the gateway'],
    ...infrastructurePorts,
  ]);
  const port = choosePort(taken, [registry.gatewayPort, ...registry.services.map((s) => s.port)], options.port);

  const prismaIncludes: SharedPrismaFile[] = userReplica ? ['event-tables', 'user-replica'] : ['event-tables'];
  const entry: RegistryEntry = { name: names.name, port, database: names.database, consumes: ['users'], erasure: erasure ? 'participant' : 'none', prismaIncludes };
  const files = await inHouseStyle(serviceFiles({ names, port, erasure, userReplica, versions: installedVersions() }));

  const read = (file: string) => readFileSync(path.join(root, file), 'utf8');
  const originals = Object.fromEntries(Object.values(platformFiles).map((file) => [file, read(file)])) as Record<string, string>;
  const edits: Record<string, string> = {
    [platformFiles.registry]: (await inHouseStyle({ [platformFiles.registry]: addRegistryEntry(originals[platformFiles.registry]!, entry) }))[platformFiles.registry]!,
    [platformFiles.supergraphConfig]: addSupergraphEntry(originals[platformFiles.supergraphConfig]!, names, port),
    [platformFiles.postgresInit]: addInitDatabase(originals[platformFiles.postgresInit]!, names),
    [platformFiles.compose]: addComposeService(originals[platformFiles.compose]!, names, port),
  };
  checkCompose(edits[platformFiles.compose]!, names, port);
  checkPlatformAccepts(root, names, edits[platformFiles.supergraphConfig]!, files[`subgraphs/${names.name}/src/schema.graphql`]!);

  const written: string[] = [];
  const edited: string[] = [];
  let migration: string | undefined;
  try {
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      writeFileSync(path.join(root, file), text, { flag: 'wx' });
      written.push(file);
    }
    for (const shared of prismaIncludes) {
      const link = `prisma/${names.name}/${shared}.prisma`;
      symlinkSync(`../../${sharedPrismaFiles[shared]}`, path.join(root, link));
      written.push(link);
    }
    for (const [file, text] of Object.entries(edits)) {
      if (text === originals[file]) continue;
      writeFileSync(path.join(root, file), text);
      edited.push(file);
    }
    const reread = readRegistrySource(path.join(root, registryFile));
    if (!reread.services.some((s) => s.name === names.name && s.port === port)) throw new Error(`${registryFile}: the new entry did not read back`);
    if (migrate) {
      log(`writing the first migration of ${names.database} (throw-away embedded PostgreSQL)`);
      const folder = await createMigrationOffline(path.join(root, 'prisma'), names.name, `create_${names.snake}`);
      migration = folder && path.relative(root, folder);
      if (migration) written.push(`${migration}/migration.sql`, `prisma/${names.name}/migrations/migration_lock.toml`);
    }
  } catch (error) {
    for (const file of edited) {
      if (read(file) === edits[file]) writeFileSync(path.join(root, file), originals[file]!);
    }
    for (const dir of [`subgraphs/${names.name}`, `prisma/${names.name}`]) rmSync(path.join(root, dir), { recursive: true, force: true });
    throw error;
  }

  // docker-compose's nats-server gets a user per registered service, written from the registry.
  const natsConfigScript = 'scripts/src/docker-nats-config.ts';
  if (existsSync(path.join(root, natsConfigScript))) {
    run(root, process.execPath, ['--conditions=development', '--import', 'tsx', natsConfigScript], log);
    edited.push('docker/nats-server.conf');
  }
  if (install) {
    run(root, 'npm', ['install', '--no-audit', '--no-fund'], log);
    run(root, 'npx', ['turbo', 'run', 'generate', `--filter=@jobplatform/${names.name}-subgraph`, '--output-logs=errors-only'], log);
    run(root, 'npm', ['run', 'compose'], log);
  }
  return { names, entry, written, edited, migration };
}
