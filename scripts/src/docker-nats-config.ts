// docker/nats-server.conf, the configuration of docker-compose's nats-server, generated from the
// service registry: one user per service with its permissions, the gateway (subscribe-only), an
// admin, no anonymous access.
// Passwords are not in the file: nats-server reads them from its environment at start
// ($USERS_NATS_PASSWORD, ..., $GATEWAY_NATS_PASSWORD, $NATS_ADMIN_PASSWORD; scripts/generate-secrets.mjs makes them).
//
//   node --conditions=development --import tsx scripts/src/docker-nats-config.ts   # write it again
//
// scripts/src/service-registry.test.ts fails while the file differs from what this writes.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gatewayDefinition, serviceRegistry } from '@jobplatform/config';
import { natsAdminPasswordVariable, natsPasswordVariable, natsServerConfig } from '@jobplatform/events';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export const dockerNatsConfigFile = 'docker/nats-server.conf';

export function dockerNatsConfig(): string {
  return natsServerConfig({
    services: serviceRegistry,
    listeners: [gatewayDefinition],
    passwords: Object.fromEntries([...serviceRegistry, gatewayDefinition].map((service) => [service.name, { env: natsPasswordVariable(service.name) }])),
    adminPassword: { env: natsAdminPasswordVariable },
    port: 4222,
    storeDir: '/data',
    // Inside the container only, for its healthcheck: the network reaches the client port alone.
    monitoring: { host: '127.0.0.1', port: 8222 },
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  writeFileSync(path.join(root, dockerNatsConfigFile), dockerNatsConfig());
  console.log(`wrote ${dockerNatsConfigFile}`);
}
