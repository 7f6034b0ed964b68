import { SignJWT } from 'jose';
import { LOGIN, ME, REGISTER, newAccount, registerAccount, startUsersForTest, type UsersUnderTest } from './start-users.js';
import { errorCodeOf } from '@jobplatform/testing';

let users: UsersUnderTest;
beforeAll(async () => {
  users = await startUsersForTest();
});
afterAll(async () => {
  await users.close();
});

describe('register', () => {
  it('creates the account, signs it in and stores only an argon2id hash', async () => {
    const input = newAccount({ userType: 'EMPLOYER' });
    const response = await users.gql(REGISTER, { input });
    expect(response.errors).toBeUndefined();
    const payload = response.data!.register;
    expect(payload.user).toMatchObject({ username: input.username, email: input.email, userType: 'EMPLOYER', isVerified: false });
    expect(payload.accessToken.split('.')).toHaveLength(3);

    const row = await users.db.query('SELECT password, user_type FROM users WHERE id = $1', [payload.user.id]);
    expect(row.rows[0]!.password).toMatch(/^\$argon2id\$/);
    expect(row.rows[0]!.user_type).toBe('employer');

    const me = await users.gql(ME, {}, { token: payload.accessToken });
    expect(me.data!.me).toMatchObject({ id: payload.user.id, email: input.email });
  });

  it('mails a verification token and stores only its hash', async () => {
    const { id, input } = await registerAccount(users);
    const { token } = await users.accountMail(input.email, 'email_verification');
    const stored = await users.db.query('SELECT token, token_type FROM user_verification_tokens WHERE user_id = $1', [id]);
    expect(stored.rows).toHaveLength(1);
    expect(stored.rows[0]!.token).not.toBe(token);
    expect(stored.rows[0]!.token).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each([
    ['a short password', { password: 'short' }, 'input.password'],
    ['the username as password', { username: 'samesame_name', password: 'samesame_name' }, 'input.password'],
    ['the email as password', { email: 'mail.as.password@example.com', password: 'Mail.As.Password@example.com' }, 'input.password'],
    ['a malformed email', { email: 'not-an-email' }, 'input.email'],
    ['an over-long email', { email: `${'a'.repeat(250)}@x.io` }, 'input.email'],
    ['a username with spaces', { username: 'bad name' }, 'input.username'],
    ['a two-letter username', { username: 'ab' }, 'input.username'],
  ])('refuses %s with BAD_USER_INPUT naming the field, and writes nothing', async (_label, override, field) => {
    const before = await users.db.query('SELECT count(*)::int AS n FROM users');
    const response = await users.gql(REGISTER, { input: newAccount(override) });
    expect(errorCodeOf(response)).toBe('BAD_USER_INPUT');
    expect(response.errors![0]!.extensions!.fields).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
    expect(response.errors![0]!.message).toContain(field);
    const after = await users.db.query('SELECT count(*)::int AS n FROM users');
    expect(after.rows[0]!.n).toBe(before.rows[0]!.n);
  });

  it('does not let anyone register as an admin', async () => {
    const response = await users.gql(REGISTER, { input: newAccount({ userType: 'ADMIN' }) });
    expect(response.data ?? null).toBeNull();
    expect(errorCodeOf(response)).toBe('BAD_USER_INPUT');
  });

  it('answers CONFLICT for a taken username (in any case) or email', async () => {
    const { input } = await registerAccount(users);
    const sameName = await users.gql(REGISTER, { input: newAccount({ username: input.username.toUpperCase() }) });
    expect(errorCodeOf(sameName)).toBe('CONFLICT');
    expect(sameName.errors![0]!.message).toMatch(/username/);
    const sameEmail = await users.gql(REGISTER, { input: newAccount({ email: input.email.toUpperCase() }) });
    expect(errorCodeOf(sameEmail)).toBe('CONFLICT');
    expect(sameEmail.errors![0]!.message).toMatch(/email/);
  });
});

describe('login', () => {
  it('gives the same error for an unknown email and a wrong password, and audits both', async () => {
    const { input, id } = await registerAccount(users);
    const wrongPassword = await users.gql(LOGIN, { email: input.email, password: 'wrong password!' });
    const unknownEmail = await users.gql(LOGIN, { email: `nobody-${id}@example.com`, password: 'wrong password!' });
    expect(errorCodeOf(wrongPassword)).toBe('UNAUTHENTICATED');
    expect(wrongPassword.errors![0]!.message).toBe(unknownEmail.errors![0]!.message);
    expect(errorCodeOf(unknownEmail)).toBe('UNAUTHENTICATED');
    const audit = await users.db.query("SELECT user_id FROM audit_events WHERE action = 'login_failed' AND subject IN ($1, $2)", [input.email, `nobody-${id}@example.com`]);
    expect(audit.rows.map((r) => r.user_id)).toEqual(expect.arrayContaining([id, null]));
  });

  it('signs in, records last_login and audits the success', async () => {
    const { input, id } = await registerAccount(users);
    const response = await users.gql(LOGIN, { email: input.email.toUpperCase(), password: input.password });
    expect(response.data!.login.user).toEqual({ id, username: input.username, userType: 'JOB_SEEKER' });
    const me = await users.gql(ME, {}, { token: response.data!.login.accessToken });
    // DateTime fields: the same strings as toISOString wrote before the scalars (TIMESTAMP(3) columns hold UTC).
    const row = (
      await users.db.query(
        `SELECT to_char(last_login, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS last_login, to_char(date_joined, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS date_joined FROM users WHERE id = $1`,
        [id],
      )
    ).rows[0]!;
    expect(me.data!.me).toMatchObject({ lastLogin: row.last_login, dateJoined: row.date_joined });
    const audit = await users.db.query("SELECT count(*)::int AS n FROM audit_events WHERE action = 'login_succeeded' AND user_id = $1", [id]);
    expect(audit.rows[0]!.n).toBe(1);
  });

  it('throttles an account after repeated failures, even for the right password', async () => {
    const { input } = await registerAccount(users);
    for (let i = 0; i < 5; i += 1) {
      const failed = await users.gql(LOGIN, { email: input.email, password: `wrong password ${i}` }, { headers: { 'x-client-ip': `10.0.0.${i + 1}` } });
      expect(errorCodeOf(failed)).toBe('UNAUTHENTICATED');
    }
    const locked = await users.gql(LOGIN, { email: input.email, password: input.password }, { headers: { 'x-client-ip': '10.0.1.1' } });
    expect(errorCodeOf(locked)).toBe('TOO_MANY_REQUESTS');
    expect(locked.errors![0]!.extensions!.retryAfterSeconds).toBeGreaterThan(0);
    expect(locked.errors![0]!.message).toMatch(/Try again in \d+ seconds/);
  });

  it('counts guesses sent in parallel before it checks them: no more than five are ever tried', async () => {
    const { input, id } = await registerAccount(users);
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) => users.gql(LOGIN, { email: input.email, password: `parallel guess ${i}` }, { headers: { 'x-client-ip': `10.7.0.${i + 1}` } })),
    );
    const codes = answers.map((answer) => errorCodeOf(answer));
    expect(codes.filter((code) => code === 'UNAUTHENTICATED')).toHaveLength(5);
    expect(codes.filter((code) => code === 'TOO_MANY_REQUESTS')).toHaveLength(7);
    const failed = await users.db.query("SELECT count(*)::int AS n FROM audit_events WHERE action = 'login_failed' AND user_id = $1", [id]);
    expect(failed.rows[0]!.n).toBe(5);
  });

  it('counts an IPv6 client by its /64, so walking through the block does not escape the limit', async () => {
    for (let i = 0; i < 20; i += 1) {
      await users.gql(LOGIN, { email: `walk-${i}@example.com`, password: 'guessing password' }, { headers: { 'x-client-ip': `2001:db8:0:7::${(i + 1).toString(16)}` } });
    }
    const { input } = await registerAccount(users);
    const sameBlock = await users.gql(LOGIN, { email: input.email, password: input.password }, { headers: { 'x-client-ip': '2001:db8:0:7:ffff::1' } });
    expect(errorCodeOf(sameBlock)).toBe('TOO_MANY_REQUESTS');
    const nextBlock = await users.gql(LOGIN, { email: input.email, password: input.password }, { headers: { 'x-client-ip': '2001:db8:0:8::1' } });
    expect(nextBlock.errors).toBeUndefined();
  });

  it('throttles a client address that fails across many accounts', async () => {
    const address = '192.0.2.77';
    for (let i = 0; i < 20; i += 1) {
      await users.gql(LOGIN, { email: `spray-${i}@example.com`, password: 'guessing password' }, { headers: { 'x-client-ip': address } });
    }
    const { input } = await registerAccount(users);
    const blocked = await users.gql(LOGIN, { email: input.email, password: input.password }, { headers: { 'x-client-ip': address } });
    expect(errorCodeOf(blocked)).toBe('TOO_MANY_REQUESTS');
    const elsewhere = await users.gql(LOGIN, { email: input.email, password: input.password }, { headers: { 'x-client-ip': '192.0.2.78' } });
    expect(elsewhere.errors).toBeUndefined();
  });
});

describe('refresh tokens', () => {
  const REFRESH = 'mutation R($refreshToken: String!) { refreshToken(refreshToken: $refreshToken) { accessToken refreshToken } }';
  const LOGOUT = 'mutation L($refreshToken: String!) { logout(refreshToken: $refreshToken) }';

  it('rotate on every use and store only hashes', async () => {
    const account = await registerAccount(users);
    const first = await users.gql(REFRESH, { refreshToken: account.refreshToken });
    expect(first.errors).toBeUndefined();
    expect(first.data!.refreshToken.refreshToken).not.toBe(account.refreshToken);
    const stored = await users.db.query('SELECT refresh_token FROM user_sessions WHERE user_id = $1', [account.id]);
    expect(stored.rows.map((r) => r.refresh_token)).not.toContain(account.refreshToken);
    const second = await users.gql(REFRESH, { refreshToken: first.data!.refreshToken.refreshToken });
    expect(second.errors).toBeUndefined();
  });

  it('revoke the whole family when a rotated token is reused', async () => {
    const account = await registerAccount(users);
    const next = (await users.gql(REFRESH, { refreshToken: account.refreshToken })).data!.refreshToken.refreshToken;
    const replay = await users.gql(REFRESH, { refreshToken: account.refreshToken });
    expect(errorCodeOf(replay)).toBe('UNAUTHENTICATED');
    const legitimate = await users.gql(REFRESH, { refreshToken: next });
    expect(errorCodeOf(legitimate)).toBe('UNAUTHENTICATED');
    const audit = await users.db.query("SELECT count(*)::int AS n FROM audit_events WHERE action = 'refresh_token_reused' AND user_id = $1", [account.id]);
    expect(audit.rows[0]!.n).toBe(1);
  });

  it('stop working after logout', async () => {
    const account = await registerAccount(users);
    expect((await users.gql(LOGOUT, { refreshToken: account.refreshToken })).data!.logout).toBe(true);
    expect(errorCodeOf(await users.gql(REFRESH, { refreshToken: account.refreshToken }))).toBe('UNAUTHENTICATED');
    expect((await users.gql(LOGOUT, { refreshToken: account.refreshToken })).data!.logout).toBe(true);
  });

  it('refuse garbage', async () => {
    expect(errorCodeOf(await users.gql(REFRESH, { refreshToken: 'not-a-token' }))).toBe('UNAUTHENTICATED');
  });
});

describe('access tokens', () => {
  it('carry sub, role and jti and expire in 15 minutes', async () => {
    const { accessToken, id } = await registerAccount(users);
    const claims = JSON.parse(Buffer.from(accessToken.split('.')[1]!, 'base64url').toString());
    expect(claims).toMatchObject({ sub: id, role: 'job_seeker', iss: 'jobplatform-users', aud: 'jobplatform' });
    expect(typeof claims.jti).toBe('string');
    expect(claims.exp - claims.iat).toBe(15 * 60);
  });

  it('are refused when expired, tampered with, or unsigned', async () => {
    const { accessToken, id } = await registerAccount(users);
    const expired = await new SignJWT({ role: 'job_seeker' })
      .setProtectedHeader({ alg: 'EdDSA' })
      .setSubject(id)
      .setIssuer('jobplatform-users')
      .setAudience('jobplatform')
      .setJti('x')
      .setIssuedAt(Math.floor(Date.now() / 1000) - 3600)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
      .sign(users.privateKey);
    const [header, payload] = accessToken.split('.');
    const elevated = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), role: 'admin' })).toString('base64url');
    const tampered = `${header}.${elevated}.${accessToken.split('.')[2]}`;
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${elevated}.`;
    for (const token of [expired, tampered, unsigned]) {
      const response = await users.gql(ME, {}, { token });
      expect(errorCodeOf(response)).toBe('UNAUTHENTICATED');
      expect(response.data ?? null).toBeNull();
    }
  });
});

describe('registration limit per address', () => {
  let limited: UsersUnderTest;
  beforeAll(async () => {
    limited = await startUsersForTest({ env: { REGISTRATIONS_PER_ADDRESS_PER_HOUR: '3' } });
  });
  afterAll(async () => {
    await limited.close();
  });
  const registerFrom = (address: string) => limited.gql(REGISTER, { input: newAccount() }, { headers: { 'x-client-ip': address } });
  const userCount = async () => (await limited.db.query('SELECT count(*)::int AS n FROM users')).rows[0]!.n as number;

  it('refuses the registration after the limit with TOO_MANY_REQUESTS, writes nothing, and leaves other addresses alone', async () => {
    for (let i = 0; i < 3; i += 1) expect((await registerFrom('198.51.100.7')).errors).toBeUndefined();
    const before = await userCount();
    const refused = await registerFrom('198.51.100.7');
    expect(errorCodeOf(refused)).toBe('TOO_MANY_REQUESTS');
    expect(refused.errors![0]!.message).toMatch(/Too many accounts were registered from this address lately\. Try again in \d+ seconds/);
    expect(refused.errors![0]!.extensions!.retryAfterSeconds).toBeGreaterThan(3500);
    expect(await userCount()).toBe(before);
    const audited = await limited.db.query("SELECT count(*)::int AS n FROM audit_events WHERE action = 'registration_throttled' AND address_block = '198.51.100.7'");
    expect(audited.rows[0]!.n).toBe(1);
    expect((await registerFrom('198.51.100.8')).errors).toBeUndefined();
  });

  it('counts registrations sent in parallel: no more than the limit get through', async () => {
    const answers = await Promise.all(Array.from({ length: 8 }, () => registerFrom('203.0.113.9')));
    const codes = answers.map((answer) => errorCodeOf(answer) ?? 'OK');
    expect(codes.filter((code) => code === 'OK')).toHaveLength(3);
    expect(codes.filter((code) => code === 'TOO_MANY_REQUESTS')).toHaveLength(5);
  });

  it('counts an IPv6 client by its /64', async () => {
    for (let i = 1; i <= 3; i += 1) expect((await registerFrom(`2001:db8:0:9::${i}`)).errors).toBeUndefined();
    expect(errorCodeOf(await registerFrom('2001:db8:0:9:abcd::1'))).toBe('TOO_MANY_REQUESTS');
    expect((await registerFrom('2001:db8:0:a::1')).errors).toBeUndefined();
  });
});
