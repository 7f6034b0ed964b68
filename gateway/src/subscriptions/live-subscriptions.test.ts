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
  type Subscription { notificationReceived(unreadOnly: Boolean): Notification! }
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
    /** The same parsed document each time, as the socket's parser hands it out per text. */
    subscribe: (as: Partial<GatewayContext> = {}, variables?: Record<string, unknown>) =>
      subscribe({ request: { query: SUBSCRIPTION, variables }, document, operation: getOperationAST(document)!, schema, context: { ...context, ...as }, connection }),
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

  it('prepares one lookup for every subscriber who sends the same document and variables, and runs each event with each subscriber’s own context', async () => {
    const live = harness();
    const first = await live.subscribe({ accessToken: 'first.access.token' });
    const second = await live.subscribe({ accessToken: 'second.access.token' });
    const other = await live.subscribe({ accessToken: 'third.access.token' }, { unused: true });
    if (!(Symbol.asyncIterator in first) || !(Symbol.asyncIterator in second) || !(Symbol.asyncIterator in other)) throw new Error('refused');
    // Other variables are another plan (they may change what the lookup reads).
    expect(live.prepared).toHaveLength(2);

    const streams = [first, second, other].map((stream) => stream[Symbol.asyncIterator]());
    live.publish('301');
    for (const results of streams) expect((await results.next()).value).toEqual({ data: { notificationReceived: { id: '301', title: 'Viewed' } } });
    expect(live.runs.map((run) => run.context.accessToken).sort()).toEqual(['first.access.token', 'second.access.token', 'third.access.token']);
    for (const results of streams) await results.return!();
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

  it('refuses the subscription when its lookup query does not pass the gateway’s validation, each time it is sent', async () => {
    const live = harness({ failValidation: true });
    for (let i = 0; i < 2; i += 1)
      expect(await live.subscribe()).toEqual([expect.objectContaining({ message: 'too deep', extensions: expect.objectContaining({ code: 'GRAPHQL_VALIDATION_FAILED' }) })]);
    expect(live.prepared).toHaveLength(2);
  });
});
