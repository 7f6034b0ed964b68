import { errorCodeOf } from '@jobplatform/testing';
import { LOGIN, REGISTER, newAccount, registerAccount, runUsersCommand, startUsersForTest, waitFor, type UsersUnderTest } from './start-users.js';

let users: UsersUnderTest;
beforeAll(async () => {
  users = await startUsersForTest();
});
afterAll(async () => {
  await users.close();
});

const VERIFY = 'mutation V($token: String!) { verifyEmail(token: $token) { id isVerified } }';
const REQUEST_RESET = 'mutation Q($email: String!) { requestPasswordReset(email: $email) }';
const RESET = 'mutation R($token: String!, $newPassword: String!) { resetPassword(token: $token, newPassword: $newPassword) }';
const UPDATE = 'mutation U($input: UpdateProfileInput!) { updateProfile(input: $input) { id firstName } }';

/** Waits until the relay has published everything in the outbox, then returns what JetStream holds. */
async function settledStream() {
  await waitFor(
    'the relay to publish the outbox',
    async () => (await users.db.query<{ n: number }>('SELECT count(*)::int AS n FROM event_outbox WHERE published_at IS NULL')).rows[0]!.n,
    (unpublished) => unpublished === 0,
  );
  return users.streamEvents();
}

const eventsOf = async (userId: string) => (await settledStream()).filter((event) => event.aggregateId === userId);

describe('events on JetStream', () => {
  it('registration publishes exactly one users.user.registered.v1 with the account, and that a verification mail was queued', async () => {
    const account = await registerAccount(users, { userType: 'EMPLOYER' });
    const events = await waitFor(
      'the registration events',
      () => eventsOf(account.id),
      (list) => list.length >= 2,
    );
    expect(events.map((event) => event.type)).toEqual(['users.user.registered.v1', 'users.user.mail_requested.v1']);
    const [registered, verification] = events;
    const row = (await users.db.query('SELECT date_joined FROM users WHERE id = $1', [account.id])).rows[0]!;
    expect(registered).toMatchObject({
      type: 'users.user.registered.v1',
      source: 'users',
      aggregateId: account.id,
      data: {
        userId: account.id,
        username: account.input.username,
        email: account.input.email,
        firstName: null,
        lastName: null,
        userType: 'employer',
        isActive: true,
        isVerified: false,
        dateJoined: (row.date_joined as Date).toISOString(),
      },
    });
    expect(registered!.id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    // Who, which kind, which queued mail: no address, no token.
    const queued = await users.db.query('SELECT id FROM outbound_mail WHERE user_id = $1', [account.id]);
    expect(verification!.data).toEqual({ userId: account.id, kind: 'email_verification', requestId: queued.rows[0]!.id });

    // The token travels in the mail alone, and verifies the account.
    const { token } = await users.accountMail(account.input.email, 'email_verification');
    expect(JSON.stringify(events)).not.toContain(token);
    expect((await users.gql(VERIFY, { token })).data!.verifyEmail).toEqual({ id: account.id, isVerified: true });
    const updated = await waitFor(
      'the verification update',
      () => eventsOf(account.id),
      (list) => list.length === 3,
    );
    expect(updated[2]).toMatchObject({ type: 'users.user.updated.v1', data: { userId: account.id, isVerified: true, email: account.input.email, userType: 'employer' } });
  });

  it('a failing mutation publishes nothing', async () => {
    const { input } = await registerAccount(users);
    const before = await settledStream();
    const outboxBefore = (await users.db.query('SELECT count(*)::int AS n FROM event_outbox')).rows[0]!.n;

    const duplicate = await users.gql(REGISTER, { input: newAccount({ email: input.email }) });
    expect(errorCodeOf(duplicate)).toBe('CONFLICT');
    const invalid = await users.gql(
      UPDATE,
      { input: { phoneNumber: 'not a number' } },
      { token: (await users.gql(LOGIN, { email: input.email, password: input.password })).data!.login.accessToken },
    );
    expect(errorCodeOf(invalid)).toBe('BAD_USER_INPUT');

    expect((await users.db.query('SELECT count(*)::int AS n FROM event_outbox')).rows[0]!.n).toBe(outboxBefore);
    expect(await settledStream()).toHaveLength(before.length);
  });

  it('a password reset request publishes only that a reset mail was queued; the token in the mail resets the password', async () => {
    const account = await registerAccount(users);
    expect((await users.gql(REQUEST_RESET, { email: account.input.email })).data!.requestPasswordReset).toBe(true);
    const isReset = (e: { type: string; data: unknown }) => e.type === 'users.user.mail_requested.v1' && (e.data as { kind: string }).kind === 'password_reset';
    const events = await waitFor(
      'the reset mail event',
      () => eventsOf(account.id),
      (list) => list.some(isReset),
    );
    const reset = events.filter(isReset);
    expect(reset).toHaveLength(1);
    expect(Object.keys(reset[0]!.data).sort()).toEqual(['kind', 'requestId', 'userId']);
    const { token } = await users.accountMail(account.input.email, 'password_reset');
    expect(JSON.stringify(events)).not.toContain(token);
    // Stored hashed only: the clear token is nowhere in the tokens table.
    expect((await users.db.query('SELECT count(*)::int AS n FROM user_verification_tokens WHERE token = $1', [token])).rows[0]!.n).toBe(0);
    const stored = await users.db.query("SELECT expires_at FROM user_verification_tokens WHERE user_id = $1 AND token_type = 'password_reset'", [account.id]);
    expect((stored.rows[0]!.expires_at as Date).getTime() - Date.now()).toBeGreaterThan(55 * 60 * 1000);

    expect((await users.gql(RESET, { token, newPassword: 'a new passphrase 42' })).data!.resetPassword).toBe(true);
    expect((await users.gql(LOGIN, { email: account.input.email, password: 'a new passphrase 42' })).errors).toBeUndefined();
  });

  it('a profile change publishes the full replicated state', async () => {
    const account = await registerAccount(users);
    await users.gql(UPDATE, { input: { firstName: 'Ada' } }, { token: account.accessToken });
    const events = await waitFor(
      'the update',
      () => eventsOf(account.id),
      (list) => list.some((e) => e.type === 'users.user.updated.v1'),
    );
    expect(events.find((e) => e.type === 'users.user.updated.v1')!.data).toEqual({
      userId: account.id,
      username: account.input.username,
      email: account.input.email,
      firstName: 'Ada',
      lastName: null,
      userType: 'job_seeker',
      isActive: true,
      isVerified: false,
    });
  });

  it('carries the names wherever it carries the email: at registration, and after each change, a cleared one as null', async () => {
    const input = { ...newAccount(), firstName: 'Grace', lastName: 'Hopper' };
    const registered = await users.gql(REGISTER, { input });
    expect(registered.errors).toBeUndefined();
    const { accessToken, user } = registered.data!.register;
    await users.gql(
      'mutation U($input: UpdateProfileInput!) { updateProfile(input: $input) { id } }',
      { input: { firstName: 'Amazing Grace', lastName: null } },
      { token: accessToken },
    );
    const events = await waitFor(
      'the update',
      () => eventsOf(user.id),
      (list) => list.some((e) => e.type === 'users.user.updated.v1'),
    );
    const states = events.filter((e) => e.type === 'users.user.registered.v1' || e.type === 'users.user.updated.v1').map((e) => [e.type, e.data]);
    expect(states).toEqual([
      ['users.user.registered.v1', expect.objectContaining({ email: input.email, firstName: 'Grace', lastName: 'Hopper' })],
      ['users.user.updated.v1', expect.objectContaining({ email: input.email, firstName: 'Amazing Grace', lastName: null })],
    ]);
    // Only the account's replicated state carries its names and email; that a mail was queued, not.
    expect(events.find((e) => e.type === 'users.user.mail_requested.v1')!.data).toEqual({ userId: user.id, kind: 'email_verification', requestId: expect.any(String) });
  });
});

describe('NATS outage', () => {
  it('keeps serving, keeps events in the outbox, and publishes them once NATS is back', async () => {
    const readyz = users.service.url.replace(/\/graphql$/, '/readyz');
    const connectedGauge = async () => /^event_backbone_connected\{[^}]*\} (\d)$/m.exec(await (await fetch(readyz.replace('/readyz', '/metrics'))).text())?.[1];
    expect(await connectedGauge()).toBe('1');
    await users.natsServer.kill();
    await waitFor('the connection gauge to drop', connectedGauge, (value) => value === '0');
    expect((await fetch(readyz)).status).toBe(200);

    const account = await registerAccount(users); // requests are still served; the events wait
    const waiting = await users.db.query('SELECT count(*)::int AS n FROM event_outbox WHERE aggregate_id = $1 AND published_at IS NULL', [account.id]);
    expect(waiting.rows[0]!.n).toBe(2);

    await users.natsServer.restart();
    await waitFor('the connection gauge to return', connectedGauge, (value) => value === '1');
    const events = await waitFor(
      'the events of the outage',
      () => eventsOf(account.id),
      (list) => list.length === 2,
    );
    expect(events.map((e) => e.type)).toEqual(['users.user.registered.v1', 'users.user.mail_requested.v1']);
  });
});

describe('npm run users:republish', () => {
  const DELETE = 'mutation D($password: String!) { deleteMyAccount(password: $password) }';

  it("writes every account's current state as users.user.updated.v1, and nothing for an account being erased", async () => {
    const [renamed, plain, leaving] = await Promise.all([registerAccount(users, { userType: 'EMPLOYER' }), registerAccount(users), registerAccount(users)]);
    expect((await users.gql(UPDATE, { input: { firstName: 'Katherine' } }, { token: renamed.accessToken })).errors).toBeUndefined();
    expect((await users.gql(DELETE, { password: leaving.input.password }, { token: leaving.accessToken })).errors).toBeUndefined();
    const outboxOf = async (userId: string) =>
      (await users.db.query("SELECT data FROM event_outbox WHERE aggregate_id = $1 AND subject = 'users.user.updated.v1' ORDER BY position", [userId])).rows.map((row) => row.data);
    const before = await Promise.all([renamed, plain, leaving].map((account) => outboxOf(account.id)));

    const run = await runUsersCommand(users, 'republish-accounts.ts');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const accounts = (await users.db.query<{ n: number }>('SELECT count(*)::int AS n FROM users WHERE deletion_requested_at IS NULL')).rows[0]!.n;
    expect(run.stdout).toContain(`for ${accounts} accounts`);

    const after = await Promise.all([renamed, plain, leaving].map((account) => outboxOf(account.id)));
    const [renamedAfter, plainAfter, leavingAfter] = [after[0]!, after[1]!, after[2]!];
    expect(renamedAfter).toHaveLength(before[0]!.length + 1);
    expect(renamedAfter.at(-1)).toEqual({
      userId: renamed.id,
      username: renamed.input.username,
      email: renamed.input.email,
      firstName: 'Katherine',
      lastName: null,
      userType: 'employer',
      isActive: true,
      isVerified: false,
    });
    expect(plainAfter).toHaveLength(before[1]!.length + 1);
    expect(plainAfter.at(-1)).toMatchObject({ userId: plain.id, username: plain.input.username, userType: 'job_seeker', isActive: true });
    // Its copies were told it is being erased; an update now would bring it back.
    expect(leavingAfter).toEqual(before[2]);
    // The relay publishes them like any other event.
    const published = await waitFor(
      'the republished states on JetStream',
      async () => (await eventsOf(renamed.id)).filter((event) => event.type === 'users.user.updated.v1'),
      (list) => list.length === renamedAfter.length,
    );
    expect(published.at(-1)!.data).toEqual(renamedAfter.at(-1));
  });
});
