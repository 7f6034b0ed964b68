export { createTestDatabase, scratchDatabaseRole, type TestDatabase } from './test-database.js';
export { testPostgresAdminUrl } from './test-env.js';
export { errorCodeOf, postGraphQL, type GraphQLResponse } from './graphql-client.js';
export { startPrivateNats, type PrivateNats } from './private-nats.js';
export { waitFor } from './wait-for.js';
export { publishEnvelope, publishEvent, readOutbox, readStream, readStreamMessages, type StoredMessage } from './event-streams.js';
export { signedAsGateway, startSubgraphForTest, type Gql, type SubgraphTestOptions, type SubgraphUnderTest } from './subgraph-under-test.js';
export { gatewayEnvFor, gatewayNatsEnv, loadSubgraphDefinition, startPlatformForTest, type Account, type PlatformOptions, type PlatformUnderTest } from './platform-under-test.js';
export { takeDatabaseDown } from './database-outage.js';
