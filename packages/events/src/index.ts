export {
  bigintId,
  contractFor,
  defineEvent,
  eventContracts,
  isEventSubject,
  serviceNames,
  userErasureCompletedSubject,
  userErasureParticipants,
  type EventContract,
  type EventContracts,
  type EventData,
  type EventInput,
  type EventSubject,
  type ServiceName,
  type UserErasureCompletedSubject,
  type UserErasureParticipant,
} from './contracts/index.js';
export {
  createEnvelope,
  createEventId,
  envelopeSchema,
  EventContractError,
  parseEnvelope,
  type CreateEnvelopeOptions,
  type EventEnvelope,
  type ParsedEnvelope,
} from './envelope.js';
export { createChildTraceparent, createTraceparent, isTraceparent, traceIdOf, type TraceContext } from './trace-context.js';
export { eventTablesSql, outboxChannel, userReplicaTableSql } from './event-tables-sql.js';
export { queryRows, runPgTransaction, type PgSqlClient, type PrismaSqlClient, type SqlClient } from './sql-client.js';
export { createOutbox, type Outbox, type OutboxEvent } from './outbox.js';
export { startOutboxRelay, type OutboxRelay, type OutboxRelayOptions, type OutboxRelayStats } from './relay.js';
export {
  createPgTransactionRunner,
  startEventConsumer,
  type BatchEventHandler,
  type BatchItem,
  type EventConsumer,
  type EventConsumerOptions,
  type EventConsumerStats,
  type EventHandler,
  type EventHandlers,
  type HandlerContext,
  type TransactionRunner,
} from './consumer.js';
export {
  createReplicaHandlers,
  companyNameReplicaTable,
  jobReplicaTableOf,
  shownUsername,
  shownUserProfile,
  startReplicaConsumer,
  upsertReplicaRow,
  userReplicaMapping,
  userReplicaTable,
  type JobStateEvent,
  type ReplicaChange,
  type ReplicaMapping,
  type ReplicaTable,
  type ReplicaValue,
  type ShownUserProfile,
} from './replica-consumer.js';
export { companyMemberReplicaHandlers, upsertCompanyMembership } from './company-member-replica.js';
export {
  deadLetterHeaders,
  deadLetterSubjectOf,
  discardDeadLetters,
  listDeadLetters,
  publishDeadLetter,
  replayDeadLetters,
  type DeadLetter,
  type DeadLetterReason,
} from './dead-letter.js';
export { purgeRetiredSubjects, retiredSubjects, type RetiredSubject, type RetiredSubjectsPurge } from './retired-subjects.js';
export {
  deadLetterStream,
  defaultDeadLetterLimits,
  defaultStreamLimits,
  ensureStreams,
  processedEventsRetentionMs,
  publishedOutboxRetentionMs,
  streamExists,
  streamNameOf,
  streamOfSubject,
  type StreamLimits,
} from './streams.js';
export { classifyFailure, isTransientFailure, type FailureKind } from './transient-failures.js';
export { createEventMetrics, type ConsumerLag, type ConsumerWatch, type EventMetrics, type OutboxBacklog } from './event-metrics.js';
export { connectToNats, natsUrlWithCredentials, splitNatsUrl, watchNatsConnection, type NatsConnectionWatch, type NatsIdentity } from './nats-connection.js';
export {
  natsAdminPasswordVariable,
  natsAdminUser,
  natsInboxPrefixOf,
  natsListenerPermissionsOf,
  natsPasswordVariable,
  natsPermissionsOf,
  natsServerConfig,
  natsUserOf,
  type NatsConfigPassword,
  type NatsCredentials,
  type NatsListener,
  type NatsPermissions,
  type NatsServerConfigOptions,
} from './nats-identities.js';
