export { startEmbeddedPostgres } from './postgres.js';
export { startNatsServer, findNatsServer, natsInstallHint } from './nats.js';
export { waitForPort, findFreePort } from './ports.js';
//# sourceMappingURL=index.js.map