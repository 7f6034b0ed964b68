import { LOGIN, ME, registerAccount, startUsersForTest, type UsersUnderTest } from './start-users.js';
import { errorCodeOf } from '@jobplatform/testing';

let users: UsersUnderTest;
beforeAll(async () => {
  users = await startUsersForTest();
});
afterAll(async () => {
  await users.close();
});

/** The token of the account's first mail of a kind: what its owner would click. */
const mailedToken = async (account: { input: { email: string } }, kind: 'email_verification' | 'password_reset') => (await users.accountMail(account.input.email, kind)).token;
const queuedMails = async (kind: string, recipient?: string) =>
  (await users.db.query<{ n: number }>('SELECT count(*)::int AS n FROM outbound_mail WHERE kind = $1 AND ($2::text IS NULL OR recipient = $2)', [kind, recipient ?? null])).rows[0]!
    .n;

const VERIFY = 'mutation V($token: String!) { verifyEmail(token: $token) { id isVerified } }';
const REQUEST_RESET = 'mutation Q($email: String!) { requestPasswordReset(email: $email) }';
const RESET = 'mutation R($token: String!, $newPassword: String!) { resetPassword(token: $token, newPassword: $newPassword) }';
const CHANGE = 'mutation C($currentPassword: String!, $newPassword: String!) { changePassword(currentPassword: $currentPassword, newPassword: $newPassword) }';
const REFRESH = 'mutation F($refreshToken: String!) { refreshToken(refreshToken: $refreshToken) { accessToken refreshToken } }';
const UPDATE = 'mutation U($input: UpdateProfileInput!) { updateProfile(input: $input) { id firstName lastName phoneNumber dateOfBirth bio profilePicture } }';
const PUBLIC = 'query P($id: ID!) { user(id: $id) { id username firstName lastName bio profilePicture userType email phoneNumber dateOfBirth lastLogin } }';
const DELETE = 'mutation D($password: String!) { deleteMyAccount(password: $password) }';

describe('email verification', () => {
  it('verifies once with the emailed token and refuses a second use or junk', async () => {
    const account = await registerAccount(users);
    const token = await mailedToken(account, 'email_verification');
    const verified = await users.gql(VERIFY, { token });
    expect(verified.data!.verifyEmail).toEqual({ id: account.id, isVerified: true });
    const again = await users.gql(VERIFY, { token });
    expect(errorCodeOf(again)).toBe('BAD_USER_INPUT');
    expect(again.errors![0]!.message).toMatch(/already used/);
    expect(errorCodeOf(await users.gql(VERIFY, { token: 'x'.repeat(43) }))).toBe('BAD_USER_INPUT');
  });

  it('refuses an expired token', async () => {
    const account = await registerAccount(users);
    const token = await mailedToken(account, 'email_verification');
    await users.db.query("UPDATE user_verification_tokens SET expires_at = now() - interval '1 minute' WHERE user_id = $1", [account.id]);
    const response = await users.gql(VERIFY, { token });
    expect(errorCodeOf(response)).toBe('BAD_USER_INPUT');
    expect(response.errors![0]!.message).toMatch(/expired/);
  });
});

describe('password reset', () => {
  it("lifts the account's sign-in lock, and refuses an unknown token before looking at the new password", async () => {
    const account = await registerAccount(users);
    for (let i = 0; i < 5; i += 1) {
      const failed = await users.gql(LOGIN, { email: account.input.email, password: `wrong password ${i}` }, { headers: { 'x-client-ip': `10.9.0.${i + 1}` } });
      expect(errorCodeOf(failed)).toBe('UNAUTHENTICATED');
    }
    expect(errorCodeOf(await users.gql(LOGIN, { email: account.input.email, password: account.input.password }))).toBe('TOO_MANY_REQUESTS');

    expect((await users.gql(REQUEST_RESET, { email: account.input.email })).data!.requestPasswordReset).toBe(true);
    const token = await mailedToken(account, 'password_reset');
    expect((await users.gql(RESET, { token, newPassword: 'a passphrase after the lock' })).data!.resetPassword).toBe(true);
    expect((await users.gql(LOGIN, { email: account.input.email, password: 'a passphrase after the lock' })).errors).toBeUndefined();

    const unknown = await users.gql(RESET, { token: 'x'.repeat(token.length), newPassword: 'short' });
    expect(errorCodeOf(unknown)).toBe('BAD_USER_INPUT');
    expect(unknown.errors![0]!.message).toMatch(/reset token is not valid/);
  });

  it('throttles wrong current passwords at changePassword and deleteMyAccount as it does sign-ins', async () => {
    const account = await registerAccount(users);
    for (let i = 0; i < 3; i += 1) {
      const wrong = await users.gql(CHANGE, { currentPassword: `not it ${i}`, newPassword: 'a brand new passphrase' }, { token: account.accessToken });
      expect(errorCodeOf(wrong)).toBe('BAD_USER_INPUT');
    }
    for (let i = 0; i < 2; i += 1) {
      const wrong = await users.gql(DELETE, { password: `still not it ${i}` }, { token: account.accessToken });
      expect(errorCodeOf(wrong)).toBe('BAD_USER_INPUT');
    }
    const locked = await users.gql(CHANGE, { currentPassword: account.input.password, newPassword: 'a brand new passphrase' }, { token: account.accessToken });
    expect(errorCodeOf(locked)).toBe('TOO_MANY_REQUESTS');
    expect(errorCodeOf(await users.gql(DELETE, { password: account.input.password }, { token: account.accessToken }))).toBe('TOO_MANY_REQUESTS');
    expect((await users.db.query('SELECT deletion_requested_at FROM users WHERE id = $1', [account.id])).rows[0]!.deletion_requested_at).toBeNull();
  });

  it('answers true for unknown emails without sending anything', async () => {
    const before = await queuedMails('password_reset');
    const response = await users.gql(REQUEST_RESET, { email: 'nobody-at-all@example.com' });
    expect(response.data!.requestPasswordReset).toBe(true);
    expect(await queuedMails('password_reset')).toBe(before);
  });

  it('sets a new password with the emailed token, signs out every session and audits it', async () => {
    const account = await registerAccount(users);
    expect((await users.gql(REQUEST_RESET, { email: account.input.email })).data!.requestPasswordReset).toBe(true);
    const token = await mailedToken(account, 'password_reset');

    const weak = await users.gql(RESET, { token, newPassword: 'short' });
    expect(errorCodeOf(weak)).toBe('BAD_USER_INPUT');
    expect(weak.errors![0]!.extensions!.fields).toEqual([expect.objectContaining({ field: 'newPassword' })]);

    const reset = await users.gql(RESET, { token, newPassword: 'a brand new passphrase' });
    expect(reset.data!.resetPassword).toBe(true);
    expect(errorCodeOf(await users.gql(RESET, { token, newPassword: 'yet another passphrase' }))).toBe('BAD_USER_INPUT');
    expect(errorCodeOf(await users.gql(REFRESH, { refreshToken: account.refreshToken }))).toBe('UNAUTHENTICATED');
    expect(errorCodeOf(await users.gql(LOGIN, { email: account.input.email, password: account.input.password }))).toBe('UNAUTHENTICATED');
    expect((await users.gql(LOGIN, { email: account.input.email, password: 'a brand new passphrase' })).errors).toBeUndefined();
    const audit = await users.db.query("SELECT action FROM audit_events WHERE user_id = $1 AND action LIKE 'password_reset%' ORDER BY id", [account.id]);
    expect(audit.rows.map((r) => r.action)).toEqual(['password_reset_requested', 'password_reset']);
  });

  it('expires after an hour', async () => {
    const account = await registerAccount(users);
    await users.gql(REQUEST_RESET, { email: account.input.email });
    const row = await users.db.query(
      "SELECT extract(epoch FROM expires_at - created_at)::float AS seconds FROM user_verification_tokens WHERE user_id = $1 AND token_type = 'password_reset'",
      [account.id],
    );
    expect(Math.abs(row.rows[0]!.seconds - 3600)).toBeLessThan(5);
  });

  it('sends at most three reset emails an hour per account', async () => {
    const account = await registerAccount(users);
    for (let i = 0; i < 5; i += 1) await users.gql(REQUEST_RESET, { email: account.input.email });
    expect(await queuedMails('password_reset', account.input.email)).toBe(3);
  });
});

describe('change password', () => {
  it('needs a signed-in user and the current password', async () => {
    const account = await registerAccount(users);
    expect(errorCodeOf(await users.gql(CHANGE, { currentPassword: account.input.password, newPassword: 'another good password' }))).toBe('UNAUTHENTICATED');
    const wrong = await users.gql(CHANGE, { currentPassword: 'not my password', newPassword: 'another good password' }, { token: account.accessToken });
    expect(errorCodeOf(wrong)).toBe('BAD_USER_INPUT');
    expect(wrong.errors![0]!.extensions!.fields).toEqual([expect.objectContaining({ field: 'currentPassword' })]);
    const same = await users.gql(CHANGE, { currentPassword: account.input.password, newPassword: account.input.password }, { token: account.accessToken });
    expect(errorCodeOf(same)).toBe('BAD_USER_INPUT');
  });

  it('keeps the current sign-in and revokes the others', async () => {
    const account = await registerAccount(users);
    const other = (await users.gql(LOGIN, { email: account.input.email, password: account.input.password })).data!.login;
    const changed = await users.gql(CHANGE, { currentPassword: account.input.password, newPassword: 'another good password' }, { token: account.accessToken });
    expect(changed.data!.changePassword).toBe(true);
    expect((await users.gql(REFRESH, { refreshToken: account.refreshToken })).errors).toBeUndefined();
    expect(errorCodeOf(await users.gql(REFRESH, { refreshToken: other.refreshToken }))).toBe('UNAUTHENTICATED');
    const audit = await users.db.query("SELECT count(*)::int AS n FROM audit_events WHERE user_id = $1 AND action = 'password_changed'", [account.id]);
    expect(audit.rows[0]!.n).toBe(1);
  });
});

describe('profile', () => {
  it('updates fields, encrypting phone number and date of birth at rest', async () => {
    const account = await registerAccount(users);
    const response = await users.gql(
      UPDATE,
      {
        input: {
          firstName: 'Ada',
          lastName: 'Lovelace',
          phoneNumber: '+44 20 7946 0958',
          dateOfBirth: '1990-12-10',
          bio: 'Analyst',
          profilePicture: 'https://cdn.example.com/ada.png',
        },
      },
      { token: account.accessToken },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data!.updateProfile).toMatchObject({ firstName: 'Ada', phoneNumber: '+442079460958', dateOfBirth: '1990-12-10' });
    const stored = await users.db.query('SELECT phone_number_encrypted, date_of_birth_encrypted FROM users WHERE id = $1', [account.id]);
    expect(stored.rows[0]!.phone_number_encrypted).toMatch(/^v1\./);
    expect(stored.rows[0]!.phone_number_encrypted).not.toContain('2079460958');
    expect(stored.rows[0]!.date_of_birth_encrypted).not.toContain('1990');
    const me = await users.gql(ME, {}, { token: account.accessToken });
    expect(me.data!.me).toMatchObject({ phoneNumber: '+442079460958', dateOfBirth: '1990-12-10', bio: 'Analyst' });
  });

  it('clears a field given null and leaves omitted fields alone', async () => {
    const account = await registerAccount(users);
    await users.gql(UPDATE, { input: { firstName: 'Grace', bio: 'Admiral' } }, { token: account.accessToken });
    const response = await users.gql(UPDATE, { input: { bio: null } }, { token: account.accessToken });
    expect(response.data!.updateProfile).toMatchObject({ firstName: 'Grace', bio: null });
  });

  it.each([
    ['a phone number without country code', { phoneNumber: '0123456789' }, 'input.phoneNumber'],
    ['a date of birth in the future', { dateOfBirth: '2999-01-01' }, 'input.dateOfBirth'],
    ['an impossible date', { dateOfBirth: '1990-02-30' }, 'input.dateOfBirth'],
    ['a javascript: picture URL', { profilePicture: 'javascript:alert(1)' }, 'input.profilePicture'],
    ['an over-long first name', { firstName: 'x'.repeat(151) }, 'input.firstName'],
  ])('refuses %s and changes nothing', async (_label, input, field) => {
    const account = await registerAccount(users);
    const response = await users.gql(UPDATE, { input: { ...input, lastName: 'Unchanged' } }, { token: account.accessToken });
    expect(errorCodeOf(response)).toBe('BAD_USER_INPUT');
    expect(response.errors![0]!.extensions!.fields).toEqual([expect.objectContaining({ field })]);
    const row = await users.db.query('SELECT last_name FROM users WHERE id = $1', [account.id]);
    expect(row.rows[0]!.last_name).toBeNull();
  });

  it('needs a signed-in user', async () => {
    expect(errorCodeOf(await users.gql(UPDATE, { input: { firstName: 'Anon' } }))).toBe('UNAUTHENTICATED');
  });

  it('shows private fields only to the owner and admins', async () => {
    const owner = await registerAccount(users);
    await users.gql(UPDATE, { input: { phoneNumber: '+14155550123', dateOfBirth: '1985-05-05', firstName: 'Pat' } }, { token: owner.accessToken });
    const stranger = await registerAccount(users);
    const asStranger = await users.gql(PUBLIC, { id: owner.id }, { token: stranger.accessToken });
    expect(asStranger.data!.user).toMatchObject({ id: owner.id, firstName: 'Pat', email: null, phoneNumber: null, dateOfBirth: null, lastLogin: null });
    const anonymous = await users.gql(PUBLIC, { id: owner.id });
    expect(anonymous.data!.user).toMatchObject({ firstName: 'Pat', email: null, phoneNumber: null });

    await users.service.domain.accounts.createAdmin(
      { username: `admin_${owner.id}`, email: `admin-${owner.id}@example.com`, password: 'admin password 123' },
      { clientIp: undefined, userAgent: 'test' },
    );
    const admin = (await users.gql(LOGIN, { email: `admin-${owner.id}@example.com`, password: 'admin password 123' })).data!.login;
    expect(admin.user.userType).toBe('ADMIN');
    const asAdmin = await users.gql(PUBLIC, { id: owner.id }, { token: admin.accessToken });
    expect(asAdmin.data!.user).toMatchObject({ email: owner.input.email, phoneNumber: '+14155550123', dateOfBirth: '1985-05-05' });
  });

  it('returns null for unknown or malformed ids', async () => {
    expect((await users.gql(PUBLIC, { id: '999999999' })).data!.user).toBeNull();
    expect((await users.gql(PUBLIC, { id: 'abc' })).data!.user).toBeNull();
  });
});

describe('account deletion', () => {
  it('needs the password, then stops the account at once and emits the erasure event', async () => {
    const account = await registerAccount(users);
    expect(errorCodeOf(await users.gql(DELETE, { password: account.input.password }))).toBe('UNAUTHENTICATED');
    expect(errorCodeOf(await users.gql(DELETE, { password: 'not the password' }, { token: account.accessToken }))).toBe('BAD_USER_INPUT');

    const deleted = await users.gql(DELETE, { password: account.input.password }, { token: account.accessToken });
    expect(deleted.data!.deleteMyAccount).toBe(true);
    expect((await users.outbox('users.user.deleted.v1')).map((event) => event.data.userId)).toContain(account.id);
    expect(errorCodeOf(await users.gql(LOGIN, { email: account.input.email, password: account.input.password }))).toBe('UNAUTHENTICATED');
    expect(errorCodeOf(await users.gql(REFRESH, { refreshToken: account.refreshToken }))).toBe('UNAUTHENTICATED');
    expect((await users.gql(PUBLIC, { id: account.id })).data!.user).toBeNull();
  });
});

describe('bootstrap admin', () => {
  it('is created once and can sign in as an admin', async () => {
    const input = { username: 'bootstrap_admin', email: 'root@example.com', password: 'bootstrap password 1' };
    expect(await users.service.domain.accounts.ensureBootstrapAdmin(input)).toBe('created');
    expect(await users.service.domain.accounts.ensureBootstrapAdmin(input)).toBe('exists');
    const login = await users.gql(LOGIN, { email: input.email, password: input.password });
    expect(login.data!.login.user.userType).toBe('ADMIN');
    const row = await users.db.query('SELECT is_staff, is_superuser FROM users WHERE email = $1', [input.email]);
    expect(row.rows[0]).toEqual({ is_staff: true, is_superuser: true });
  });
});
