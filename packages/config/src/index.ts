export { parseEnv, EnvError, envSchemas } from './env.js';
export { createLogger, type Logger } from './logger.js';
export {
  databaseUrlVariable,
  defaultJwksUrl,
  defaultSubgraphUrl,
  devStackDatabaseUrl,
  devStackPostgres,
  envPrefix,
  erasureParticipants,
  gatewayDefinition,
  identityService,
  isRegisteredService,
  registeredService,
  serviceNames,
  serviceRegistry,
  sharedPrismaFiles,
  type ErasureParticipant,
  type RegisteredService,
  type RegisteredServiceName,
  type ServiceDefinition,
  type ServiceName,
  type SharedPrismaFile,
} from './service-registry.js';
