import { existsSync, readFileSync, readlinkSync, lstatSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { databaseUrlVariable, defaultSubgraphUrl, envPrefix, gatewayDefinition, serviceRegistry, sharedPrismaFiles } from '@jobplatform/config';
import { loadSubgraphDefinition } from '@jobplatform/testing';
import { dockerNatsConfig, dockerNatsConfigFile } from './docker-nats-config.js';

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

  it('has its database in docker/postgres-init.sql', () => {
    expect(read('docker/postgres-init.sql')).toMatch(new RegExp(`^CREATE DATABASE ${service.database};$`, 'm'));
  });

  it('runs in docker-compose.yml on its port and database, migrated first, routed by the gateway', () => {
    const entry = compose.services[name];
    expect(entry?.command).toEqual(['node', `subgraphs/${name}/dist/index.js`]);
    expect(entry?.environment?.[`${prefix}_PORT`]).toBe(service.port);
    expect(String(entry?.environment?.[databaseUrlVariable(name)])).toMatch(new RegExp(`@postgres:5432/${service.database}$`));
    expect(String(compose.services.migrate?.environment?.[databaseUrlVariable(name)])).toMatch(new RegExp(`@postgres:5432/${service.database}$`));
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

it('runs the gateway in docker-compose.yml with a NATS password of its own, which nats-server holds too', () => {
  const required = /^\$\{GATEWAY_NATS_PASSWORD:\?/;
  expect(String(compose.services.gateway?.environment?.GATEWAY_NATS_PASSWORD)).toMatch(required);
  expect(String(compose.services.nats?.environment?.GATEWAY_NATS_PASSWORD)).toMatch(required);
  expect(Object.keys(compose.services.gateway?.depends_on ?? {})).toContain('nats');
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
