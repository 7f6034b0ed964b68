export { createTestDatabase, type TestDatabase } from './test-database.js';
export { testNatsUrl } from './test-env.js';
export { errorCodeOf, postGraphQL, type GraphQLResponse } from './graphql-client.js';
