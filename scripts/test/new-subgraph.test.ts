import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';
import { parse as parseYaml } from 'yaml';
import { generateSubgraph, NewSubgraphRefused, type NewSubgraphOptions } from '../src/new-subgraph/generate.js';
import { addComposeService } from '../src/new-subgraph/platform-files.js';
import { formatRegistryEntry, readRegistrySource, registryFile } from '../src/new-subgraph/registry-source.js';
import { namesOf } from '../src/new-subgraph/service-names.js';
import { composeSupergraph } from '../src/schema/compose-supergraph.js';
import { displayPath, loadSupergraphConfig } from '../src/schema/supergraph-config.js';
import { lintSubgraphSdls } from '../src/schema-check/sdl-lint.js';

// npm run new:subgraph against a copy of the files it reads and edits, without npm install: what it
// writes must satisfy what scripts/src/service-registry.test.ts checks of every registered service.

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const editedFiles = [registryFile, 'schema/supergraph.config.json', 'docker/postgres-init.sql', 'docker-compose.yml'];

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

/** A checkout with what the generator reads: the edited files, the shared Prisma files and every composed SDL. */
function copyOfRepository(): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'new-subgraph-test-'));
  roots.push(root);
  const sdls = loadSupergraphConfig().subgraphs.map((subgraph) => path.relative(repoRoot, subgraph.sdlPath));
  for (const file of [...editedFiles, ...sdls, 'packages/events/prisma/event-tables.prisma', 'packages/events/prisma/user-replica.prisma']) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    cpSync(path.join(repoRoot, file), path.join(root, file));
  }
  return root;
}

const read = (root: string, file: string) => readFileSync(path.join(root, file), 'utf8');

/** Every file below root with its content (links as their targets), to see that nothing changed. */
function snapshot(root: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else files[path.relative(root, full)] = entry.isSymbolicLink() ? `-> ${readlinkSync(full)}` : readFileSync(full, 'utf8');
    }
  };
  walk(root);
  return files;
}

/** The lines of `after` that are not in `before`, when after is before with lines added and none changed. */
function addedLines(before: string, after: string): string[] {
  const added: string[] = [];
  const old = before.split('\n');
  let i = 0;
  for (const line of after.split('\n')) {
    if (i < old.length && line === old[i]) i += 1;
    else added.push(line);
  }
  expect(i).toBe(old.length);
  return added;
}

const generate = (root: string, options: Omit<NewSubgraphOptions, 'root'>) => generateSubgraph({ root, install: false, migrate: false, ...options });

describe('a service with --erasure', () => {
  let root: string;
  let before: Record<string, string>;
  let port: number;

  beforeAll(async () => {
    root = copyOfRepository();
    before = snapshot(root);
    const registry = readRegistrySource(path.join(root, registryFile));
    port = Math.max(registry.gatewayPort, ...registry.services.map((s) => s.port)) + 1;
    await generate(root, { name: 'wishlists', erasure: true, migrate: true });
  });

  it('is registered on the next free port as an erasure participant, the rest of the registry as it was', () => {
    const registry = readRegistrySource(path.join(root, registryFile));
    expect(registry.services.at(-1)).toEqual({ name: 'wishlists', port });
    expect(registry.serviceNames).toContain('wishlists');
    const entry = formatRegistryEntry({ name: 'wishlists', port, database: 'wishlists_db', consumes: ['users'], erasure: 'participant', prismaIncludes: ['event-tables'] });
    const original = before[registryFile]!;
    const edited = registry.text.replace(`  ${entry},\n`, '');
    expect(edited).not.toBe(registry.text);
    expect(original.includes("'wishlists'") ? edited : edited.replace(", 'wishlists'] as const", '] as const')).toBe(original);
  });

  it('is in docker-compose.yml as the registry test wants it, every other line kept', () => {
    const text = read(root, 'docker-compose.yml');
    expect(addedLines(before['docker-compose.yml']!, text).length).toBeGreaterThan(20);
    type Service = { command?: string[]; environment?: Record<string, unknown>; depends_on?: Record<string, unknown> };
    const services = (parseYaml(text, { merge: true }) as { services: Record<string, Service> }).services;
    expect(services.wishlists?.command).toEqual(['node', 'subgraphs/wishlists/dist/index.js']);
    expect(services.wishlists?.environment).toMatchObject({ NATS_URL: 'nats://nats:4222', WISHLISTS_PORT: port, WISHLISTS_HOST: '0.0.0.0' });
    const databaseUrl = 'postgresql://wishlists_service:${WISHLISTS_DATABASE_PASSWORD}@postgres:5432/wishlists_db';
    expect(services.wishlists?.environment?.WISHLISTS_DATABASE_URL).toBe(databaseUrl);
    expect(services.migrate?.environment?.WISHLISTS_DATABASE_URL).toBe(databaseUrl);
    expect(String(services.postgres?.environment?.WISHLISTS_DATABASE_PASSWORD)).toMatch(/^\$\{WISHLISTS_DATABASE_PASSWORD:\?/);
    expect(services.gateway?.environment?.WISHLISTS_SUBGRAPH_URL).toBe(`http://wishlists:${port}/graphql`);
    expect(services.gateway?.depends_on?.wishlists).toEqual({ condition: 'service_healthy' });
    if (before['docker-compose.yml']!.includes('USERS_NATS_PASSWORD:')) {
      expect(String(services.wishlists?.environment?.WISHLISTS_NATS_PASSWORD)).toMatch(/^\$\{WISHLISTS_NATS_PASSWORD:\?/);
      expect(String(services.nats?.environment?.WISHLISTS_NATS_PASSWORD)).toMatch(/^\$\{WISHLISTS_NATS_PASSWORD:\?/);
    }
  });

  it('is in the supergraph config and the database init script, and composes with the others', () => {
    // Its block after the others', a blank line between (seen here as added after it).
    expect(addedLines(before['docker/postgres-init.sql']!, read(root, 'docker/postgres-init.sql'))).toEqual([
      '\\getenv wishlists_service_password WISHLISTS_DATABASE_PASSWORD',
      "CREATE ROLE wishlists_service LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'wishlists_service_password';",
      'CREATE DATABASE wishlists_db OWNER wishlists_service;',
      'REVOKE ALL ON DATABASE wishlists_db FROM PUBLIC;',
      '',
    ]);
    const config = JSON.parse(read(root, 'schema/supergraph.config.json')) as { subgraphs: Record<string, unknown> };
    expect(config.subgraphs.wishlists).toEqual({ routing_url: `http://127.0.0.1:${port}/graphql`, schema: { file: '../subgraphs/wishlists/src/schema.graphql' } });
    const outcome = composeSupergraph({ configPath: path.join(root, 'schema/supergraph.config.json'), root });
    expect(outcome.ok && outcome.supergraphSdl).toContain('wishlistsItems: [WishlistsItem!]! @join__field(graph: WISHLISTS)');
  });

  it('has an SDL that passes the schema lint (a description on every type and field)', async () => {
    const sdl = path.join(root, 'subgraphs/wishlists/src/schema.graphql');
    expect(await lintSubgraphSdls([sdl], root, (file) => displayPath(file, root))).toEqual([]);
  });

  it("is written in the project's Prettier style, the registry it edits too, so that npm run lint passes", async () => {
    const config = (await prettier.resolveConfig(path.join(repoRoot, '.prettierrc.json')))!;
    const files = [registryFile, ...readdirSync(path.join(root, 'subgraphs/wishlists'), { recursive: true, encoding: 'utf8' }).map((file) => `subgraphs/wishlists/${file}`)];
    const styled = files.filter((file) => /\.(ts|json)$/.test(file) && !file.endsWith('package.json'));
    expect(styled).toEqual(expect.arrayContaining(['subgraphs/wishlists/src/server.ts', 'subgraphs/wishlists/tsconfig.json', registryFile]));
    const unstyled = [];
    for (const file of styled) if (!(await prettier.check(read(root, file), { ...config, filepath: file }))) unstyled.push(file);
    expect(unstyled).toEqual([]);
  });

  it('has its folders: code, tests, erasure part, Prisma schema with the shared event tables, first migration', () => {
    for (const file of [
      'package.json',
      'tsconfig.json',
      'tsconfig.build.json',
      'codegen.ts',
      'src/index.ts',
      'src/context.ts',
      'src/db.ts',
      'src/items.ts',
      'src/events.ts',
      'src/user-erasure.ts',
    ]) {
      expect(existsSync(path.join(root, 'subgraphs/wishlists', file))).toBe(true);
    }
    expect(readdirSync(path.join(root, 'subgraphs/wishlists/src/resolvers')).sort()).toEqual(['Mutation.ts', 'Query.ts', 'User.ts', 'WishlistsItem.ts', 'index.ts']);
    expect(JSON.parse(read(root, 'subgraphs/wishlists/package.json')).name).toBe('@jobplatform/wishlists-subgraph');
    const server = read(root, 'subgraphs/wishlists/src/server.ts');
    expect(server).toContain("export const wishlistsSubgraph: SubgraphDefinition<WishlistsDb, WishlistsDomain, WishlistsContext> = {\n  name: 'wishlists',");
    expect(server).toContain("'users.user.deleted.v1': async");
    expect(read(root, 'subgraphs/wishlists/test/wishlists.test.ts')).toContain("startPlatformForTest({ services: [...erasureParticipants, 'wishlists'] })");

    expect(read(root, 'prisma/wishlists/schema.prisma')).toContain('output       = "../../subgraphs/wishlists/src/generated/prisma"');
    expect(lstatSync(path.join(root, 'prisma/wishlists/event-tables.prisma')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(path.join(root, 'prisma/wishlists/event-tables.prisma'))).toBe('../../packages/events/prisma/event-tables.prisma');
    expect(existsSync(path.join(root, 'prisma/wishlists/user-replica.prisma'))).toBe(false);
    const [migration] = readdirSync(path.join(root, 'prisma/wishlists/migrations')).filter((name) => name.endsWith('_create_wishlists'));
    const sql = read(root, `prisma/wishlists/migrations/${migration}/migration.sql`);
    expect(sql).toContain('CREATE TABLE "wishlists_items"');
    expect(sql).toContain('CREATE TABLE "event_outbox"');
  });
});

it('writes a users replica with --user-replica, and no erasure part without --erasure', async () => {
  const root = copyOfRepository();
  await generate(root, { name: 'bookmarks', port: 4700, userReplica: true });
  expect(readRegistrySource(path.join(root, registryFile)).text).toContain(
    formatRegistryEntry({ name: 'bookmarks', port: 4700, database: 'bookmarks_db', consumes: ['users'], erasure: 'none', prismaIncludes: ['event-tables', 'user-replica'] }),
  );
  expect(readlinkSync(path.join(root, 'prisma/bookmarks/user-replica.prisma'))).toBe('../../packages/events/prisma/user-replica.prisma');
  expect(existsSync(path.join(root, 'subgraphs/bookmarks/src/user-erasure.ts'))).toBe(false);
  const server = read(root, 'subgraphs/bookmarks/src/server.ts');
  expect(server).toContain("replicas: { 'users-replica': userReplicaTable }");
  expect(server).not.toContain('users.user.deleted.v1');
  expect(read(root, 'subgraphs/bookmarks/test/bookmarks.test.ts')).toContain("startPlatformForTest({ services: ['bookmarks'] })");
});

it('refuses a bad name, a registered one, a taken or impossible port and an existing folder, writing nothing', async () => {
  const root = copyOfRepository();
  mkdirSync(path.join(root, 'subgraphs/leftover'), { recursive: true });
  const before = snapshot(root);
  const refusals: [Omit<NewSubgraphOptions, 'root'>, RegExp][] = [
    [{ name: 'Wishlists' }, /lowercase letters/],
    [{ name: '2wishlists' }, /starting with a letter/],
    [{ name: 're--views' }, /single dashes/],
    [{ name: 'gateway' }, /not a subgraph/],
    [{ name: 'users' }, /already in the service registry/],
    [{ name: 'wishlists', port: 4001 }, /taken by the users service/],
    [{ name: 'wishlists', port: 4000 }, /taken by the gateway/],
    [{ name: 'wishlists', port: 80 }, /1024 to 65535/],
    [{ name: 'leftover' }, /subgraphs\/leftover already exists/],
  ];
  for (const [options, message] of refusals) {
    await expect(generate(root, options)).rejects.toThrow(NewSubgraphRefused);
    await expect(generate(root, options)).rejects.toThrow(message);
  }
  expect(snapshot(root)).toEqual(before);
});

it('gives the service a NATS password of its own, at the service and at nats, where the others have one', () => {
  const compose = [
    'x-service: &service',
    '  image: jobplatform',
    '  environment: &service-env',
    '    NATS_URL: nats://nats:4222',
    '',
    'services:',
    '  nats:',
    '    image: nats',
    '    environment:',
    '      USERS_NATS_PASSWORD: ${USERS_NATS_PASSWORD:?make one}',
    '',
    '  migrate:',
    '    environment:',
    '      USERS_DATABASE_URL: postgresql://users_service:${USERS_DATABASE_PASSWORD}@postgres:5432/users_db',
    '',
    '  users:',
    '    environment:',
    '      USERS_NATS_PASSWORD: ${USERS_NATS_PASSWORD:?make one}',
    '',
    '  gateway:',
    '    environment:',
    '      USERS_SUBGRAPH_URL: http://users:4001/graphql',
    '    depends_on:',
    '      users:',
    '        condition: service_healthy',
    '',
  ].join('\n');
  const services = (parseYaml(addComposeService(compose, namesOf('wishlists'), 4100), { merge: true }) as { services: Record<string, { environment?: Record<string, unknown> }> })
    .services;
  expect(services.nats?.environment).toEqual({ USERS_NATS_PASSWORD: '${USERS_NATS_PASSWORD:?make one}', WISHLISTS_NATS_PASSWORD: '${WISHLISTS_NATS_PASSWORD:?make one}' });
  expect(services.wishlists?.environment?.WISHLISTS_NATS_PASSWORD).toBe('${WISHLISTS_NATS_PASSWORD:?make one}');
  expect(services.users?.environment).toEqual({ USERS_NATS_PASSWORD: '${USERS_NATS_PASSWORD:?make one}' });
});
