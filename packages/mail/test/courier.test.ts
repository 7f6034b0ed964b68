import { runPgTransaction } from '@jobplatform/events';
import { watchStatements } from '@jobplatform/testing';
import type { MailCatcher } from '../src/catcher.js';
import { deleteMailOf, enqueueMail, enqueueMails, retryDelayMs, type MailMessage } from '../src/index.js';
import { createMailDatabase, metricValue, startTestCatcher, startTestCourier, waitFor } from './mail-test-setup.js';

let db: Awaited<ReturnType<typeof createMailDatabase>>;
let catcher: MailCatcher;
beforeAll(async () => {
  [db, catcher] = await Promise.all([createMailDatabase(), startTestCatcher({ refuseRecipient: (address) => address.endsWith('@refused.example') })]);
});
afterAll(async () => {
  await Promise.all([db.drop(), catcher.stop()]);
});

let counter = 0;
const message = (overrides: Partial<MailMessage> = {}): MailMessage => {
  counter += 1;
  return { kind: 'welcome', to: `person${counter}.${Date.now()}@example.com`, subject: `Hello ${counter}`, text: `Line one\n${'x'.repeat(120)} ${counter}`, ...overrides };
};
const enqueue = (mail: MailMessage) => runPgTransaction(db.pool, (client) => enqueueMail(client, mail));
// Queues a mail already altered (`set`, an SQL assignment list) in the same transaction, so a running courier never sees it unaltered.
const enqueueAltered = (mail: MailMessage, set: string) =>
  runPgTransaction(db.pool, async (client) => {
    const queued = await enqueueMail(client, mail);
    await client.query(`UPDATE outbound_mail SET ${set} WHERE id = $1`, [queued.id]);
    return queued;
  });
// Undefined once deleted; typed as a row for the assertions.
const rowOf = async (id: string) => (await db.query('SELECT * FROM outbound_mail WHERE id = $1', [id])).rows[0] as Record<string, any>;

describe('enqueueMail and the courier', () => {
  it('delivers a queued mail over SMTP once its transaction commits', async () => {
    const courier = await startTestCourier(db, { SMTP_URL: catcher.url, MAIL_FROM: 'Platform <robot@platform.example>' });
    try {
      const mail = message({ html: '<p>Hello</p>' });
      const { id } = await enqueue(mail);
      const caught = await catcher.waitForMail((m) => m.to.includes(mail.to));
      expect(caught).toMatchObject({ subject: mail.subject, from: 'robot@platform.example' });
      // Long lines come back whole: the body was encoded for SMTP and decoded by the catcher.
      expect(caught.text.trim()).toBe(mail.text);
      expect(caught.html).toContain('<p>Hello</p>');
      expect(caught.headers['message-id']).toBe(`<${id.toLowerCase()}@platform.example>`);
      const row = await waitFor(
        'the row to be marked sent',
        () => rowOf(id),
        (r) => r.status === 'sent',
      );
      expect(row).toMatchObject({ attempts: 1, last_error: null });
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(await metricValue(courier.registry, 'mail_sent_total', '{kind="welcome"}')).toBe(1);
    } finally {
      await courier.stop();
    }
  });

  it('queues several mails in one statement, with one text whatever their number', async () => {
    const texts = new Set<string>();
    const queued: { id: string; mail: MailMessage }[] = [];
    for (const count of [1, 3]) {
      const mails = Array.from({ length: count }, (_, i) => message(i === 0 ? { userId: 42n, html: '<p>Hi</p>' } : {}));
      await runPgTransaction(db.pool, async (client) => {
        const watched = watchStatements(client, ({ text }) => texts.add(text));
        (await enqueueMails(watched, mails)).forEach(({ id }, i) => queued.push({ id, mail: mails[i]! }));
      });
    }
    expect(texts.size).toBe(1);
    for (const { id, mail } of queued) {
      expect(await rowOf(id)).toMatchObject({
        kind: mail.kind,
        recipient: mail.to,
        subject: mail.subject,
        text_body: mail.text,
        html_body: mail.html ?? null,
        user_id: mail.userId?.toString() ?? null,
        status: 'pending',
      });
    }
  });

  it('queues nothing when the transaction rolls back', async () => {
    const mail = message();
    await expect(
      runPgTransaction(db.pool, async (client) => {
        await enqueueMail(client, mail);
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect((await db.query('SELECT count(*)::int AS n FROM outbound_mail WHERE recipient = $1', [mail.to])).rows[0]!.n).toBe(0);
  });

  it('refuses kinds that are no metric label, and header lines in the subject or recipient', async () => {
    await expect(enqueue(message({ kind: 'Welcome Mail' }))).rejects.toThrow(/kind/);
    await expect(enqueue(message({ subject: 'Hi\r\nBcc: someone@example.com' }))).rejects.toThrow(/single lines/);
    await expect(enqueue(message({ to: 'a@example.com\nBcc: b@example.com' }))).rejects.toThrow(/single lines/);
  });

  it('retries with backoff while the SMTP server is down, then marks the mail failed, and says so in its metrics', async () => {
    const down = await startTestCatcher();
    const url = down.url;
    await down.stop();
    const courier = await startTestCourier(db, { SMTP_URL: url, MAIL_MAX_ATTEMPTS: '3' });
    try {
      const { id } = await enqueue(message({ kind: 'unlucky' }));
      const row = await waitFor(
        'the mail to be given up on',
        () => rowOf(id),
        (r) => r.status === 'failed',
        20_000,
      );
      expect(row.attempts).toBe(3);
      expect(row.last_error).toMatch(/ECONNREFUSED|connect/i);
      expect(await metricValue(courier.registry, 'mail_retried_total', '{kind="unlucky"}')).toBe(2);
      expect(await metricValue(courier.registry, 'mail_failed_total', '{kind="unlucky"}')).toBe(1);
      expect(await metricValue(courier.registry, 'mail_queue_messages', '{status="failed"}')).toBeGreaterThanOrEqual(1);
    } finally {
      await courier.stop();
    }
  });

  it('gives up at once on a recipient the server refuses for good', async () => {
    const courier = await startTestCourier(db, { SMTP_URL: catcher.url, MAIL_MAX_ATTEMPTS: '5' });
    try {
      const { id } = await enqueue(message({ kind: 'refused', to: `nobody${Date.now()}@refused.example` }));
      const row = await waitFor(
        'the mail to be given up on',
        () => rowOf(id),
        (r) => r.status === 'failed',
      );
      expect(row.attempts).toBe(1);
      expect(row.last_error).toMatch(/550|mailbox unavailable/);
      expect(await metricValue(courier.registry, 'mail_retried_total', '{kind="refused"}')).toBeUndefined();
    } finally {
      await courier.stop();
    }
  });

  it('shares the queue between couriers: every mail is sent exactly once', async () => {
    const batch = `batch${Date.now()}`;
    const mails = Array.from({ length: 40 }, (_, i) => message({ kind: 'shared', to: `${batch}.${i}@example.com` }));
    await runPgTransaction(db.pool, async (client) => {
      for (const mail of mails) await enqueueMail(client, mail);
    });
    const couriers = await Promise.all([1, 2, 3].map(() => startTestCourier(db, { SMTP_URL: catcher.url, MAIL_BATCH_SIZE: '4' })));
    try {
      const ofBatch = async () => (await catcher.list()).filter((m) => m.to[0]!.startsWith(`${batch}.`));
      const caught = await waitFor('every mail of the batch', ofBatch, (list) => list.length >= mails.length);
      await new Promise((resolve) => setTimeout(resolve, 200)); // a duplicate would arrive meanwhile
      expect((await ofBatch()).map((m) => m.to[0]).sort()).toEqual(mails.map((m) => m.to).sort());
      expect(caught).toHaveLength(mails.length);
      const sentBy = await Promise.all(couriers.map((c) => metricValue(c.registry, 'mail_sent_total', '{kind="shared"}')));
      expect(sentBy.reduce((sum: number, n) => sum + (n ?? 0), 0)).toBe(mails.length);
      const attempts = await db.query('SELECT DISTINCT attempts FROM outbound_mail WHERE recipient LIKE $1', [`${batch}.%`]);
      expect(attempts.rows).toEqual([{ attempts: 1 }]);
      // More than one courier took part.
      expect(sentBy.filter((n) => (n ?? 0) > 0).length).toBeGreaterThan(1);
    } finally {
      await Promise.all(couriers.map((c) => c.stop()));
    }
  });

  it('marks failed a mail whose last attempt never recorded an outcome (its courier died)', async () => {
    const courier = await startTestCourier(db, { MAIL_MAX_ATTEMPTS: '2' }, { transport: { send: async () => undefined, close: () => undefined } });
    try {
      const { id } = await enqueueAltered(message({ kind: 'orphaned' }), "attempts = 2, next_attempt_at = now() - interval '1 second'");
      const row = await waitFor(
        'the orphaned mail to fail',
        () => rowOf(id),
        (r) => r.status === 'failed',
      );
      expect(row.last_error).toMatch(/never|no outcome/);
    } finally {
      await courier.stop();
    }
  });

  it('removes the bodies of finished mail after their retention, and the rows after theirs', async () => {
    const courier = await startTestCourier(db, { SMTP_URL: catcher.url, MAIL_BODY_RETENTION_MS: '3600000', MAIL_RETENTION_MS: '86400000' });
    try {
      const kept = await enqueue(message({ kind: 'kept' }));
      const redacted = await enqueue(message({ kind: 'redacted', html: '<b>secret link</b>' }));
      const deleted = await enqueue(message({ kind: 'deleted' }));
      const pending = await enqueueAltered(message({ kind: 'pending' }), "next_attempt_at = now() + interval '1 day'");
      await waitFor(
        'three mails sent',
        async () => Promise.all([kept, redacted, deleted].map((m) => rowOf(m.id))),
        (rows) => rows.every((r) => r.status === 'sent'),
      );
      await db.query("UPDATE outbound_mail SET finished_at = now() - interval '2 hours' WHERE id = $1", [redacted.id]);
      await db.query("UPDATE outbound_mail SET finished_at = now() - interval '2 days' WHERE id = $1", [deleted.id]);
      await db.query("UPDATE outbound_mail SET created_at = now() - interval '3 days' WHERE id = $1", [pending.id]);

      expect(await courier.applyRetention()).toEqual({ redacted: 2, deleted: 1 });
      expect(await rowOf(kept.id)).toMatchObject({ text_body: expect.any(String), redacted_at: null });
      expect(await rowOf(redacted.id)).toMatchObject({ text_body: null, html_body: null, redacted_at: expect.any(Date), subject: expect.any(String) });
      expect(await rowOf(deleted.id)).toBeUndefined();
      // Mail not yet sent keeps its body, however old.
      expect((await rowOf(pending.id)).text_body).toEqual(expect.any(String));
      expect(await metricValue(courier.registry, 'mail_queue_oldest_pending_seconds')).toBeGreaterThan(3 * 24 * 3600 - 60);
      await db.query('DELETE FROM outbound_mail WHERE id = $1', [pending.id]);
    } finally {
      await courier.stop();
    }
  });

  it('with no body retention, drops the body as soon as the mail is sent', async () => {
    const courier = await startTestCourier(db, { SMTP_URL: catcher.url, MAIL_BODY_RETENTION_MS: '0' });
    try {
      const { id } = await enqueue(message({ kind: 'secret' }));
      const row = await waitFor(
        'the mail to be sent',
        () => rowOf(id),
        (r) => r.status === 'sent',
      );
      expect(row).toMatchObject({ text_body: null, html_body: null, redacted_at: expect.any(Date) });
    } finally {
      await courier.stop();
    }
  });

  it('without SMTP_URL sends nothing and keeps the mail queued', async () => {
    const courier = await startTestCourier(db, {});
    try {
      const { id } = await enqueue(message({ kind: 'waiting' }));
      expect(await courier.deliverDue()).toEqual({ sent: 0, retried: 0, failed: 0 });
      expect(await rowOf(id)).toMatchObject({ status: 'pending', attempts: 0 });
      expect(await metricValue(courier.registry, 'mail_queue_messages', '{status="pending"}')).toBeGreaterThanOrEqual(1);
      await db.query('DELETE FROM outbound_mail WHERE id = $1', [id]);
    } finally {
      await courier.stop();
    }
  });

  it("deletes an account's mail, sent or not", async () => {
    const userId = BigInt(Date.now());
    await enqueue(message({ kind: 'account', userId }));
    await enqueue(message({ kind: 'account', userId }));
    const other = await enqueue(message({ kind: 'account', userId: userId + 1n }));
    expect(await runPgTransaction(db.pool, (client) => deleteMailOf(client, userId))).toBe(2);
    expect(await rowOf(other.id)).toBeDefined();
  });
});

it('waits twice as long after each failed attempt, up to the maximum, with some jitter', () => {
  const settings = { MAIL_RETRY_BASE_MS: 1000, MAIL_RETRY_MAX_MS: 10_000 };
  expect([1, 2, 3, 4, 5, 9].map((attempt) => retryDelayMs(attempt, settings, () => 0.5))).toEqual([1000, 2000, 4000, 8000, 10_000, 10_000]);
  expect(retryDelayMs(1, settings, () => 0)).toBe(800);
  expect(retryDelayMs(1, settings, () => 1)).toBe(1200);
});
