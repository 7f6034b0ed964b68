import { existsSync, readFileSync, readlinkSync, lstatSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { databasePasswordVariable, databaseUrlVariable, defaultSubgraphUrl, envPrefix, gatewayDefinition, serviceRegistry, sharedPrismaFiles } from '@jobplatform/config';
import { loadSubgraphDefinition } from '@jobplatform/testing';
import { dockerNatsConfig, dockerNatsConfigFile } from './docker-nats-config.js';
import { composeDatabaseUrl, initDatabaseLines } from './new-subgraph/platform-files.js';
import { GATEWAY_NODE_ARGS, gatewayService } from './platform-services.js';

// The service registry (packages/config/src/service-registry.ts) is the one place a service is
// declared. What cannot be derived from it at run time is checked against it here.

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

type ComposeService = { environment?: Record<string, string | number>; command?: string[]; depends_on?: Record<string, unknown> };
const compose = parseYaml(read('docker-compose.yml'), { merge: true }) as { services: Record<string, ComposeService> };

describe.each(serviceRegistry.map((s) => [s.name, s] as const))('%s', (name, service) => {
  const prefix = envPrefix(name);

  it('is composed into the supergraph at its registry port', () => {
    const config = JSON.parse(read('schema/supergraph.config.json')) as { subgraphs: Record<string, { routing_url: string; schema: { file: string } }> };
    expect(config.subgraphs[name]).toEqual({ routing_url: defaultSubgraphUrl(name), schema: { file: `../subgraphs/${name}/src/schema.graphql` } });
  });

  it('has its role and its database, which the role owns and PUBLIC may not connect to, in docker/postgres-init.sql', () => {
    const lines = initDatabaseLines(name, service.database);
    expect(lines).toEqual([
      `\\getenv ${name}_service_password ${prefix}_DATABASE_PASSWORD`,
      `CREATE ROLE ${name}_service LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'${name}_service_password';`,
      `CREATE DATABASE ${service.database} OWNER ${name}_service;`,
      `REVOKE ALL ON DATABASE ${service.database} FROM PUBLIC;`,
    ]);
    expect(read('docker/postgres-init.sql')).toContain(`\n${lines.join('\n')}\n`);
  });

  it('runs in docker-compose.yml on its port and database, as its own role, migrated first (as that role), routed by the gateway', () => {
    const entry = compose.services[name];
    expect(entry?.command).toEqual(['node', `subgraphs/${name}/dist/index.js`]);
    expect(entry?.environment?.[`${prefix}_PORT`]).toBe(service.port);
    const url = `postgresql://${name}_service:\${${prefix}_DATABASE_PASSWORD}@postgres:5432/${service.database}`;
    expect(composeDatabaseUrl(name, service.database)).toBe(url);
    expect(entry?.environment?.[databaseUrlVariable(name)]).toBe(url);
    expect(compose.services.migrate?.environment?.[databaseUrlVariable(name)]).toBe(url);
    // The postgres container makes the role with that password (docker/postgres-init.sql).
    expect(String(compose.services.postgres?.environment?.[databasePasswordVariable(name)])).toMatch(new RegExp(`^\\$\\{${prefix}_DATABASE_PASSWORD:\\?`));
    expect(compose.services.gateway?.environment?.[`${prefix}_SUBGRAPH_URL`]).toBe(`http://${name}:${service.port}/graphql`);
    expect(Object.keys(compose.services.gateway?.depends_on ?? {})).toContain(name);
  });

  it('connects to NATS in docker-compose.yml with a password of its own, which nats-server holds too', () => {
    const variable = `${prefix}_NATS_PASSWORD`;
    const required = new RegExp(`^\\$\\{${variable}:\\?`);
    expect(String(compose.services[name]?.environment?.[variable])).toMatch(required);
    expect(String(compose.services.nats?.environment?.[variable])).toMatch(required);
  });

  it('includes the shared Prisma files its entry lists, as links to the packages that own them', () => {
    for (const [file, target] of Object.entries(sharedPrismaFiles)) {
      const link = path.join(root, 'prisma', name, `${file}.prisma`);
      if ((service.prismaIncludes as readonly string[]).includes(file)) {
        expect(existsSync(path.join(root, target))).toBe(true);
        expect(lstatSync(link).isSymbolicLink()).toBe(true);
        expect(readlinkSync(link)).toBe(`../../${target}`);
      } else {
        expect(existsSync(link)).toBe(false);
      }
    }
  });

  it('exports its definition from src/server.ts under its registry name', async () => {
    expect((await loadSubgraphDefinition(name)).name).toBe(name);
  });
});

it('runs nats-server in docker-compose.yml with the users and permissions the registry makes, its monitoring port unpublished', () => {
  // To write docker/nats-server.conf again: node --conditions=development --import tsx scripts/src/docker-nats-config.ts
  expect(read(dockerNatsConfigFile)).toBe(dockerNatsConfig());
  const nats = compose.services.nats as ComposeService & { volumes?: string[]; ports?: unknown };
  expect(nats.command).toEqual(['-c', '/etc/nats/nats-server.conf']);
  expect(nats.volumes).toContain(`./${dockerNatsConfigFile}:/etc/nats/nats-server.conf:ro`);
  expect(nats.ports).toBeUndefined();
  expect(String(nats.environment?.NATS_ADMIN_PASSWORD)).toMatch(/^\$\{NATS_ADMIN_PASSWORD:\?/);
  // No service holds another's NATS password.
  for (const [service, entry] of Object.entries(compose.services)) {
    if (service === 'nats') continue;
    const held = Object.keys(entry.environment ?? {}).filter((variable) => variable.endsWith('_NATS_PASSWORD'));
    expect({ service, held }).toEqual({ service, held: held.filter((variable) => variable === `${envPrefix(service)}_NATS_PASSWORD`) });
  }
});

it("gives no service in docker-compose.yml the superuser, or another service's database: only the migrate job makes roles and databases", () => {
  for (const [service, entry] of Object.entries(compose.services)) {
    const environment = Object.entries(entry.environment ?? {}).map(([variable, value]) => [variable, String(value)] as const);
    const superuser = environment.filter(([, value]) => /\$\{POSTGRES_PASSWORD[}:]/.test(value)).map(([variable]) => variable);
    expect({ service, superuser }).toEqual({ service, superuser: { postgres: ['POSTGRES_PASSWORD'], migrate: ['POSTGRES_ADMIN_URL'] }[service] ?? [] });
    if (service === 'postgres' || service === 'migrate') continue;
    const databases = environment.filter(([variable]) => /_DATABASE_(URL|PASSWORD)$/.test(variable)).map(([variable]) => variable);
    expect({ service, databases }).toEqual({ service, databases: databases.filter((variable) => variable === databaseUrlVariable(service)) });
  }
  expect(compose.services.migrate?.environment?.POSTGRES_ADMIN_URL).toBe('postgresql://postgres:${POSTGRES_PASSWORD}@postgres:5432/postgres');
});

it('runs the gateway in docker-compose.yml with a NATS password of its own, which nats-server holds too', () => {
  const required = /^\$\{GATEWAY_NATS_PASSWORD:\?/;
  expect(String(compose.services.gateway?.environment?.GATEWAY_NATS_PASSWORD)).toMatch(required);
  expect(String(compose.services.nats?.environment?.GATEWAY_NATS_PASSWORD)).toMatch(required);
  expect(Object.keys(compose.services.gateway?.depends_on ?? {})).toContain('nats');
});

it('starts the gateway with 64 MB semi-spaces wherever it runs: npm start and the benchmarks (its nodeArgs), docker-compose.yml and the Dockerfile', () => {
  expect(GATEWAY_NODE_ARGS).toContain('--max-semi-space-size=64');
  expect(gatewayService.nodeArgs).toEqual(GATEWAY_NODE_ARGS);
  const command = ['node', ...gatewayService.nodeArgs, gatewayService.entry];
  expect(compose.services.gateway?.command).toEqual(command);
  expect(/^CMD (.+)$/m.exec(read('Dockerfile'))?.[1]).toBe(JSON.stringify(command).replaceAll('","', '", "'));
});

it('lets the gateway subscribe to its subjects on NATS and nothing else: no publishing, no JetStream', () => {
  const gatewayUser = /\{\n\s+user: "gateway", password: \$GATEWAY_NATS_PASSWORD\n[\s\S]*?\n {4}\}/.exec(read(dockerNatsConfigFile))?.[0];
  expect(gatewayUser).toBeDefined();
  expect(gatewayUser).toContain('publish: { deny: [\n          ">"\n        ] }');
  const allowed = [...gatewayUser!.matchAll(/^\s+"([^"]+)",?$/gm)].map((match) => match[1]).filter((subject) => subject !== '>');
  expect(allowed).toEqual([...gatewayDefinition.natsSubscribes]);
});

it('lists no service in docker-compose.yml or the supergraph that the registry does not know', () => {
  const known = new Set<string>([...serviceRegistry.map((s) => s.name), gatewayDefinition.name, 'postgres', 'nats', 'migrate', 'mail']);
  expect(Object.keys(compose.services).filter((name) => !known.has(name))).toEqual([]);
  const config = JSON.parse(read('schema/supergraph.config.json')) as { subgraphs: Record<string, unknown> };
  expect(Object.keys(config.subgraphs).sort()).toEqual(serviceRegistry.map((s) => s.name).sort());
  expect(compose.services.gateway?.environment?.GATEWAY_PORT).toBe(gatewayDefinition.port);
});
