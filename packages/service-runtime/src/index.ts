export { AppError, ErrorCode, formatGraphQLError, type ErrorCodeName, type FieldProblem } from './errors.js';
export { httpUrlSchema, validateInput } from './validate-input.js';
export { requireViewer, requireRole, type RequestContext } from './request-context.js';
export { createMetrics, type ServiceMetrics } from './metrics.js';
export { startGraphQLService, type GraphQLServiceOptions, type RunningService } from './graphql-service.js';
export { createHttpApp, installErrorHandler, listen, boundUrl, NotReadyError, type HttpAppOptions, type ReadinessDetails } from './http-app.js';
export { byteSize, expressCall, expressCheck, sendJson, serveGraphQLPostsAhead, type GraphQLCall, type GraphQLCallCheck, type GraphQLPostOptions } from './graphql-post.js';
export { requestIdFrom, clientIpFrom, REQUEST_ID_HEADER, CLIENT_IP_HEADER } from './request-id.js';
export { onShutdownSignal } from './shutdown.js';
export { requestLoggingPlugin } from './request-logging.js';
export { createLifecycle, type Lifecycle, type LifecycleOptions } from './lifecycle.js';
export { loadSubgraphEnv, type SubgraphEnv } from './subgraph-env.js';
export {
  createDatabaseClients,
  withSessionSettings,
  createPrismaClient,
  openSubgraphDomain,
  runSubgraph,
  startSubgraph,
  type ConsumerSpec,
  type DatabaseClients,
  type DomainDeps,
  type PartSpec,
  type PrismaClientClass,
  type PrismaLike,
  type RunningSubgraph,
  type StartSubgraphOptions,
  type SubgraphDefinition,
  type WarmUpConnection,
} from './subgraph.js';
export { attachScalarParsing, scalarResolvers, scalarTypeDefs, type ScalarName } from './scalars.js';
export { calendarDateSchema, isCalendarDate, toCalendarDate } from './calendar-dates.js';
export { invalidField, invalidInput } from './field-errors.js';
export { assertRole, isAdmin, isAdminOrMember, isSelfOrAdmin, requireAdminOrMember, viewerAsUser } from './access-guards.js';
export { idSchema, parseId, requireId } from './ids.js';
export { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, decodeCursor, encodeCursor, pageSize, toConnection, type Connection, type Edge, type PageInfo } from './connections.js';
export { PrismaErrorCode, prismaErrorCode, rethrowPrismaError, type PrismaErrorOutcomes } from './prisma-errors.js';
export { bigintKeys, createByIdLoader, createGroupedLoader, groupBy, once } from './by-id-loader.js';
export { selectedFieldNames, selectedFieldsAt } from './selected-fields.js';
export { compiledExecutionGateway, createCompiledExecution, type CompiledExecution, type GraphQLExecutorKind } from './compiled-execution.js';
export {
  createLeanSql,
  emptyStatement,
  leanTypes,
  SqlFragment,
  statement,
  type LeanSql,
  type LeanSqlOptions,
  type LeanTx,
  type SqlStatementEvent,
  type StatementOptions,
} from './lean-sql.js';
export {
  aliasLimitRule,
  assertCostWithinBudget,
  defaultOperationLimits,
  depthLimitRule,
  operationCost,
  operationCostPlugin,
  operationLimitRules,
  type OperationLimits,
} from './operation-limits.js';
export { HOP_MAX_AGE_MS, HOP_SIGNATURE_HEADER, hopHeadersOf, hopSecretSchema, signHop, verifyHop, type HopRequest, type HopVerdict } from './gateway-hop.js';
export type { GatewayHopPolicy } from './graphql-service.js';
export {
  httpRevocationSource,
  oldestRelevantRevocation,
  revocationsUrlBeside,
  startRevocationFeed,
  TOKEN_REVOCATIONS_PATH,
  type RevocationFeed,
  type RevocationPage,
  type RevocationSource,
} from './revocation-feed.js';
