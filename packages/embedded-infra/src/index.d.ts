export { startEmbeddedPostgres, type EmbeddedPostgresHandle, type EmbeddedPostgresOptions } from './postgres.js';
export { startNatsServer, findNatsServer, natsInstallHint, type NatsServerHandle, type NatsServerOptions } from './nats.js';
export { waitForPort, findFreePort } from './ports.js';
