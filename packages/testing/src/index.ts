export { createTestDatabase, scratchDatabaseRole, type TestDatabase } from './test-database.js';
export { testPostgresAdminUrl } from './test-env.js';
export { errorCodeOf, postGraphQL, type GraphQLResponse } from './graphql-client.js';
export { startPrivateNats, type PrivateNats } from './private-nats.js';
export { waitFor } from './wait-for.js';
export { capturingLogger, type LogLine } from './capturing-logger.js';
export { portToListenOnLater } from './later-port.js';
export { publishEnvelope, publishEvent, readOutbox, readStream, readStreamMessages, waitForEventsSettled, type StoredMessage } from './event-streams.js';
export { operationsServed, signedAsGateway, startSubgraphForTest, type Gql, type SubgraphTestOptions, type SubgraphUnderTest } from './subgraph-under-test.js';
export {
  gatewayEnvBeside,
  gatewayEnvFor,
  gatewayNatsEnv,
  loadSubgraphDefinition,
  startPlatformForTest,
  type Account,
  type PlatformOptions,
  type PlatformUnderTest,
} from './platform-under-test.js';
export { takeDatabaseDown } from './database-outage.js';
export { watchStatements, type SentStatement } from './watched-statements.js';
