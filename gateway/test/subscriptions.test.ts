import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { WebSocket } from 'ws';
import { createClient, type Client, type SubscribePayload } from 'graphql-ws';
import { Kind, parse, type FormattedExecutionResult, type OperationDefinitionNode } from 'graphql';
import { createLogger } from '@jobplatform/config';
import { connectToNats } from '@jobplatform/events';
import { gatewayEnvBeside, publishEvent, waitFor, type Account } from '@jobplatform/testing';
import { startPlatformForTest, type PlatformUnderTest } from '../../subgraphs/notifications/test/start-notifications.js';
import { startGateway, type RunningGateway } from '../src/server.js';
import { MAX_SOCKETS_PER_SUBGRAPH } from '../src/subgraph-requests.js';
import type { GatewayEnv } from '../src/env.js';
import { mintAccessToken } from './access-tokens.js';

// The project's own subscription operations (schema/operations/subscriptions.graphql), as clients send them.
const OPERATIONS = readFileSync(new URL('../../schema/operations/subscriptions.graphql', import.meta.url), 'utf8');
const operationNames = parse(OPERATIONS)
  .definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)
  .map((d) => d.name!.value);
const UPDATE_STATUS = 'mutation($id: ID!, $status: ApplicationStatus!) { updateApplicationStatus(id: $id, status: $status) { id status } }';

let platform: PlatformUnderTest;
let employerA: Account;
let companyA: string;
let jobA: string;
let employerB: Account;
let jobB: string;
beforeAll(async () => {
  platform = await startPlatformForTest();
  ({ employer: employerA, companyId: companyA } = await platform.employerWithCompany('Acme Robotics'));
  jobA = await platform.postJob(employerA, companyA, 'Backend Engineer');
  const second = await platform.employerWithCompany('Other Corp');
  employerB = second.employer;
  jobB = await platform.postJob(employerB, second.companyId, 'Designer');
}, 180_000);
afterAll(async () => {
  await platform?.close();
});

const clients: Client[] = [];
const gateways: RunningGateway[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.dispose()));
  await Promise.all(gateways.splice(0).map((gateway) => gateway.close()));
  await waitForActiveSubscriptions(0);
});

/** Open subscriptions on a gateway, from its /metrics: a subscription listens from the moment it counts. */
async function activeSubscriptions(gateway: RunningGateway = platform.gateway): Promise<number> {
  const text = await (await fetch(gateway.url.replace(/\/graphql$/, '/metrics'))).text();
  return [...text.matchAll(/^gateway_active_subscriptions\{[^}]*\} (\d+)$/gm)].reduce((sum, match) => sum + Number(match[1]), 0);
}
const waitForActiveSubscriptions = (count: number, gateway?: RunningGateway) =>
  waitFor(
    `${count} active subscriptions`,
    () => activeSubscriptions(gateway),
    (n) => n === count,
    10_000,
  );

/** A gateway of the test's own; `routes` sends some subgraphs' calls elsewhere (through a proxy). */
async function startExtraGateway(overrides: Partial<GatewayEnv>, routes: Record<string, string> = {}): Promise<RunningGateway> {
  const gateway = await startGateway(gatewayEnvBeside(platform, overrides, routes), { logger: createLogger('gateway', 'silent') });
  gateways.push(gateway);
  return gateway;
}

type Closed = { code?: number; reason?: string };

function connectAs(account: Pick<Account, 'accessToken'> | undefined, options: { gateway?: RunningGateway; onClosed?: (event: Closed) => void } = {}): Client {
  const client = createClient({
    url: (options.gateway ?? platform.gateway).url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: account ? { authorization: `Bearer ${account.accessToken}` } : {},
    retryAttempts: 0,
    lazy: true,
    ...(options.onClosed ? { on: { closed: (event) => options.onClosed!(event as Closed) } } : {}),
  });
  clients.push(client);
  return client;
}

/** A subscription's results as they arrive, and how it ended (an error, or complete). */
type Subscription = { results: FormattedExecutionResult[]; error: unknown; completed: boolean; unsubscribe(): void; next(count?: number): Promise<FormattedExecutionResult[]> };

function subscribe(client: Client, payload: SubscribePayload): Subscription {
  const subscription: Subscription = {
    results: [],
    error: undefined,
    completed: false,
    unsubscribe: () => {},
    next: (count = 1) =>
      waitFor(
        `${count} result(s) of ${payload.operationName ?? payload.query}`,
        async () => subscription,
        (s) => s.results.length >= count || s.error !== undefined,
        20_000,
      ).then((s) => s.results),
  };
  subscription.unsubscribe = client.subscribe(payload, {
    next: (value) => void subscription.results.push(value as FormattedExecutionResult),
    error: (error) => {
      subscription.error = error;
    },
    complete: () => {
      subscription.completed = true;
    },
  });
  return subscription;
}

const operation = (operationName: string, variables: Record<string, unknown> = {}): SubscribePayload => ({ query: OPERATIONS, operationName, variables });
const executed = new Set<string>();
function subscribeTo(client: Client, operationName: string, variables: Record<string, unknown> = {}): Subscription {
  executed.add(operationName);
  return subscribe(client, operation(operationName, variables));
}

/** After an event reached its audience, long enough for one that leaked to arrive as well. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 750));

describe('applicationStatusChanged', () => {
  it('brings the applicant their status change with fields from jobs and users; a third user, by id or subscribed to all, gets nothing', async () => {
    const applicant = await platform.seeker();
    const stranger = await platform.seeker();
    const applicationId = await platform.apply(applicant, jobA);

    const own = subscribeTo(connectAs(applicant), 'OnApplicationStatusChanged', { applicationId });
    const ownAll = subscribeTo(connectAs(applicant), 'OnApplicationStatusChanged');
    const employerSide = subscribeTo(connectAs(employerA), 'OnApplicationStatusChanged');
    const strangerClient = connectAs(stranger);
    const strangerById = subscribeTo(strangerClient, 'OnApplicationStatusChanged', { applicationId });
    const strangerAll = subscribeTo(strangerClient, 'OnApplicationStatusChanged');
    await waitForActiveSubscriptions(5);

    await platform.ok(UPDATE_STATUS, { id: applicationId, status: 'REVIEWING' }, employerA);
    const [change] = await own.next();
    expect(change).toEqual({
      data: {
        applicationStatusChanged: {
          id: applicationId,
          status: 'REVIEWING',
          updatedAt: expect.any(String),
          job: { id: jobA, title: 'Backend Engineer', company: { name: expect.stringMatching(/^Acme Robotics/) } },
          applicant: { id: applicant.id, username: applicant.username },
        },
      },
    });
    expect(await ownAll.next()).toEqual([change]);
    expect(await employerSide.next()).toEqual([change]);

    // The stranger's own application changes next: what reaches them first is theirs alone.
    const strangersApplication = await platform.apply(stranger, jobA);
    await platform.ok(UPDATE_STATUS, { id: strangersApplication, status: 'SHORTLISTED' }, employerA);
    const [theirs] = await strangerAll.next();
    expect(theirs!.data!.applicationStatusChanged).toMatchObject({ id: strangersApplication, status: 'SHORTLISTED', applicant: { id: stranger.id } });
    await settle();
    expect(strangerAll.results).toHaveLength(1);
    expect(strangerById.results).toEqual([]);
    expect(own.results).toHaveLength(1);
    expect(ownAll.results).toHaveLength(1);
  });
});

describe('applicationSubmitted', () => {
  it('brings the employer new applications to their job, by jobId and without; another employer gets nothing', async () => {
    const seeker = await platform.seeker();
    const byJob = subscribeTo(connectAs(employerA), 'OnApplicationSubmitted', { jobId: jobA });
    const all = subscribeTo(connectAs(employerA), 'OnApplicationSubmitted');
    const otherClient = connectAs(employerB);
    const otherAll = subscribeTo(otherClient, 'OnApplicationSubmitted');
    const otherByForeignJob = subscribeTo(otherClient, 'OnApplicationSubmitted', { jobId: jobA });
    await waitForActiveSubscriptions(4);

    const applicationId = await platform.apply(seeker, jobA);
    const [submitted] = await byJob.next();
    expect(submitted).toEqual({
      data: {
        applicationSubmitted: {
          id: applicationId,
          status: 'PENDING',
          createdAt: expect.any(String),
          applicant: { id: seeker.id, username: seeker.username, firstName: null, lastName: null },
          job: { id: jobA, title: 'Backend Engineer' },
        },
      },
    });
    expect(await all.next()).toEqual([submitted]);

    // Then one to employer B's job, which is the first thing B hears of.
    const toB = await platform.apply(seeker, jobB);
    const [theirs] = await otherAll.next();
    expect(theirs!.data!.applicationSubmitted).toMatchObject({ id: toB, job: { id: jobB, title: 'Designer' } });
    await settle();
    expect(otherAll.results).toHaveLength(1);
    expect(otherByForeignJob.results).toEqual([]);
    expect(byJob.results).toHaveLength(1);
    expect(all.results).toHaveLength(1);
  });
});

describe('notificationReceived', () => {
  it('delivers the in-app notification a new application makes to the employer, and nothing to the applicant', async () => {
    const seeker = await platform.seeker();
    const employerInbox = subscribeTo(connectAs(employerA), 'OnNotification');
    const seekerInbox = subscribeTo(connectAs(seeker), 'OnNotification');
    await waitForActiveSubscriptions(2);

    const applicationId = await platform.apply(seeker, jobA);
    const [received] = await employerInbox.next();
    expect(received).toEqual({
      data: {
        notificationReceived: {
          id: expect.any(String),
          title: expect.any(String),
          message: expect.any(String),
          notificationType: 'IN_APP',
          metadata: expect.objectContaining({ applicationId }),
          createdAt: expect.any(String),
        },
      },
    });
    const inbox = await platform.op('MyNotifications', { first: 20 }, employerA);
    expect(JSON.stringify(inbox)).toContain(received!.data!.notificationReceived && (received!.data!.notificationReceived as { id: string }).id);

    // The applicant's first notification is their own status change, not the employer's.
    await platform.ok(UPDATE_STATUS, { id: applicationId, status: 'REVIEWING' }, employerA);
    const [own] = await seekerInbox.next();
    expect((own!.data!.notificationReceived as { metadata: unknown }).metadata).toMatchObject({ applicationId });
    expect(seekerInbox.results).toHaveLength(1);
  });
});

describe('who may subscribe', () => {
  it('refuses every subscription of an anonymous connection with UNAUTHENTICATED', async () => {
    const client = connectAs(undefined);
    for (const name of operationNames) {
      const refused = subscribe(client, operation(name, name === 'OnApplicationStatusChanged' ? { applicationId: '1' } : {}));
      await waitFor(
        `${name} to be refused`,
        async () => refused.error,
        (error) => error !== undefined,
        10_000,
      );
      expect(refused.error).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'UNAUTHENTICATED' }) })]);
    }
    expect(await activeSubscriptions()).toBe(0);
  });

  it('refuses an invalid subscription as a query would be refused', async () => {
    const seeker = await platform.seeker();
    const client = connectAs(seeker);
    const unknownField = subscribe(client, { query: 'subscription { notificationReceived { id nope } }' });
    const twoFields = subscribe(client, { query: 'subscription { notificationReceived { id } applicationSubmitted { id } }' });
    await waitFor(
      'both to be refused',
      async () => [unknownField.error, twoFields.error],
      (errors) => errors.every(Boolean),
      10_000,
    );
    expect(unknownField.error).toEqual([
      expect.objectContaining({ message: 'Cannot query field "nope" on type "Notification".', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }),
    ]);
    expect(twoFields.error).toEqual([expect.objectContaining({ extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } })]);
  });
});

describe('limits', () => {
  it('caps the subscriptions of one connection, and takes a new one once another completes', async () => {
    const gateway = await startExtraGateway({ GATEWAY_WS_MAX_SUBSCRIPTIONS_PER_CONNECTION: 2 });
    const seeker = await platform.seeker();
    const client = connectAs(seeker, { gateway });
    const first = subscribe(client, operation('OnNotification'));
    subscribe(client, operation('OnApplicationStatusChanged'));
    await waitForActiveSubscriptions(2, gateway);
    const third = subscribe(client, operation('OnNotification'));
    await waitFor('the third to be refused', async () => third.error, Boolean, 10_000);
    expect(third.error).toEqual([
      expect.objectContaining({ message: 'At most 2 subscriptions per connection: complete one first', extensions: expect.objectContaining({ code: 'TOO_MANY_REQUESTS' }) }),
    ]);
    first.unsubscribe();
    await waitForActiveSubscriptions(1, gateway);
    subscribe(client, operation('OnNotification'));
    await waitForActiveSubscriptions(2, gateway);
  });

  it('caps the connections of one user with 4429; other users and a later connection get in', async () => {
    const gateway = await startExtraGateway({ GATEWAY_WS_MAX_CONNECTIONS_PER_USER: 2 });
    const seeker = await platform.seeker();
    const other = await platform.seeker();
    const held = [connectAs(seeker, { gateway }), connectAs(seeker, { gateway })];
    for (const client of held) subscribe(client, operation('OnNotification'));
    await waitForActiveSubscriptions(2, gateway);

    let closedWith: Closed | undefined;
    const third = subscribe(connectAs(seeker, { gateway, onClosed: (event) => (closedWith = event) }), operation('OnNotification'));
    await waitFor('the third connection to be closed', async () => third.error, Boolean, 10_000);
    expect({ code: closedWith?.code, reason: closedWith?.reason }).toEqual({ code: 4429, reason: 'Too many open connections for this account (at most 2)' });

    subscribe(connectAs(other, { gateway }), operation('OnNotification'));
    await waitForActiveSubscriptions(3, gateway);
    await held[0]!.dispose();
    await waitForActiveSubscriptions(2, gateway);
    subscribe(connectAs(seeker, { gateway }), operation('OnNotification'));
    await waitForActiveSubscriptions(3, gateway);
  });

  it('closes a connection with 1013 when more events wait for it than GATEWAY_WS_MAX_QUEUED_EVENTS', async () => {
    const gateway = await startExtraGateway({ GATEWAY_WS_MAX_QUEUED_EVENTS: 2 });
    const applicant = await platform.seeker();
    const applicationId = await platform.apply(applicant, jobA);
    let closedWith: Closed | undefined;
    const slow = subscribe(connectAs(applicant, { gateway, onClosed: (event) => (closedWith = event) }), operation('OnApplicationStatusChanged', { applicationId }));
    await waitForActiveSubscriptions(1, gateway);

    // A burst of twenty changes arrives faster than the gateway reads even one through the subgraphs.
    const admin = await connectToNats(platform.nats!.url, 'test-publisher');
    try {
      const parties = { applicationId, jobId: jobA, applicantId: applicant.id, employerId: employerA.id, companyId: companyA, companyMemberIds: [employerA.id] };
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          publishEvent(admin, 'applications', 'applications.application.status_changed.v1', {
            ...parties,
            fromStatus: i % 2 === 0 ? 'pending' : 'reviewing',
            toStatus: i % 2 === 0 ? 'reviewing' : 'pending',
            isActive: true,
            actorKind: 'employer',
            changedBy: employerA.id,
            reason: null,
          }),
        ),
      );
    } finally {
      await admin.close();
    }
    await waitFor('the socket to be closed', async () => closedWith, Boolean, 10_000);
    expect(closedWith).toMatchObject({ code: 1013, reason: 'Too many undelivered events: reconnect and read the current state' });
    expect(slow.results.length).toBeLessThanOrEqual(2);
  });

  it('closes with 4401 when the token expires, and a connection with a fresh token receives events again', async () => {
    const applicant = await platform.seeker();
    const applicationId = await platform.apply(applicant, jobA);
    const usersKey = createPrivateKey(platform.service('users').env.own.JWT_PRIVATE_KEY as string);
    const shortLived = await mintAccessToken(usersKey, applicant.id, Math.floor(Date.now() / 1000) + 2);
    let closedWith: Closed | undefined;
    const expiring = subscribe(connectAs({ accessToken: shortLived }, { onClosed: (event) => (closedWith = event) }), operation('OnApplicationStatusChanged', { applicationId }));
    await waitFor('the socket to close at expiry', async () => closedWith, Boolean, 10_000);
    expect(closedWith).toMatchObject({ code: 4401 });
    expect(expiring.error).toBeDefined();
    await waitForActiveSubscriptions(0);

    const resumed = subscribe(connectAs(applicant), operation('OnApplicationStatusChanged', { applicationId }));
    await waitForActiveSubscriptions(1);
    await platform.ok(UPDATE_STATUS, { id: applicationId, status: 'REVIEWING' }, employerA);
    const [change] = await resumed.next();
    expect(change!.data!.applicationStatusChanged).toMatchObject({ id: applicationId, status: 'REVIEWING' });
  });
});

/** Forwards TCP to a subgraph and counts the connections made to it: all of them, and the most open at once. */
async function startCountingProxy(target: URL) {
  const counts = { accepted: 0, open: 0, mostOpen: 0 };
  const pairs = new Set<net.Socket>();
  const server = net.createServer((client) => {
    counts.accepted += 1;
    counts.open += 1;
    counts.mostOpen = Math.max(counts.mostOpen, counts.open);
    const upstream = net.connect(Number(target.port), target.hostname);
    for (const socket of [client, upstream]) {
      pairs.add(socket);
      socket.on('error', () => undefined);
    }
    client.on('close', () => {
      counts.open -= 1;
      upstream.destroy();
    });
    upstream.on('close', () => client.destroy());
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}${target.pathname}`,
    counts,
    close: async () => {
      for (const socket of pairs) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('calls to the subgraphs', () => {
  it('resolves a burst of lookups over at most MAX_SOCKETS_PER_SUBGRAPH connections to notifications, and the next burst over the same ones', async () => {
    const proxy = await startCountingProxy(new URL(platform.service('notifications').service.url));
    try {
      const gateway = await startExtraGateway({ GATEWAY_WS_MAX_SUBSCRIPTIONS_PER_CONNECTION: 50 }, { notifications: proxy.url });
      const { employer, companyId } = await platform.employerWithCompany('Pool Corp');
      const jobId = await platform.postJob(employer, companyId, 'Pool Engineer');
      // One event of the employer's reaches every one of these subscriptions at once: 200 lookups
      // start together, more than the pool holds.
      const inboxes = Array.from({ length: 4 }, () => connectAs(employer, { gateway })).flatMap((client) =>
        Array.from({ length: 50 }, () => subscribe(client, operation('OnNotification'))),
      );
      await waitForActiveSubscriptions(200, gateway);
      const before = proxy.counts.accepted;

      await platform.apply(await platform.seeker(), jobId);
      await Promise.all(inboxes.map((inbox) => inbox.next(1)));
      const firstBurst = proxy.counts.accepted - before;
      expect(inboxes.every((inbox) => inbox.results.length === 1 && inbox.results[0]!.data?.notificationReceived)).toBe(true);
      expect(firstBurst).toBeGreaterThan(0);
      expect(firstBurst).toBeLessThanOrEqual(MAX_SOCKETS_PER_SUBGRAPH);
      expect(proxy.counts.mostOpen).toBeLessThanOrEqual(MAX_SOCKETS_PER_SUBGRAPH);

      // The connections stayed open: the next burst opens none.
      await platform.apply(await platform.seeker(), jobId);
      await Promise.all(inboxes.map((inbox) => inbox.next(2)));
      expect(inboxes.every((inbox) => inbox.results.length === 2)).toBe(true);
      expect(proxy.counts.accepted - before).toBe(firstBurst);
    } finally {
      await proxy.close();
    }
  });
});

it('exercises every operation in schema/operations/subscriptions.graphql', () => {
  expect([...executed].sort()).toEqual([...operationNames].sort());
});
