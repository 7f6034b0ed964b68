import {
  getArgumentValues,
  getOperationAST,
  getVariableValues,
  GraphQLError,
  specifiedRules,
  validate,
  type DocumentNode,
  type FormattedExecutionResult,
  type GraphQLSchema,
} from 'graphql';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Logger } from '@jobplatform/config';
import type { EventEnvelope } from '@jobplatform/events';
import { AppError, assertCostWithinBudget, operationLimitRules, type OperationLimits } from '@jobplatform/service-runtime';
import { nextContextOf, type GatewayContext } from '../context.js';
import type { PreparedQuery, QueryPreparer } from '../execute-operation.js';
import { SocketCloseCode, type SocketConnection, type SocketOperation, type SubscriptionSource } from '../websocket.js';
import { createDeliveryBudget, createResultStream, type DeliveryBudget } from './delivery-queue.js';
import type { EventFanout } from './event-fanout.js';
import { liveFields, type LiveField } from './live-fields.js';
import { buildLookupQuery, rootFieldOf, type LookupQuery } from './lookup-query.js';

export type LiveSubscriptionsOptions = {
  fanout: EventFanout;
  /**
   * Prepares each subscription's lookup query once for the gateway's query planner (the executor
   * behind POST /graphql): each event's selection is resolved through it, as the subscriber.
   */
  prepareQuery: QueryPreparer;
  limits: OperationLimits;
  maxSubscriptionsPerConnection: number;
  /** Events accepted for one connection and not yet written to it (createDeliveryBudget). */
  maxQueuedEvents: number;
  logger: Logger;
  registry?: Registry;
};

/** What happened to one event for one subscription; a bounded set, for the metric's label. */
type EventOutcome = 'delivered' | 'not_visible' | 'failed' | 'overflow';

type ConnectionLoad = { subscriptions: number; budget: DeliveryBudget };

/**
 * A subscription that passed every check: what to listen to, and how to resolve each event: its
 * lookup query, validated once and run per event with the subscriber's context.
 */
type PreparedSubscription = SubscriptionPlan & {
  /** The subscriber's context, made (and their token verified) when the subscription arrived. */
  context: GatewayContext;
};

/** What a subscription's document and variables alone decide: the same for every subscriber who sends them. */
type SubscriptionPlan = {
  fieldName: string;
  live: LiveField;
  args: Record<string, unknown>;
  lookup: LookupQuery;
  runLookup: PreparedQuery;
};

/** Plans kept per document (which the socket shares between subscriptions that send the same text), by operation name and variables. */
const PLANS_PER_DOCUMENT = 100;

function createLiveMetrics(registry: Registry | undefined) {
  const registers = registry ? [registry] : [];
  const fields = Object.keys(liveFields);
  const events = new Counter({
    name: 'gateway_subscription_events_total',
    help: 'Events matched to a subscription, by Subscription field and outcome (delivered, not_visible: the subscriber may not see it, failed, overflow: the connection was closed as too slow)',
    labelNames: ['field', 'outcome'],
    registers,
  });
  const active = new Gauge({ name: 'gateway_active_subscriptions', help: 'Open subscriptions, by Subscription field', labelNames: ['field'], registers });
  for (const field of fields) active.set({ field }, 0);
  const lookups = new Histogram({
    name: 'gateway_subscription_lookup_seconds',
    help: "Time to resolve one event's selection through the query planner as its subscriber, by Subscription field",
    labelNames: ['field'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  return {
    count: (field: string, outcome: EventOutcome) => events.inc({ field, outcome }),
    timeLookup: (field: string) => lookups.startTimer({ field }),
    opened: (field: string) => active.inc({ field }),
    closed: (field: string) => active.dec({ field }),
  };
}

/** A validation error as ApolloServer reports one. */
const validationError = (error: GraphQLError) =>
  new GraphQLError(error.message, { nodes: error.nodes ?? [], extensions: { ...error.extensions, code: 'GRAPHQL_VALIDATION_FAILED' } });

/**
 * Checks a subscription as ApolloServer checks a query (validation with the gateway's depth and
 * alias rules, variables, cost), finds the live field it subscribes to and prepares, once, the query
 * that will read each event's entity (validated and within the cost budget too).
 */
function planSubscription(
  { request, document, operation, schema }: SocketOperation,
  limits: OperationLimits,
  prepareQuery: QueryPreparer,
): SubscriptionPlan | readonly GraphQLError[] {
  const invalid = validate(schema, document, [...specifiedRules, ...operationLimitRules(limits)]);
  if (invalid.length > 0) return invalid.map(validationError);
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], request.variables ?? {}, { maxErrors: 20 });
  if (coerced.errors) return coerced.errors.map((error) => new GraphQLError(error.message, { nodes: error.nodes ?? [], extensions: { code: 'BAD_USER_INPUT' } }));
  try {
    assertCostWithinBudget(schema, document, operation, coerced.coerced, limits.maxCost);
  } catch (error) {
    if (error instanceof GraphQLError) return [error];
    throw error;
  }
  const fragments = new Map(document.definitions.flatMap((d) => (d.kind === 'FragmentDefinition' ? [[d.name.value, d] as const] : [])));
  const root = rootFieldOf(operation.selectionSet, fragments)!;
  const fieldName = root.name.value;
  const live = liveFields[fieldName];
  const fieldDefinition = schema.getSubscriptionType()?.getFields()[fieldName];
  if (!live || !fieldDefinition)
    return [new GraphQLError(`Subscription.${fieldName} is not served by this gateway`, { nodes: [root], extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } })];
  const lookup = buildLookupQuery(document, operation, coerced.coerced, live.lookup);
  const runLookup = prepareQuery(lookup.document, schema);
  if (typeof runLookup !== 'function') return runLookup.map(validationError);
  try {
    // The entity's id does not weigh in the cost: any id gives the cost of every event.
    assertCostWithinBudget(schema, lookup.document, getOperationAST(lookup.document)!, { ...lookup.variables, [lookup.idVariable]: '0' }, limits.maxCost);
  } catch (error) {
    if (error instanceof GraphQLError) return [error];
    throw error;
  }
  return { fieldName, live, args: getArgumentValues(fieldDefinition, root, coerced.coerced), lookup, runLookup };
}

/**
 * planSubscription, once per schema, document, operation name and variables: ten thousand
 * subscribers sending the same subscription share its validation, its lookup query and the
 * executor's prepared form of it, in time and in memory. Refusals are not kept.
 */
function createSubscriptionPlanner(limits: OperationLimits, prepareQuery: QueryPreparer) {
  const plans = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, Map<string, SubscriptionPlan>>>();
  return (operation: SocketOperation): SubscriptionPlan | readonly GraphQLError[] => {
    let bySchema = plans.get(operation.schema);
    if (!bySchema) plans.set(operation.schema, (bySchema = new WeakMap()));
    let byRequest = bySchema.get(operation.document);
    if (!byRequest) bySchema.set(operation.document, (byRequest = new Map()));
    const key = `${operation.request.operationName ?? ''}\u0000${JSON.stringify(operation.request.variables ?? {})}`;
    const known = byRequest.get(key);
    if (known) return known;
    const plan = planSubscription(operation, limits, prepareQuery);
    if (!Array.isArray(plan) && byRequest.size < PLANS_PER_DOCUMENT) byRequest.set(key, plan as SubscriptionPlan);
    return plan;
  };
}

/**
 * Serves the Subscription fields of liveFields from NATS events. Each subscription listens for its
 * user's events of its subject (the producer's audience), keeps those its arguments match, and
 * resolves the client's selection for each through the query planner with the subscriber's context
 * (their token, forwarded to every subgraph, which authorizes it as that user; a request id of its
 * own per event): an event whose entity comes back null (not theirs to see) is dropped. The token is
 * verified when the subscription arrives, not per event: an event reaches the lookup only while the
 * connection's token is unexpired and unrevoked (SocketConnection.isAuthorized), and the socket is
 * closed when it expires or is revoked. Events of one subscription are resolved and delivered in the
 * order they arrived.
 */
export function createLiveSubscriptions(options: LiveSubscriptionsOptions): SubscriptionSource {
  const { fanout, logger } = options;
  const metrics = createLiveMetrics(options.registry);
  const planOf = createSubscriptionPlanner(options.limits, options.prepareQuery);
  const loads = new WeakMap<SocketConnection, ConnectionLoad>();
  const loadOf = (connection: SocketConnection) => {
    let load = loads.get(connection);
    if (!load) loads.set(connection, (load = { subscriptions: 0, budget: createDeliveryBudget(options.maxQueuedEvents) }));
    return load;
  };

  /** The subscription's result for one event, or undefined when the subscriber may not see it. */
  async function resolveEvent(connection: SocketConnection, prepared: PreparedSubscription, envelope: EventEnvelope): Promise<FormattedExecutionResult | undefined> {
    const { lookup, live, fieldName } = prepared;
    // An expired or revoked token: the socket is being closed with 4401 or 4403.
    if (!connection.isAuthorized()) {
      metrics.count(fieldName, 'failed');
      return undefined;
    }
    let result: FormattedExecutionResult;
    const stopTimer = metrics.timeLookup(fieldName);
    try {
      result = await prepared.runLookup({ ...lookup.variables, [lookup.idVariable]: live.lookup.idOf(envelope.data) }, nextContextOf(prepared.context, logger));
      stopTimer();
    } catch (error) {
      metrics.count(fieldName, 'failed');
      logger.debug({ err: error, field: fieldName, eventId: envelope.id }, 'subscription event not resolved');
      return undefined;
    }
    const entity = result.data?.[lookup.responseKey];
    if (entity === null || entity === undefined) {
      metrics.count(fieldName, result.errors ? 'failed' : 'not_visible');
      if (result.errors)
        logger.warn(
          { field: fieldName, eventId: envelope.id, errors: result.errors.map((e) => e.extensions?.code ?? e.message) },
          'subscription event dropped: its entity could not be read',
        );
      return undefined;
    }
    metrics.count(fieldName, 'delivered');
    return result;
  }

  function streamEvents(connection: SocketConnection, load: ConnectionLoad, prepared: PreparedSubscription, userId: string): AsyncIterable<FormattedExecutionResult> {
    const { live, args, fieldName } = prepared;
    let resolving = Promise.resolve();
    const stream = createResultStream<FormattedExecutionResult>({
      onTaken: () => load.budget.give(),
      onEnd: (untaken) => {
        stopListening();
        load.subscriptions -= 1;
        metrics.closed(fieldName);
        for (let i = 0; i < untaken.length; i += 1) load.budget.give();
      },
    });
    const stopListening = fanout.listen(live.subject, userId, (envelope) => {
      if (stream.ended || !live.matches(envelope.data, args)) return;
      if (!load.budget.take()) {
        metrics.count(fieldName, 'overflow');
        connection.close(SocketCloseCode.TooSlow, 'Too many undelivered events: reconnect and read the current state');
        return;
      }
      resolving = resolving
        .then(async () => {
          const result = stream.ended ? undefined : await resolveEvent(connection, prepared, envelope);
          if (result && !stream.ended) stream.push(result);
          else load.budget.give();
        })
        .catch((error: unknown) => {
          load.budget.give();
          logger.error({ err: error, field: fieldName }, 'subscription event failed');
        });
    });
    metrics.opened(fieldName);
    return stream;
  }

  return async (operation) => {
    const plan = planOf(operation);
    if (Array.isArray(plan)) return plan;
    const viewer = operation.context.viewer;
    if (!viewer) return [new AppError('UNAUTHENTICATED', 'Sign in to subscribe: send { authorization: "Bearer <access token>" } in connection_init').toGraphQLError()];
    const load = loadOf(operation.connection);
    if (load.subscriptions >= options.maxSubscriptionsPerConnection) {
      return [new AppError('TOO_MANY_REQUESTS', `At most ${options.maxSubscriptionsPerConnection} subscriptions per connection: complete one first`).toGraphQLError()];
    }
    load.subscriptions += 1;
    return streamEvents(operation.connection, load, { ...(plan as SubscriptionPlan), context: operation.context }, viewer.userId);
  };
}
