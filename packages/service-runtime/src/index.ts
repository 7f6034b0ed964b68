export { AppError, ErrorCode, formatGraphQLError, type ErrorCodeName, type FieldProblem } from './errors.js';
export { httpUrlSchema, validateInput } from './validate-input.js';
export { requireViewer, requireRole, type RequestContext } from './request-context.js';
export { createMetrics, type ServiceMetrics } from './metrics.js';
export { startGraphQLService, type GraphQLServiceOptions, type RunningService } from './graphql-service.js';
export { createHttpApp, installErrorHandler, listen, boundUrl, type HttpAppOptions } from './http-app.js';
export { requestIdFrom, clientIpFrom, REQUEST_ID_HEADER, CLIENT_IP_HEADER } from './request-id.js';
export { onShutdownSignal } from './shutdown.js';
export { requestLoggingPlugin } from './request-logging.js';
