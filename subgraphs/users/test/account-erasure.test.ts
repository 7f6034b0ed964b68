import { headers as natsHeaders } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import { connectToNats, createEnvelope, userErasureCompletedSubject, userErasureParticipants, type EventEnvelope, type UserErasureParticipant } from '@jobplatform/events';
import { errorCodeOf } from '@jobplatform/testing';
import { createAccountErasure } from '../src/account-erasure.js';
import { createUserEventOutbox } from '../src/user-events.js';
import { LOGIN, REGISTER, newAccount, registerAccount, runUsersCommand, startUsersForTest, waitFor, type UsersUnderTest } from './start-users.js';

const DELETE = 'mutation D($password: String!) { deleteMyAccount(password: $password) }';
const REFRESH = 'mutation F($refreshToken: String!) { refreshToken(refreshToken: $refreshToken) { accessToken refreshToken } }';
const UPDATE = 'mutation U($input: UpdateProfileInput!) { updateProfile(input: $input) { id } }';
const REQUEST_RESET = 'mutation Q($email: String!) { requestPasswordReset(email: $email) }';
const silentLogger = { info: () => undefined, warn: () => undefined, error: () => undefined } as never;

/** What a participant does when it has erased what it held: its reply, published as its relay would. */
async function replyAs(service: UserErasureParticipant, users: UsersUnderTest, userId: string, options: { envelope?: EventEnvelope; msgID?: string } = {}) {
  const envelope =
    options.envelope ?? createEnvelope(service, userErasureCompletedSubject(service), { userId, service, completedAt: new Date().toISOString(), summary: { deletedCompanies: 1 } });
  const nc = await connectToNats(users.natsServer.url, `${service}-test-participant`);
  try {
    const headers = natsHeaders();
    headers.set('traceparent', envelope.traceparent);
    await jetstream(nc).publish(envelope.type, JSON.stringify(envelope), { msgID: options.msgID ?? envelope.id, headers });
  } finally {
    await nc.drain();
  }
  return envelope;
}

const replyAsJobs = (users: UsersUnderTest, userId: string, options: { envelope?: EventEnvelope; msgID?: string } = {}) => replyAs('jobs', users, userId, options);

/**
 * Every participant but jobs replies, as they would once they have erased what they held, and the saga has recorded
 * each reply: the replies travel on different streams and are consumed concurrently, so without the wait jobs' reply
 * could be recorded before another's and not be the one that completes the saga.
 */
async function replyAsOtherParticipants(users: UsersUnderTest, userId: string) {
  const others = userErasureParticipants.filter((participant) => participant !== 'jobs');
  for (const service of others) await replyAs(service, users, userId);
  await waitFor(
    "the other participants' replies to be recorded",
    async () => (await users.db.query('SELECT count(*)::int AS n FROM user_erasure_completions WHERE user_id = $1', [userId])).rows[0]!.n as number,
    (recorded) => recorded >= others.length,
  );
}

const sagaOf = async (users: UsersUnderTest, userId: string) =>
  (await users.db.query('SELECT status, attempts, participants, last_error, requested_at, completed_at FROM user_erasures WHERE user_id = $1', [userId])).rows[0];

const streamOf = async (users: UsersUnderTest, userId: string, subject: 'users.user.deleted.v1' | 'users.user.erased.v1') =>
  (await users.streamEvents(subject)).filter((event) => event.data.userId === userId);

describe('the account-erasure saga', () => {
  let users: UsersUnderTest;
  beforeAll(async () => {
    users = await startUsersForTest();
  });
  afterAll(async () => {
    await users.close();
  });

  it('stops the account at once, asks the participants, and erases it when they have replied', async () => {
    const account = await registerAccount(users);
    await users.gql(
      UPDATE,
      { input: { firstName: 'Ada', lastName: 'Lovelace', phoneNumber: '+14155550123', dateOfBirth: '1990-12-10', bio: 'Analyst' } },
      { token: account.accessToken },
    );
    await users.gql(REQUEST_RESET, { email: account.input.email });
    // An audit row with the email, the address and its block in it.
    await users.gql(LOGIN, { email: account.input.email, password: 'not the password' }, { headers: { 'x-client-ip': '2001:db8:0:9::5' } });
    expect((await users.db.query('SELECT address_block FROM audit_events WHERE subject = $1 AND action = $2', [account.input.email, 'login_failed'])).rows).toEqual([
      { address_block: '2001:db8:0:9::/64' },
    ]);
    await users.gql(LOGIN, { email: account.input.email, password: account.input.password }, { headers: { 'user-agent': 'Secret Browser 1.0' } });

    const deleted = await users.gql(DELETE, { password: account.input.password }, { token: account.accessToken });
    expect(deleted.data!.deleteMyAccount).toBe(true);

    // From now on the account is unusable, and the saga waits for every participant.
    expect(errorCodeOf(await users.gql(LOGIN, { email: account.input.email, password: account.input.password }))).toBe('UNAUTHENTICATED');
    expect(errorCodeOf(await users.gql(REFRESH, { refreshToken: account.refreshToken }))).toBe('UNAUTHENTICATED');
    expect(errorCodeOf(await users.gql(UPDATE, { input: { bio: 'still here?' } }, { token: account.accessToken }))).toBe('UNAUTHENTICATED');
    const pending = await sagaOf(users, account.id);
    expect(pending).toMatchObject({ status: 'pending', attempts: 1, participants: [...userErasureParticipants], completed_at: null });
    const [deletedEvent, ...more] = await waitFor(
      'users.user.deleted.v1',
      () => streamOf(users, account.id, 'users.user.deleted.v1'),
      (list) => list.length > 0,
    );
    expect(more).toHaveLength(0);
    expect(deletedEvent!.data).toEqual({ userId: account.id, requestedAt: (pending!.requested_at as Date).toISOString() });

    await replyAsOtherParticipants(users, account.id);
    const reply = await replyAsJobs(users, account.id);
    const completed = await waitFor(
      'the saga to complete',
      () => sagaOf(users, account.id),
      (saga) => saga?.status === 'completed',
    );
    expect(completed!.completed_at).not.toBeNull();

    const [erased, ...moreErased] = await waitFor(
      'users.user.erased.v1',
      () => streamOf(users, account.id, 'users.user.erased.v1'),
      (list) => list.length > 0,
    );
    expect(moreErased).toHaveLength(0);
    expect(erased!.data).toEqual({
      userId: account.id,
      requestedAt: deletedEvent!.data.requestedAt,
      completedAt: (completed!.completed_at as Date).toISOString(),
      services: [...userErasureParticipants],
    });
    // The erased event continues the trace of the reply that completed the saga.
    expect(erased!.traceparent.split('-')[1]).toBe(reply.traceparent.split('-')[1]);

    const row = (await users.db.query('SELECT * FROM users WHERE id = $1', [account.id])).rows[0]!;
    expect(row).toMatchObject({
      username: `erased~${account.id}`,
      email: `erased~${account.id}@erased.invalid`,
      password: '',
      first_name: null,
      last_name: null,
      phone_number_encrypted: null,
      date_of_birth_encrypted: null,
      bio: null,
      profile_picture: null,
      last_login: null,
      is_active: false,
    });
    expect(row.erased_at).not.toBeNull();
    expect(JSON.stringify(row)).not.toContain(account.input.email);
    expect(JSON.stringify(row)).not.toContain(account.input.username);
    for (const table of ['user_verification_tokens', 'user_sessions', 'outbound_mail']) {
      expect((await users.db.query(`SELECT count(*)::int AS n FROM ${table} WHERE user_id = $1`, [account.id])).rows[0]!.n).toBe(0);
    }
    const audit = await users.db.query('SELECT action, subject, ip_address, address_block, user_agent, metadata FROM audit_events WHERE user_id = $1 OR subject = $2 ORDER BY id', [
      account.id,
      account.input.email,
    ]);
    expect(audit.rows.map((r) => r.action)).toEqual(expect.arrayContaining(['user_registered', 'login_failed', 'login_succeeded', 'account_deletion_requested', 'account_erased']));
    for (const entry of audit.rows) expect(entry).toMatchObject({ subject: null, ip_address: null, address_block: null, user_agent: null, metadata: null });
    // Other services' data still refers to the account: the reference resolves with the tombstone
    // handle and an empty profile, while the account itself is gone from the users API.
    const references = await users.gql('query R($r: [_Any!]!) { _entities(representations: $r) { ... on User { id username firstName lastName bio email } } }', {
      r: [{ __typename: 'User', id: account.id }],
    });
    expect(references.data!._entities).toEqual([{ id: account.id, username: `erased~${account.id}`, firstName: null, lastName: null, bio: null, email: null }]);
    expect((await users.gql('query P($id: ID!) { user(id: $id) { id } }', { id: account.id })).data!.user).toBeNull();
    const completion = await users.db.query("SELECT service, event_id, summary FROM user_erasure_completions WHERE user_id = $1 AND service = 'jobs'", [account.id]);
    expect(completion.rows).toEqual([{ service: 'jobs', event_id: reply.id, summary: { deletedCompanies: 1 } }]);
  });

  it('applies a repeated reply once', async () => {
    const account = await registerAccount(users);
    await users.gql(DELETE, { password: account.input.password }, { token: account.accessToken });
    await replyAsOtherParticipants(users, account.id);
    const reply = await replyAsJobs(users, account.id);
    await waitFor(
      'the saga to complete',
      () => sagaOf(users, account.id),
      (saga) => saga?.status === 'completed',
    );
    const handledBefore = users.service.consumers['user-erasure']!.stats();

    // The same event again (a redelivery past the broker's duplicate window), then a second reply.
    await replyAsJobs(users, account.id, { envelope: reply, msgID: `${reply.id}-again` });
    await replyAsJobs(users, account.id);
    await waitFor(
      'both replies to be consumed',
      async () => users.service.consumers['user-erasure']!.stats(),
      (stats) => stats.duplicates === handledBefore.duplicates + 1 && stats.handled === handledBefore.handled + 1,
    );
    expect((await users.db.query("SELECT count(*)::int AS n FROM user_erasure_completions WHERE user_id = $1 AND service = 'jobs'", [account.id])).rows[0]!.n).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 300)); // give a second erased event every chance to appear
    expect(await streamOf(users, account.id, 'users.user.erased.v1')).toHaveLength(1);
    expect((await users.db.query("SELECT count(*)::int AS n FROM audit_events WHERE user_id = $1 AND action = 'account_erased'", [account.id])).rows[0]!.n).toBe(1);
  });

  it('refuses a wrong password or an anonymous caller, and changes and publishes nothing', async () => {
    const account = await registerAccount(users);
    const before = (await users.db.query('SELECT count(*)::int AS n FROM event_outbox WHERE aggregate_id = $1', [account.id])).rows[0]!.n;

    const wrong = await users.gql(DELETE, { password: 'not the password' }, { token: account.accessToken });
    expect(errorCodeOf(wrong)).toBe('BAD_USER_INPUT');
    expect(wrong.errors![0]!.extensions!.fields).toEqual([expect.objectContaining({ field: 'password' })]);
    expect(errorCodeOf(await users.gql(DELETE, { password: account.input.password }))).toBe('UNAUTHENTICATED');

    const row = (await users.db.query('SELECT is_active, deletion_requested_at FROM users WHERE id = $1', [account.id])).rows[0]!;
    expect(row).toEqual({ is_active: true, deletion_requested_at: null });
    expect(await sagaOf(users, account.id)).toBeUndefined();
    expect((await users.db.query('SELECT count(*)::int AS n FROM event_outbox WHERE aggregate_id = $1', [account.id])).rows[0]!.n).toBe(before);
    expect((await users.gql(REFRESH, { refreshToken: account.refreshToken })).errors).toBeUndefined();
  });

  it('holds the email and username of an account being erased until it is erased, then frees them', async () => {
    const account = await registerAccount(users);
    await users.gql(DELETE, { password: account.input.password }, { token: account.accessToken });

    const again = await users.gql(REGISTER, { input: newAccount({ email: account.input.email.toUpperCase(), username: account.input.username }) });
    expect(errorCodeOf(again)).toBe('CONFLICT');
    expect(again.errors![0]!.message).toMatch(/being deleted/);
    const fields = again.errors![0]!.extensions!.fields as { field: string; message: string }[];
    expect(fields.map((f) => f.field).sort()).toEqual(['input.email', 'input.username']);
    for (const f of fields) expect(f.message).toBe('belongs to an account that is being deleted');
    // A name still in ordinary use is simply taken.
    const live = await registerAccount(users);
    const mixed = await users.gql(REGISTER, { input: newAccount({ email: account.input.email, username: live.input.username }) });
    expect(errorCodeOf(mixed)).toBe('CONFLICT');
    expect(mixed.errors![0]!.message).toMatch(/already taken/);

    await replyAsOtherParticipants(users, account.id);
    await replyAsJobs(users, account.id);
    await waitFor(
      'the saga to complete',
      () => sagaOf(users, account.id),
      (saga) => saga?.status === 'completed',
    );
    const reborn = await registerAccount(users, { email: account.input.email, username: account.input.username });
    expect(reborn.id).not.toBe(account.id);
    expect(errorCodeOf(await users.gql(LOGIN, { email: account.input.email, password: account.input.password }))).toBeUndefined();
  });

  it('waits for every participant the saga started with, and records each reply once', async () => {
    const account = await registerAccount(users);
    const erasure = createAccountErasure({ db: users.service.db, events: createUserEventOutbox(), logger: silentLogger, participants: ['jobs', 'search'] });
    const requestedAt = new Date();
    await users.service.db.$transaction(async (tx) => {
      await tx.user.update({ where: { id: BigInt(account.id) }, data: { isActive: false, deletionRequestedAt: requestedAt } });
      await erasure.start(tx, BigInt(account.id), requestedAt);
    });
    const reply = (service: string) =>
      ({
        ...createEnvelope('jobs', 'jobs.user_erasure.completed.v1', { userId: account.id, service: 'jobs', completedAt: new Date().toISOString() }),
        type: `${service}.user_erasure.completed.v1`,
      }) as never;

    await users.service.db.$transaction((tx) => erasure.applyCompletion(tx, reply('jobs')));
    await users.service.db.$transaction((tx) => erasure.applyCompletion(tx, reply('jobs')));
    const listed = (await erasure.list(['pending'])).filter((report) => report.userId === account.id);
    expect(listed).toEqual([expect.objectContaining({ waitingFor: ['search'], participants: ['jobs', 'search'] })]);
    expect((await users.db.query('SELECT username FROM users WHERE id = $1', [account.id])).rows[0]!.username).toBe(account.input.username);

    await users.service.db.$transaction((tx) => erasure.applyCompletion(tx, reply('search')));
    expect(await sagaOf(users, account.id)).toMatchObject({ status: 'completed' });
    expect((await users.db.query('SELECT username FROM users WHERE id = $1', [account.id])).rows[0]!.username).toBe(`erased~${account.id}`);
    const erased = await users.db.query("SELECT data FROM event_outbox WHERE aggregate_id = $1 AND subject = 'users.user.erased.v1'", [account.id]);
    expect(erased.rows.map((r) => r.data.services)).toEqual([['jobs', 'search']]);
  });
});

describe('an erasure nobody answers', () => {
  let users: UsersUnderTest;
  beforeAll(async () => {
    users = await startUsersForTest({ env: { USER_ERASURE_CHECK_INTERVAL_MS: '100', USER_ERASURE_TIMEOUT_MS: '400', USER_ERASURE_MAX_ATTEMPTS: '3' } });
  });
  afterAll(async () => {
    await users.close();
  });

  it('is published again after the timeout, marked stuck after the last attempt, and completes when the reply comes late', async () => {
    const account = await registerAccount(users);
    await users.gql(DELETE, { password: account.input.password }, { token: account.accessToken });

    const stuck = await waitFor(
      'the saga to be stuck',
      () => sagaOf(users, account.id),
      (saga) => saga?.status === 'stuck',
      30_000,
    );
    expect(stuck).toMatchObject({ attempts: 3, last_error: `no reply from ${userErasureParticipants.join(', ')} after 3 publications of users.user.deleted.v1` });
    const published = await waitFor(
      'three deletions on JetStream',
      () => streamOf(users, account.id, 'users.user.deleted.v1'),
      (list) => list.length === 3,
    );
    expect(new Set(published.map((event) => event.id)).size).toBe(3);
    expect(new Set(published.map((event) => event.data.requestedAt))).toEqual(new Set([(stuck!.requested_at as Date).toISOString()]));
    await new Promise((resolve) => setTimeout(resolve, 600)); // a stuck saga is not published again
    expect(await streamOf(users, account.id, 'users.user.deleted.v1')).toHaveLength(3);

    const metrics = await (await fetch(users.service.url.replace(/\/graphql$/, '/metrics'))).text();
    const sample = (name: string, label = '') =>
      Number(
        metrics
          .split('\n')
          .find((line) => line.startsWith(`${name}{`) && line.includes(label))
          ?.split(' ')
          .at(-1),
      );
    expect(sample('user_erasures', 'status="stuck"')).toBe(1);
    expect(sample('user_erasures', 'status="pending"')).toBe(0);
    expect(sample('user_erasure_stuck_total')).toBe(1);
    expect(sample('user_erasure_republished_total')).toBe(2);
    expect(sample('user_erasure_oldest_pending_seconds')).toBeGreaterThan(0);

    await replyAsOtherParticipants(users, account.id);
    await replyAsJobs(users, account.id);
    await waitFor(
      'the late replies to complete the saga',
      () => sagaOf(users, account.id),
      (saga) => saga?.status === 'completed',
    );
    expect((await users.db.query('SELECT email FROM users WHERE id = $1', [account.id])).rows[0]!.email).toBe(`erased~${account.id}@erased.invalid`);
  });

  it('can be listed and retried with the erasures command', async () => {
    const account = await registerAccount(users);
    await users.gql(DELETE, { password: account.input.password }, { token: account.accessToken });
    await waitFor(
      'the saga to be stuck',
      () => sagaOf(users, account.id),
      (saga) => saga?.status === 'stuck',
      30_000,
    );

    const erasures = (...args: string[]) => runUsersCommand(users, 'erasures.ts', ...args);
    const [listed, table, unknownUser] = await Promise.all([erasures('list', '--json'), erasures('list'), erasures('retry', '999999')]);
    expect(listed.status).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([expect.objectContaining({ userId: account.id, status: 'stuck', attempts: 3, waitingFor: [...userErasureParticipants] })]);
    expect(table.stdout).toMatch(new RegExp(`^${account.id}\\s+stuck\\s+`, 'm'));
    expect(unknownUser).toMatchObject({ status: 1, stderr: expect.stringContaining('NOT_FOUND') });

    const before = (await streamOf(users, account.id, 'users.user.deleted.v1')).length;
    const retried = await erasures('retry', account.id);
    expect(retried.stderr).toBe('');
    expect(retried.status).toBe(0);
    // Attempts start afresh: the service publishes it, then (nobody answering) three times in all again.
    await waitFor(
      'the retry on JetStream',
      () => streamOf(users, account.id, 'users.user.deleted.v1'),
      (list) => list.length === before + 3,
      30_000,
    );
    await waitFor(
      'the saga to be stuck again',
      () => sagaOf(users, account.id),
      (saga) => saga?.status === 'stuck',
      30_000,
    );
    // Four runs of the command, each a node process that compiles the CLI and its imports first:
    // on a busy 2-core machine that alone can take most of a minute.
  }, 180_000);
});
