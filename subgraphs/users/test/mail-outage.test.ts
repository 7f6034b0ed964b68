import { startTestMailCatcher, registerAccount, startUsersForTest, waitFor, type UsersUnderTest } from './start-users.js';

// A mail server that does not answer: the courier retries with backoff, then gives the mail up, and
// /metrics says so.

let users: UsersUnderTest;
beforeAll(async () => {
  // An address where no SMTP server listens (a catcher's, stopped at once).
  const gone = await startTestMailCatcher();
  await gone.stop();
  users = await startUsersForTest({ env: { SMTP_URL: gone.url, MAIL_MAX_ATTEMPTS: '3', MAIL_RETRY_BASE_MS: '100', MAIL_RETRY_MAX_MS: '400' } });
});
afterAll(async () => {
  await users.close();
});

const metrics = async () => (await fetch(users.service.url.replace(/\/graphql$/, '/metrics'))).text();
/** The value of a metric's sample with these labels (among others, such as service). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && Object.entries(labels).every(([key, value]) => l.includes(`${key}="${value}"`)));
  return Number(line?.split(' ').at(-1) ?? NaN);
}

it('retries a verification mail while SMTP is down, marks it failed after the last attempt, and counts both in /metrics', async () => {
  const account = await registerAccount(users);
  expect(account.accessToken).toBeTruthy(); // registration does not wait for the mail

  const row = await waitFor(
    'the mail to be given up on',
    async () => (await users.db.query('SELECT status, attempts, last_error, text_body FROM outbound_mail WHERE user_id = $1', [account.id])).rows[0],
    (r) => r?.status === 'failed',
    20_000,
  );
  expect(row).toMatchObject({ status: 'failed', attempts: 3, last_error: expect.stringMatching(/ECONNREFUSED|connect/i) });

  const text = await metrics();
  expect(sample(text, 'mail_retried_total', { kind: 'email_verification' })).toBe(2);
  expect(sample(text, 'mail_failed_total', { kind: 'email_verification' })).toBe(1);
  expect(sample(text, 'mail_queue_messages', { status: 'failed' })).toBe(1);
  expect(sample(text, 'mail_queue_messages', { status: 'pending' })).toBe(0);
  expect(sample(text, 'mail_queue_oldest_pending_seconds')).toBe(0);
});
