import { buildSchema, getOperationAST, GraphQLError, parse, type DocumentNode, type FormattedExecutionResult } from 'graphql';
import { createLogger } from '@jobplatform/config';
import { createEnvelope, type EventEnvelope } from '@jobplatform/events';
import type { GatewayContext } from '../context.js';
import type { PreparedQuery, QueryPreparer } from '../execute-operation.js';
import type { SocketConnection } from '../websocket.js';
import type { EventFanout, EventListener } from './event-fanout.js';
import { createLiveSubscriptions } from './live-subscriptions.js';

const schema = buildSchema(`
  type Query { notification(id: ID!): Notification }
  type Subscription { notificationReceived: Notification! }
  type Notification { id: ID! title: String! }
`);
const SUBSCRIPTION = 'subscription OnNotification { notificationReceived { id title } }';
const logger = createLogger('gateway-test', 'silent');
const viewer = { userId: '7', role: 'job_seeker' as const, tokenId: 'token-1', sessionId: 'session-1', issuedAt: 1 };

/** The parts createLiveSubscriptions works with, each recording what it was asked. */
function harness(options: { failValidation?: boolean } = {}) {
  const listeners: EventListener[] = [];
  const fanout: EventFanout = {
    listen: (_subject, _userId, listener) => {
      listeners.push(listener);
      return () => listeners.splice(listeners.indexOf(listener), 1);
    },
    close: async () => {},
  };
  const prepared: DocumentNode[] = [];
  const runs: { variables: Record<string, unknown>; context: GatewayContext }[] = [];
  const prepareQuery: QueryPreparer = (document) => {
    prepared.push(document);
    if (options.failValidation) return [new GraphQLError('too deep')];
    const run: PreparedQuery = async (variables, context) => {
      runs.push({ variables, context });
      return { data: { notificationReceived: { id: variables.entityId, title: 'Viewed' } } };
    };
    return run;
  };
  let authorized = true;
  const connection: SocketConnection = { close: () => {}, isAuthorized: () => authorized };
  const context: GatewayContext = { requestId: 'subscribe-request', clientIp: '127.0.0.1', userAgent: 'test', viewer, accessToken: 'the.access.token', logger };
  const subscribe = createLiveSubscriptions({
    fanout,
    prepareQuery,
    limits: { maxDepth: 12, maxAliases: 30, maxCost: 20_000 },
    maxSubscriptionsPerConnection: 10,
    maxQueuedEvents: 100,
    logger,
  });
  const document = parse(SUBSCRIPTION);
  return {
    prepared,
    runs,
    revoke: () => (authorized = false),
    subscribe: () => subscribe({ request: { query: SUBSCRIPTION }, document, operation: getOperationAST(document)!, schema, context, connection }),
    publish: (notificationId: string) => {
      const envelope = createEnvelope('notifications', 'notifications.notification.created.v1', { notificationId, recipientId: viewer.userId, notificationType: 'in_app' });
      for (const listener of [...listeners]) listener(envelope as EventEnvelope);
    },
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('createLiveSubscriptions', () => {
  it('prepares the lookup query once per subscription and runs it per event with the subscriber’s context, without building (and verifying) a context per event', async () => {
    const live = harness();
    const stream = await live.subscribe();
    if (!(Symbol.asyncIterator in stream)) throw new Error(`refused: ${JSON.stringify(stream)}`);
    const results = stream[Symbol.asyncIterator]();
    live.publish('101');
    live.publish('102');
    live.publish('103');
    const received: FormattedExecutionResult[] = [];
    for (let i = 0; i < 3; i += 1) received.push((await results.next()).value as FormattedExecutionResult);

    expect(received.map((result) => result.data?.notificationReceived)).toEqual([
      { id: '101', title: 'Viewed' },
      { id: '102', title: 'Viewed' },
      { id: '103', title: 'Viewed' },
    ]);
    expect(live.prepared).toHaveLength(1);
    expect(live.runs.map((run) => run.variables)).toEqual([{ entityId: '101' }, { entityId: '102' }, { entityId: '103' }]);
    for (const { context } of live.runs) {
      expect(context.viewer).toBe(viewer);
      expect(context.accessToken).toBe('the.access.token');
    }
    // Each event is its own request for the subgraphs' logs.
    expect(new Set(live.runs.map((run) => run.context.requestId)).size).toBe(3);
    await results.return!();
  });

  it('drops the events that arrive once the connection’s token no longer holds (expired or revoked), before any subgraph is asked', async () => {
    const live = harness();
    const stream = await live.subscribe();
    if (!(Symbol.asyncIterator in stream)) throw new Error('refused');
    const results = stream[Symbol.asyncIterator]();
    live.publish('201');
    expect((await results.next()).value).toEqual({ data: { notificationReceived: { id: '201', title: 'Viewed' } } });
    live.revoke();
    live.publish('202');
    await settle();
    await settle();
    expect(live.runs).toHaveLength(1);
    await results.return!();
  });

  it('refuses the subscription when its lookup query does not pass the gateway’s validation', async () => {
    const refused = await harness({ failValidation: true }).subscribe();
    expect(refused).toEqual([expect.objectContaining({ message: 'too deep', extensions: expect.objectContaining({ code: 'GRAPHQL_VALIDATION_FAILED' }) })]);
  });
});
