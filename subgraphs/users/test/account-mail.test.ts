import { errorCodeOf, readStream, readStreamMessages } from '@jobplatform/testing';
import { LOGIN, registerAccount, startUsersForTest, waitFor, type UsersUnderTest } from './start-users.js';

// users sends its own verification and reset mails, over real SMTP (to the test's catcher): the
// one-time token leaves the service inside the mail and nowhere else.

let users: UsersUnderTest;
beforeAll(async () => {
  users = await startUsersForTest({ env: { WEB_APP_URL: 'https://jobs.example/app', MAIL_FROM: 'Job Platform <accounts@jobs.example>' } });
});
afterAll(async () => {
  await users.close();
});

const VERIFY = 'mutation V($token: String!) { verifyEmail(token: $token) { id isVerified } }';
const RESEND = 'mutation { requestEmailVerification }';
const REQUEST_RESET = 'mutation Q($email: String!) { requestPasswordReset(email: $email) }';
const RESET = 'mutation R($token: String!, $newPassword: String!) { resetPassword(token: $token, newPassword: $newPassword) }';

/** Every token the catcher has seen in a link. */
const tokens: string[] = [];

describe('verification mail', () => {
  it('goes out at registration from MAIL_FROM, with a link to the web app whose token verifies the account', async () => {
    const account = await registerAccount(users);
    const { mail, token } = await users.accountMail(account.input.email, 'email_verification');
    tokens.push(token);
    expect(mail).toMatchObject({ from: 'accounts@jobs.example', to: [account.input.email], subject: 'Confirm your email address' });
    expect(mail.text).toContain(`https://jobs.example/app/verify-email?token=${token}`);
    expect(mail.text).toMatch(/expires in 24 hours/);
    const row = await waitFor(
      'the mail to be marked sent',
      async () => (await users.db.query('SELECT status, attempts, kind FROM outbound_mail WHERE user_id = $1', [account.id])).rows,
      (rows) => rows[0]?.status === 'sent',
    );
    expect(row).toEqual([{ status: 'sent', attempts: 1, kind: 'email_verification' }]);

    expect((await users.gql(VERIFY, { token })).data!.verifyEmail).toEqual({ id: account.id, isVerified: true });
  });

  it('is sent again on request, whose token replaces the first; three an hour at most, and none once verified', async () => {
    const account = await registerAccount(users);
    const first = await users.accountMail(account.input.email, 'email_verification');
    expect(errorCodeOf(await users.gql(RESEND, {}))).toBe('UNAUTHENTICATED');

    expect((await users.gql(RESEND, {}, { token: account.accessToken })).data!.requestEmailVerification).toBe(true);
    const second = await users.accountMail(account.input.email, 'email_verification', 2);
    tokens.push(first.token, second.token);
    expect(second.token).not.toBe(first.token);
    expect((await users.gql(VERIFY, { token: first.token })).errors![0]!.message).toMatch(/already used|request a new one/);

    expect((await users.gql(RESEND, {}, { token: account.accessToken })).data!.requestEmailVerification).toBe(true);
    const refused = await users.gql(RESEND, {}, { token: account.accessToken });
    expect(errorCodeOf(refused)).toBe('TOO_MANY_REQUESTS');
    expect(refused.errors![0]!.extensions!.retryAfterSeconds).toBeGreaterThan(3500);
    const third = await users.accountMail(account.input.email, 'email_verification', 3);
    tokens.push(third.token);
    expect((await users.db.query("SELECT count(*)::int AS n FROM outbound_mail WHERE user_id = $1 AND kind = 'email_verification'", [account.id])).rows[0]!.n).toBe(3);
    const audit = await users.db.query("SELECT count(*)::int AS n FROM audit_events WHERE user_id = $1 AND action = 'email_verification_requested'", [account.id]);
    expect(audit.rows[0]!.n).toBe(2);

    expect((await users.gql(VERIFY, { token: third.token })).data!.verifyEmail.isVerified).toBe(true);
    const verifiedAlready = await users.gql(RESEND, {}, { token: account.accessToken });
    expect(errorCodeOf(verifiedAlready)).toBe('CONFLICT');
  });

  it('counts parallel requests together: no more than three verification mails an hour get through', async () => {
    const account = await registerAccount(users);
    const answers = await Promise.all(Array.from({ length: 5 }, () => users.gql(RESEND, {}, { token: account.accessToken })));
    expect(answers.filter((a) => a.data?.requestEmailVerification === true)).toHaveLength(2);
    expect(answers.filter((a) => errorCodeOf(a) === 'TOO_MANY_REQUESTS')).toHaveLength(3);
    expect((await users.db.query("SELECT count(*)::int AS n FROM outbound_mail WHERE user_id = $1 AND kind = 'email_verification'", [account.id])).rows[0]!.n).toBe(3);
  });
});

describe('password reset mail', () => {
  it('carries the token that resets the password', async () => {
    const account = await registerAccount(users);
    expect((await users.gql(REQUEST_RESET, { email: account.input.email })).data!.requestPasswordReset).toBe(true);
    const { mail, token } = await users.accountMail(account.input.email, 'password_reset');
    tokens.push(token);
    expect(mail.text).toContain(`https://jobs.example/app/reset-password?token=${token}`);
    expect(mail.text).toMatch(/expires in 1 hour\b/);
    expect((await users.gql(RESET, { token, newPassword: 'a fresh passphrase 7' })).data!.resetPassword).toBe(true);
    expect((await users.gql(LOGIN, { email: account.input.email, password: 'a fresh passphrase 7' })).errors).toBeUndefined();
  });
});

describe('the bus', () => {
  it('holds no token anywhere, and an email only in the account state events that carry it', async () => {
    expect(tokens.length).toBeGreaterThanOrEqual(5);
    await waitFor(
      'the relay to publish the outbox',
      async () => (await users.db.query<{ n: number }>('SELECT count(*)::int AS n FROM event_outbox WHERE published_at IS NULL')).rows[0]!.n,
      (n) => n === 0,
    );
    // Every message keeps its contract (no retired subject is left on USERS)...
    const envelopes = await readStream(users.nats, 'USERS');
    expect(envelopes.map((e) => e.type)).toContain('users.user.mail_requested.v1');
    // ...and nothing on USERS or DEADLETTER, read raw, holds a token; addresses only where they belong.
    const carriesEmail = new Set(['users.user.registered.v1', 'users.user.updated.v1']);
    const emails = (await users.db.query<{ email: string }>('SELECT email FROM users')).rows.map((row) => row.email);
    for (const stream of ['USERS', 'DEADLETTER']) {
      for (const message of await readStreamMessages(users.nats, stream)) {
        const text = `${message.data} ${JSON.stringify(message.headers)}`;
        for (const token of tokens) expect({ seq: message.seq, stream, token: text.includes(token) }).toEqual({ seq: message.seq, stream, token: false });
        if (!carriesEmail.has(message.subject)) {
          for (const email of emails) expect({ subject: message.subject, email: text.includes(email) }).toEqual({ subject: message.subject, email: false });
        }
      }
    }
  });
});
