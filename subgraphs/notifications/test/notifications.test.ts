import { createEnvelope } from '@jobplatform/events';
import { planApplicationNotification } from '../src/application-notifications.js';
import { notificationEvents } from '../src/notification-events.js';
import { errorCodeOf, NOTIFICATIONS_OPERATIONS, startPlatformForTest, waitFor, type Account, type PlatformUnderTest } from './start-notifications.js';

// Notifications through the gateway, with users, jobs, applications and notifications on one
// nats-server: applications' events make them, the project's own operations
// (schema/operations/notifications.graphql) read and change them, and only their recipient sees them.

let platform: PlatformUnderTest;
let employer: Account;
let member: Account;
let companyId: string;
let jobId: string;
let seeker: Account;
let applicationId: string;
let admin: Account;

const SECONDS = 20_000;
const UPDATE_STATUS = 'mutation($id: ID!, $status: ApplicationStatus!) { updateApplicationStatus(id: $id, status: $status) { status } }';
const SCHEDULE = 'mutation($input: ScheduleInterviewInput!) { scheduleInterview(input: $input) { id } }';
const WITHDRAW = 'mutation($id: ID!) { withdrawApplication(id: $id) { status } }';
const THEIR_NOTIFICATIONS = 'query($id: ID!) { user(id: $id) { id notifications { totalCount } notificationPreferences { isEnabled } } }';

const myNotifications = (account: Account, variables: Record<string, unknown> = {}) => platform.op('MyNotifications', variables, account).then((data) => data.me.notifications);
const gqlOp = (operationName: string, variables: Record<string, unknown>, account?: Account) =>
  platform.gql(NOTIFICATIONS_OPERATIONS, variables, { operationName, ...(account ? { token: account.accessToken } : {}) });

/** Waits until `account` has `count` notifications through MyNotifications (page and count alike), and returns the page. */
const inboxOf = (account: Account, count: number, what: string) =>
  waitFor(
    `${what} in ${account.username}'s notifications`,
    () => myNotifications(account),
    (page) => page.totalCount >= count && page.edges.length >= Math.min(count, 20),
    SECONDS,
  );

beforeAll(async () => {
  platform = await startPlatformForTest();
  ({ employer, companyId } = await platform.employerWithCompany('Hooli'));
  [member, seeker, admin] = await Promise.all([platform.seeker(), platform.seeker(), platform.admin()]);
  await platform.addMember(employer, companyId, member);
  jobId = await platform.postJob(employer, companyId, 'Backend engineer');
}, 300_000);
afterAll(async () => {
  await platform?.close();
});

describe('a new application', () => {
  it("shows in the employer's and the company members' notifications within seconds of ApplyToJob, and in nobody else's", async () => {
    const started = Date.now();
    applicationId = await platform.apply(seeker, jobId);
    const page = await inboxOf(employer, 1, 'the new application');
    expect(Date.now() - started).toBeLessThan(SECONDS);
    expect(page).toEqual({
      totalCount: 1,
      unreadCount: 1,
      edges: [
        {
          cursor: expect.any(String),
          node: {
            id: expect.any(String),
            title: 'New application: Backend engineer',
            message: `${seeker.username} applied to Backend engineer at ${await companyName()}.`,
            notificationType: 'IN_APP',
            status: 'SENT',
            metadata: { applicationId, jobId },
            createdAt: expect.any(String),
            sentAt: expect.any(String),
            readAt: null,
          },
        },
      ],
      pageInfo: { hasNextPage: false, endCursor: expect.any(String) },
    });
    expect((await inboxOf(member, 1, 'the new application')).edges[0].node.title).toBe('New application: Backend engineer');
    expect((await myNotifications(seeker)).totalCount).toBe(0);
  });

  it('is announced by notifications.notification.created.v1 with ids only, once per in-app notification', async () => {
    const rows = (
      await platform.notifications.db.query(
        `SELECT id::text AS "notificationId", user_id::text AS "recipientId", notification_type AS "notificationType" FROM notifications ORDER BY id`,
      )
    ).rows;
    expect(rows.map((row) => row.recipientId).sort()).toEqual([employer.id, member.id].sort());
    const events = await waitFor(
      'notifications.notification.created.v1 on JetStream',
      () => platform.notifications.published('notifications.notification.created.v1'),
      (found) => found.length >= rows.length,
      SECONDS,
    );
    expect(events.map((event) => event.data).sort((a, b) => a.notificationId.localeCompare(b.notificationId))).toEqual(rows);
  });
});

async function companyName(): Promise<string> {
  return (await platform.notifications.db.query('SELECT name FROM company_replicas WHERE id = $1', [companyId])).rows[0]!.name;
}

describe('the applicant', () => {
  it("sees a status change in MyNotifications, and an interview's time", async () => {
    await platform.ok(UPDATE_STATUS, { id: applicationId, status: 'SHORTLISTED' }, employer);
    const page = await inboxOf(seeker, 1, 'the status change');
    expect(page.edges[0].node).toMatchObject({
      title: 'Application update: Backend engineer',
      message: `Your application to Backend engineer at ${await companyName()} has been shortlisted.`,
      notificationType: 'IN_APP',
      status: 'SENT',
      metadata: { applicationId, jobId, status: 'SHORTLISTED' },
    });

    await platform.ok(SCHEDULE, { input: { applicationId, interviewType: 'VIDEO', scheduledAt: '2099-05-11T09:30:00Z', durationMinutes: 45 } }, member);
    // The interview and the move to INTERVIEWING it causes.
    const after = await inboxOf(seeker, 3, 'the interview');
    const titles = after.edges.map((edge: { node: { title: string } }) => edge.node.title);
    expect(titles).toEqual(expect.arrayContaining(['Interview scheduled: Backend engineer', 'Application update: Backend engineer']));
    const interview = after.edges.find((edge: { node: { title: string } }) => edge.node.title.startsWith('Interview')).node;
    expect(interview.message).toBe(`${await companyName()} scheduled a video interview for Backend engineer on Monday 11 May 2099 at 09:30 UTC (45 minutes).`);
    expect(interview.metadata).toEqual({ applicationId, jobId, interviewId: expect.any(String) });
    // The employer side made these changes: it hears nothing of them.
    expect((await myNotifications(employer)).totalCount).toBe(1);
  });

  it('withdrawing tells the employer side', async () => {
    const other = await platform.seeker();
    const otherApplication = await platform.apply(other, jobId);
    await inboxOf(employer, 2, 'the second application');
    await platform.ok(WITHDRAW, { id: otherApplication }, other);
    const page = await inboxOf(employer, 3, 'the withdrawal');
    expect(page.edges[0].node).toMatchObject({ title: 'Application withdrawn: Backend engineer', metadata: { applicationId: otherApplication, jobId } });
    expect(page.edges[0].node.message).toBe(`${other.username} withdrew their application to Backend engineer at ${await companyName()}.`);
    expect((await myNotifications(other)).totalCount).toBe(0);
  });
});

describe('reading notifications', () => {
  it('pages newest first, with unreadOnly and a channel', async () => {
    const all = await myNotifications(employer);
    const first = await myNotifications(employer, { first: 1 });
    expect(first.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([all.edges[0].node.id]);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = await myNotifications(employer, { first: 2, after: first.pageInfo.endCursor });
    expect(second.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual(all.edges.slice(1, 3).map((e: { node: { id: string } }) => e.node.id));
    expect((await myNotifications(employer, { unreadOnly: true })).totalCount).toBe(all.unreadCount);
    const emailOnly = await platform.ok('{ me { notifications(notificationType: EMAIL) { totalCount unreadCount } } }', {}, employer);
    expect(emailOnly.me.notifications).toEqual({ totalCount: 0, unreadCount: all.unreadCount });
    expect(errorCodeOf(await gqlOp('MyNotifications', { after: 'not-a-cursor' }, employer))).toBe('BAD_USER_INPUT');
    expect(errorCodeOf(await gqlOp('MyNotifications', { first: 101 }, employer))).toBe('BAD_USER_INPUT');
  });

  it("answers me itself, from the token, as users does: the signed-in user's id, and null without a token", async () => {
    // The gateway asks notifications alone for MyNotifications (gateway/test/me-query-plans.test.ts).
    expect((await platform.op('MyNotificationPreferences', {}, seeker)).me.id).toBe(seeker.id);
    const anonymous = await gqlOp('MyNotifications', {});
    expect(anonymous.errors).toBeUndefined();
    expect(anonymous.data).toEqual({ me: null });
    const direct = await platform.service('notifications').gql('{ me { id } }', {});
    expect(direct.data).toEqual({ me: null });
  });

  it('reads a page with its counts in one statement, and no counts the client did not select', async () => {
    const { statements } = platform.notifications;
    /** The reads of notifications and their counts (not the mail-outcomes part's poll nor a consumer's writes, which share the client). */
    const inboxStatements = () => statements.filter((sql) => /^\s*SELECT/i.test(sql) && /FROM\s+("public"\.)?"?notification(s|_counts)\b/i.test(sql));
    statements.length = 0;
    const page = await myNotifications(employer);
    expect(page.edges.length).toBeGreaterThan(0);
    expect(inboxStatements()).toHaveLength(1);
    expect(inboxStatements()[0]).toMatch(/FROM notification_counts/);
    expect(inboxStatements()[0]).toMatch(/FROM notifications\b/);
    // Over node-postgres, not through Prisma's client: the page is the inbox's hot read.
    expect(platform.notifications.leanStatements).toContain(inboxStatements()[0]);
    statements.length = 0;
    const rowsOnly = await platform.ok('{ me { notifications(first: 2) { edges { node { id } } pageInfo { hasNextPage } } } }', {}, employer);
    expect(rowsOnly.me.notifications.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual(page.edges.slice(0, 2).map((e: { node: { id: string } }) => e.node.id));
    expect(inboxStatements()).toHaveLength(1);
    expect(inboxStatements()[0]).not.toMatch(/notification_counts/);
    // Counts asked for through a fragment are read with the page too.
    statements.length = 0;
    const counted = await platform.ok('{ me { notifications(first: 1) { ...Counts } } } fragment Counts on NotificationConnection { totalCount unreadCount }', {}, employer);
    expect(counted.me.notifications).toEqual({ totalCount: page.totalCount, unreadCount: page.unreadCount });
    expect(inboxStatements()).toHaveLength(1);
  });

  it("plans a page on the user's index even when PostgreSQL plans it with the user's id, for a user whose notifications are older than others'", async () => {
    const { db, leanStatements } = platform.notifications;
    leanStatements.length = 0;
    await myNotifications(employer);
    const [page] = leanStatements.filter((sql) => /FROM notifications\b/.test(sql) && /FROM notification_counts/.test(sql));
    // A user whose 10,000 notifications are older than 50,000 of 5,000 other users' (ids no account has).
    const heavy = 990_000_000;
    const insert = (userOf: string, count: number, from: number) =>
      db.query(
        `INSERT INTO notifications (user_id, title, message, notification_type, status, event, source_event_id, sent_at)
         SELECT ${userOf}, 'A title', 'A message', 'in_app', 'sent', 'application_status_changed', 'PLANTEST' || lpad((g + $1::int)::text, 18, '0'), now()
         FROM generate_series(1, $2::int) AS g`,
        [from, count],
      );
    await insert(`${heavy}`, 10_000, 0);
    await insert(`${heavy + 1} + g % 5000`, 50_000, 10_000);
    try {
      await db.query('ANALYZE notifications');
      // EXPLAIN with the values bound plans with them, as a call planned with its values does:
      // $1 the user, $2 the page's size + 1, $3 the user again (the counts).
      const { rows } = await db.query<{ 'QUERY PLAN': [{ Plan: unknown }] }>(`EXPLAIN (FORMAT JSON) ${page}`, [heavy, 21, heavy]);
      const scans = JSON.stringify(rows[0]!['QUERY PLAN'][0].Plan).match(/"Index Name":"notifications_[a-z_]+"/g);
      expect(scans).toEqual(['"Index Name":"notifications_user_id_id_idx"']);
    } finally {
      await db.query('DELETE FROM notifications WHERE user_id >= $1', [heavy]);
      await db.query('DELETE FROM notification_counts WHERE user_id >= $1', [heavy]);
    }
  });

  it('reads a notification by id (as a live subscription does) in one statement over node-postgres, for its recipient alone', async () => {
    const page = await myNotifications(employer);
    const target = page.edges[0].node;
    platform.notifications.leanStatements.length = 0;
    const read = await platform.ok('query N($id: ID!) { notification(id: $id) { id title } }', { id: target.id }, employer);
    expect(read.notification).toEqual({ id: target.id, title: target.title });
    expect(platform.notifications.leanStatements.filter((sql) => /FROM notifications n WHERE n\.id = ANY/.test(sql))).toHaveLength(1);
    const stranger = await platform.ok('query N($id: ID!) { notification(id: $id) { id title } }', { id: target.id }, seeker);
    expect(stranger.notification).toBeNull();
  });

  it('marks one read (once), and the unread count follows', async () => {
    const before = await myNotifications(employer);
    const target = before.edges.at(-1).node;
    const read = (await platform.op('MarkNotificationRead', { id: target.id }, employer)).markNotificationRead;
    expect(read).toEqual({ id: target.id, status: 'READ', readAt: expect.any(String) });
    const again = (await platform.op('MarkNotificationRead', { id: target.id }, employer)).markNotificationRead;
    expect(again).toEqual(read);
    const after = await myNotifications(employer);
    expect(after.unreadCount).toBe(before.unreadCount - 1);
    expect(after.totalCount).toBe(before.totalCount);
    expect((await myNotifications(employer, { unreadOnly: true })).edges.map((e: { node: { id: string } }) => e.node.id)).not.toContain(target.id);
  });

  it('answers a page exactly as the rows are stored, read and unread, every field', async () => {
    const page = await myNotifications(employer, { first: 50 });
    expect(page.edges.some((e: { node: { readAt: string | null } }) => e.node.readAt !== null)).toBe(true);
    const stored = await platform.notifications.db.query(
      `SELECT id::text, title, message, notification_type, status, metadata, created_at, sent_at, read_at
       FROM notifications WHERE user_id = $1 ORDER BY id DESC LIMIT 50`,
      [employer.id],
    );
    const instant = (value: Date | null) => (value === null ? null : value.toISOString());
    expect(page.edges.map((e: { node: unknown }) => e.node)).toEqual(
      stored.rows.map((row) => ({
        id: row.id,
        title: row.title,
        message: row.message,
        notificationType: row.notification_type.toUpperCase(),
        status: row.status.toUpperCase(),
        metadata: row.metadata,
        createdAt: instant(row.created_at),
        sentAt: instant(row.sent_at),
        readAt: instant(row.read_at),
      })),
    );
  });

  it("refuses someone else's notification as NOT_FOUND, and changes nothing", async () => {
    const theirs = (await myNotifications(member)).edges[0].node;
    for (const id of [theirs.id, '999999999', 'abc']) {
      const response = await gqlOp('MarkNotificationRead', { id }, employer);
      expect(errorCodeOf(response)).toBe('NOT_FOUND');
    }
    expect((await myNotifications(member)).edges[0].node).toMatchObject({ id: theirs.id, status: 'SENT', readAt: null });
    expect(errorCodeOf(await gqlOp('MarkNotificationRead', { id: theirs.id }))).toBe('UNAUTHENTICATED');
    expect(errorCodeOf(await gqlOp('MarkAllNotificationsRead', {}))).toBe('UNAUTHENTICATED');
  });

  it('marks all read and returns how many', async () => {
    const before = await myNotifications(employer);
    expect(before.unreadCount).toBeGreaterThan(0);
    expect((await platform.op('MarkAllNotificationsRead', {}, employer)).markAllNotificationsRead).toBe(before.unreadCount);
    expect((await platform.op('MarkAllNotificationsRead', {}, employer)).markAllNotificationsRead).toBe(0);
    const after = await myNotifications(employer);
    expect(after.unreadCount).toBe(0);
    expect(after.edges.every((e: { node: { status: string; readAt: string | null } }) => e.node.status === 'READ' && e.node.readAt !== null)).toBe(true);
    // The member's own stay unread.
    expect((await myNotifications(member)).unreadCount).toBeGreaterThan(0);
  });

  it("shows a user's notifications and preferences to that user alone, not to other users or admins", async () => {
    for (const viewer of [member, admin]) {
      expect((await platform.ok(THEIR_NOTIFICATIONS, { id: employer.id }, viewer)).user).toEqual({ id: employer.id, notifications: null, notificationPreferences: null });
    }
    expect((await platform.ok(THEIR_NOTIFICATIONS, { id: employer.id }, employer)).user.notifications.totalCount).toBeGreaterThan(0);
  });
});

describe('preferences', () => {
  it('lists every channel, enabled until turned off', async () => {
    const { me } = await platform.op('MyNotificationPreferences', {}, member);
    expect(me).toEqual({
      id: member.id,
      notificationPreferences: [
        { notificationType: 'EMAIL', isEnabled: true },
        { notificationType: 'PUSH', isEnabled: true },
        { notificationType: 'SMS', isEnabled: true },
        { notificationType: 'IN_APP', isEnabled: true },
      ],
    });
  });

  it('makes no in-app notification for a user who turned IN_APP off, and makes them again once on', async () => {
    const off = await platform.op('UpdateNotificationPreference', { notificationType: 'IN_APP', isEnabled: false }, member);
    expect(off.updateNotificationPreference).toEqual({ notificationType: 'IN_APP', isEnabled: false });
    expect((await platform.op('MyNotificationPreferences', {}, member)).me.notificationPreferences).toContainEqual({ notificationType: 'IN_APP', isEnabled: false });
    const memberBefore = (await myNotifications(member)).totalCount;
    const employerBefore = (await myNotifications(employer)).totalCount;

    await platform.apply(await platform.seeker(), jobId);
    await inboxOf(employer, employerBefore + 1, 'the application');
    // The employer's row and the member's would be made in the same transaction.
    expect((await myNotifications(member)).totalCount).toBe(memberBefore);

    await platform.op('UpdateNotificationPreference', { notificationType: 'IN_APP', isEnabled: true }, member);
    await platform.apply(await platform.seeker(), jobId);
    await inboxOf(member, memberBefore + 1, 'the application after IN_APP is on again');
  });

  it('refuses an unknown channel as a validation error and an anonymous change', async () => {
    const unknown = await gqlOp('UpdateNotificationPreference', { notificationType: 'PIGEON', isEnabled: false }, member);
    expect(unknown.errors?.[0]?.extensions?.code).toMatch(/BAD_USER_INPUT|GRAPHQL_VALIDATION_FAILED/);
    expect(errorCodeOf(await gqlOp('UpdateNotificationPreference', { notificationType: 'EMAIL', isEnabled: false }))).toBe('UNAUTHENTICATED');
  });
});

describe('templates', () => {
  const submittedInApp = { event: 'APPLICATION_SUBMITTED', notificationType: 'IN_APP' };

  it('lists a template for every event and delivered channel, to admins only', async () => {
    const { notificationTemplates } = await platform.op('NotificationTemplates', {}, admin);
    expect(notificationTemplates).toHaveLength(16); // 8 notification events × 2 delivered channels
    expect(notificationTemplates.map((t: { name: string }) => t.name)).toContain('application_submitted.in_app');
    expect(notificationTemplates.find((t: { name: string }) => t.name === 'interview_scheduled.email')).toMatchObject({
      notificationType: 'EMAIL',
      isActive: true,
      subject: 'Interview for {{ job_title }} at {{ company_name }}',
    });
    expect(errorCodeOf(await gqlOp('NotificationTemplates', {}, employer))).toBe('FORBIDDEN');
    expect(errorCodeOf(await gqlOp('NotificationTemplates', {}))).toBe('UNAUTHENTICATED');
    expect(errorCodeOf(await gqlOp('UpsertNotificationTemplate', { input: { ...submittedInApp, subject: 'x', body: 'y' } }, employer))).toBe('FORBIDDEN');
  });

  it('refuses a template that does not compile or uses a variable the event does not offer, naming the problem, and keeps the old one', async () => {
    const broken = await gqlOp('UpsertNotificationTemplate', { input: { ...submittedInApp, subject: '{{ job_title', body: 'From {{ applicant_email }}' } }, admin);
    expect(errorCodeOf(broken)).toBe('BAD_USER_INPUT');
    expect(broken.errors![0]!.extensions!.fields).toEqual([
      { field: 'input.subject', message: expect.stringMatching(/^does not compile: /) },
      {
        field: 'input.body',
        message: expect.stringMatching(/^uses "applicant_email", which application_submitted does not offer \(it offers recipient_name, .*applicant_name\)$/),
      },
    ]);
    expect(broken.errors![0]!.message).toMatch(/input\.body: uses "applicant_email"/);
    const push = await gqlOp('UpsertNotificationTemplate', { input: { event: 'APPLICATION_SUBMITTED', notificationType: 'PUSH', subject: 'x', body: 'y' } }, admin);
    expect(push.errors![0]!.extensions!.fields).toEqual([{ field: 'input.notificationType', message: 'must be IN_APP or EMAIL: nothing is delivered through PUSH yet' }]);
    const { notificationTemplates } = await platform.op('NotificationTemplates', {}, admin);
    expect(notificationTemplates.find((t: { name: string }) => t.name === 'application_submitted.in_app').subject).toBe('New application: {{ job_title }}');
  });

  it('renders new notifications with a template an admin stored, and none while it is not active', async () => {
    const stored = await platform.op(
      'UpsertNotificationTemplate',
      { input: { ...submittedInApp, subject: '{{ job_title | upcase }}: {{ applicant_name }}', body: '{% if company_name %}{{ company_name }} has a new applicant.{% endif %}' } },
      admin,
    );
    expect(stored.upsertNotificationTemplate).toMatchObject({ name: 'application_submitted.in_app', notificationType: 'IN_APP', isActive: true });
    const applicant = await platform.seeker();
    const before = (await myNotifications(employer)).totalCount;
    await platform.apply(applicant, jobId);
    const page = await inboxOf(employer, before + 1, 'the application');
    expect(page.edges[0].node).toMatchObject({ title: `BACKEND ENGINEER: ${applicant.username}`, message: `${await companyName()} has a new applicant.` });

    await platform.op('UpsertNotificationTemplate', { input: { ...submittedInApp, subject: 'x', body: 'y', isActive: false } }, admin);
    const memberBefore = (await myNotifications(member)).totalCount;
    const job2 = await platform.postJob(employer, companyId, 'Frontend engineer');
    const last = await platform.seeker();
    await platform.apply(last, job2);
    // The withdrawal template is still active: withdrawing makes one, the inactive submission none.
    const lastApplication = (await platform.applications.db.query('SELECT id::text FROM applications WHERE applicant_id = $1', [last.id])).rows[0]!.id;
    await platform.ok(WITHDRAW, { id: lastApplication }, last);
    const memberPage = await inboxOf(member, memberBefore + 1, 'the withdrawal');
    expect(memberPage.totalCount).toBe(memberBefore + 1);
    expect(memberPage.edges[0].node.title).toBe('Application withdrawn: Frontend engineer');

    const defaults = await platform.op(
      'UpsertNotificationTemplate',
      { input: { ...submittedInApp, subject: 'New application: {{ job_title }}', body: '{{ applicant_name }} applied to {{ job_title }} at {{ company_name }}.' } },
      admin,
    );
    expect(defaults.upsertNotificationTemplate.isActive).toBe(true);
  });
});

describe('email', () => {
  const EMAILS = '{ me { notifications(notificationType: EMAIL) { totalCount edges { node { id title message status sentAt readAt metadata } } } } }';
  const emailsOf = async (account: Account) => (await platform.ok(EMAILS, {}, account)).me.notifications;

  it('mails a verified address over SMTP: PENDING until the mail server takes it, then SENT; an unverified address gets no email', async () => {
    const { employer: mailed, companyId: theirCompany } = await platform.employerWithCompany('Globex');
    await platform.verify(mailed);
    const unverified = await platform.seeker();
    await platform.addMember(mailed, theirCompany, unverified);
    const theirJob = await platform.postJob(mailed, theirCompany, 'Site reliability engineer');
    const applicant = await platform.seeker();
    const application = await platform.apply(applicant, theirJob);

    const sent = await waitFor(
      'the email notification to be sent',
      () => emailsOf(mailed),
      (page) => page.edges[0]?.node.status === 'SENT',
      SECONDS,
    );
    expect(sent.edges[0].node).toEqual({
      id: expect.any(String),
      title: 'New application for Site reliability engineer',
      message: expect.stringContaining(`Hello ${mailed.username},\n\n${applicant.username} applied to Site reliability engineer at Globex`),
      status: 'SENT',
      sentAt: expect.any(String),
      readAt: null,
      metadata: { applicationId: application, jobId: theirJob },
    });
    const mail = await platform.catcher.waitForMail((m) => m.to.includes(mailed.email) && m.subject === 'New application for Site reliability engineer', {
      description: 'the new-application mail',
    });
    expect(mail.text).toContain(`${applicant.username} applied to Site reliability engineer at Globex`);
    // The in-app row beside it; the email row is no unread notification.
    const all = await platform.op('MyNotifications', {}, mailed);
    expect(all.me.notifications.edges.map((e: { node: { notificationType: string } }) => e.node.notificationType).sort()).toEqual(['EMAIL', 'IN_APP']);
    expect(all.me.notifications.unreadCount).toBe(1);
    // Marking an email read leaves its delivery status.
    const marked = (await platform.op('MarkNotificationRead', { id: sent.edges[0].node.id }, mailed)).markNotificationRead;
    expect(marked).toEqual({ id: sent.edges[0].node.id, status: 'SENT', readAt: null });

    await inboxOf(unverified, 1, 'the new application');
    expect((await emailsOf(unverified)).totalCount).toBe(0);
  });

  it('sends no email to a user who turned EMAIL off', async () => {
    const { employer: quiet, companyId: theirCompany } = await platform.employerWithCompany('Umbrella');
    await platform.verify(quiet);
    await platform.op('UpdateNotificationPreference', { notificationType: 'EMAIL', isEnabled: false }, quiet);
    const theirJob = await platform.postJob(quiet, theirCompany, 'Chemist');
    await platform.apply(await platform.seeker(), theirJob);
    await inboxOf(quiet, 1, 'the in-app notification');
    expect((await emailsOf(quiet)).totalCount).toBe(0);
  });

  it('marks the email FAILED when the mail server refuses the address for good', async () => {
    const { employer: bouncing, companyId: company } = await platform.employerWithCompany('Initrode');
    await platform.verify(bouncing);
    platform.refuseMailTo(bouncing.email);
    const theirJob = await platform.postJob(bouncing, company, 'Postmaster');
    await platform.apply(await platform.seeker(), theirJob);
    const failed = await waitFor(
      'the email notification to fail',
      () => emailsOf(bouncing),
      (page) => page.edges[0]?.node.status === 'FAILED',
      SECONDS,
    );
    expect(failed.edges[0].node).toMatchObject({ status: 'FAILED', sentAt: null });
  });
});

describe('account erasure', () => {
  it("deletes the user's notifications and preferences, and users records notifications' reply", async () => {
    const { employer: leaving, companyId: theirCompany } = await platform.employerWithCompany('Initech');
    await platform.verify(leaving);
    const theirJob = await platform.postJob(leaving, theirCompany, 'Data engineer');
    await platform.apply(await platform.seeker(), theirJob);
    await inboxOf(leaving, 2, 'the application, in the app and by email');
    await waitFor(
      'the mail to be sent',
      async () => (await platform.notifications.db.query('SELECT status FROM outbound_mail WHERE user_id = $1', [leaving.id])).rows,
      (rows) => rows[0]?.status === 'sent',
      SECONDS,
    );
    await platform.op('UpdateNotificationPreference', { notificationType: 'SMS', isEnabled: false }, leaving);

    const deleted = await platform.ok('mutation($p: String!) { deleteMyAccount(password: $p) }', { p: leaving.password }, leaving);
    expect(deleted.deleteMyAccount).toBe(true);
    // notifications answers `me` itself: the deleted account's token is refused, not answered with its notifications.
    await waitFor(
      'the deleted account to be refused',
      async () => errorCodeOf(await gqlOp('MyNotifications', {}, leaving)),
      (code) => code === 'UNAUTHENTICATED',
      5_000,
    );
    const erasures = platform.service('users').service.domain.erasure;
    const erased = await waitFor(
      'users to record the account erasure as completed',
      async () => ((await erasures.list(['completed'])) as { userId: string; completions: { service: string; summary: unknown }[] }[]).find((e) => e.userId === leaving.id),
      (found) => found !== undefined,
      60_000,
    );
    expect(erased!.completions.find((c) => c.service === 'notifications')?.summary).toEqual({ deletedNotifications: 2, deletedPreferences: 1, deletedMail: 1 });
    const db = platform.notifications.db;
    expect((await db.query('SELECT count(*)::int AS n FROM notifications WHERE user_id = $1', [leaving.id])).rows[0]!.n).toBe(0);
    expect((await db.query('SELECT count(*)::int AS n FROM user_notification_preferences WHERE user_id = $1', [leaving.id])).rows[0]!.n).toBe(0);
    expect((await db.query('SELECT count(*)::int AS n FROM outbound_mail WHERE user_id = $1', [leaving.id])).rows[0]!.n).toBe(0);
    expect((await db.query('SELECT email, is_verified FROM recipient_contacts WHERE user_id = $1', [leaving.id])).rows).toEqual([{ email: '', is_verified: false }]);
  });
});

describe('notification_counts', () => {
  /** What the triggers keep, and the same counted from the rows, for the given users (all when none). */
  const counts = (users?: string[]) => {
    const only = users ? 'WHERE user_id = ANY($1::bigint[])' : '';
    const kept = `SELECT user_id::text, notification_type, total, unread FROM notification_counts ${only ? `${only} AND` : 'WHERE'} (total <> 0 OR unread <> 0) ORDER BY 1, 2`;
    const counted = `
      SELECT user_id::text, notification_type, count(*)::int AS total, (count(*) FILTER (WHERE notification_type = 'in_app' AND status = 'sent'))::int AS unread
      FROM notifications ${only} GROUP BY 1, 2 ORDER BY 1, 2`;
    const db = platform.service('notifications').db;
    const params = users ? [users] : [];
    return Promise.all([db.query(kept, params), db.query(counted, params)]).then(([k, c]) => ({ kept: k.rows, counted: c.rows }));
  };

  it('follows inserts, reads, deletes and channel changes made by any statement, several rows at once', async () => {
    const db = platform.service('notifications').db;
    const insert = `INSERT INTO notifications (user_id, title, message, notification_type, status, event, source_event_id, sent_at, read_at)
      SELECT $1::bigint, 't', 'm', channel, status, 'application_submitted', lpad(($1::bigint * 100 + n)::text, 26, '0'),
             CASE WHEN status IN ('sent', 'read') THEN now() END, CASE WHEN status = 'read' THEN now() END
      FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS r(channel, status, n)`;
    await db.query(insert, ['900001', ['in_app', 'in_app', 'in_app', 'email', 'email'], ['sent', 'sent', 'read', 'pending', 'sent']]);
    await db.query(insert, ['900002', ['in_app', 'sms'], ['sent', 'failed']]);
    await db.query("UPDATE notifications SET status = 'read', read_at = now() WHERE source_event_id = lpad('90000101', 26, '0')");
    await db.query("UPDATE notifications SET status = 'failed' WHERE user_id = 900001 AND notification_type = 'email' AND status = 'pending'");
    await db.query("UPDATE notifications SET user_id = 900002, notification_type = 'in_app', status = 'sent' WHERE source_event_id = lpad('90000105', 26, '0')");
    await db.query("DELETE FROM notifications WHERE user_id = 900002 AND notification_type = 'sms'");
    const { kept, counted } = await counts(['900001', '900002']);
    expect(kept).toEqual(counted);
    expect(kept).toEqual([
      { user_id: '900001', notification_type: 'email', total: 1, unread: 0 },
      { user_id: '900001', notification_type: 'in_app', total: 3, unread: 1 },
      { user_id: '900002', notification_type: 'in_app', total: 2, unread: 2 },
    ]);
    await db.query('DELETE FROM notifications WHERE user_id IN (900001, 900002)');
    expect((await counts(['900001', '900002'])).kept).toEqual([]);
  });

  it('agrees with the rows after everything the tests above did through the platform', async () => {
    const { kept, counted } = await counts();
    expect(counted.length).toBeGreaterThan(0);
    expect(kept).toEqual(counted);
  });
});

describe('making notifications', () => {
  // Accounts of its own, so that the other tests' inboxes are untouched: any user ids do for the employer side here.
  let applicant: Account;
  let boss: Account;
  let colleague: Account;
  beforeAll(async () => {
    [applicant, boss, colleague] = await Promise.all([platform.seeker(), platform.seeker(), platform.seeker()]);
    colleague = await platform.verify(colleague); // so that submissions mail the colleague too
  });

  /** An applications event about the test's application, as applications would publish it. */
  const applicationEvent = (at: number) =>
    at % 2 === 0
      ? createEnvelope('applications', 'applications.application.submitted.v1', { ...parties(), status: 'pending' })
      : createEnvelope('applications', 'applications.application.status_changed.v1', {
          ...parties(),
          fromStatus: 'reviewing',
          toStatus: 'shortlisted',
          isActive: true,
          actorKind: 'employer',
          changedBy: boss.id,
          reason: null,
        });
  const parties = () => ({ applicationId, jobId, applicantId: applicant.id, employerId: boss.id, companyId, companyMemberIds: [boss.id, colleague.id] });

  /** Makes the events' notifications in one transaction, as the consumer does with a batch; returns the statements it cost. */
  const deliver = async (events: ReturnType<typeof applicationEvent>[]) => {
    const { service, statements } = platform.notifications;
    const planned = events.map((event) => ({ planned: planApplicationNotification(event)!, traceparent: event.traceparent }));
    statements.length = 0;
    const made = await service.sql.transaction((tx) => service.domain.delivery.deliverMany(tx, planned));
    // Not counted: the transaction's own, and the mail-outcomes part's poll (every 50 ms here), which shares the client.
    const counted = statements.filter((sql) => !/^\s*(BEGIN|COMMIT|UPDATE notifications AS n\b)/i.test(sql));
    return { made, statements: counted.length };
  };

  it('makes a batch of events into notifications with as many statements as one event', async () => {
    await platform.notifications.service.domain.storedTemplates.byEvent(); // in memory, as after any earlier batch
    const one = await deliver([applicationEvent(0)]);
    expect(one.made).toEqual({ inApp: 2, email: 1 }); // the boss and the colleague, who is also mailed
    const events = Array.from({ length: 30 }, (_, at) => applicationEvent(at));
    const thirty = await deliver(events);
    expect(thirty.made).toEqual({ inApp: 15 * 2 + 15, email: 15 }); // submissions to the employer side, status changes to the applicant
    expect(thirty.statements).toBe(one.statements);
    expect(thirty.statements).toBe(5); // recipients, names, the rows, their announcements, their mails (the templates are in memory)

    const rows = await platform.notifications.db.query<{ source_event_id: string; user_id: string }>(
      'SELECT source_event_id, user_id::text FROM notifications WHERE source_event_id = ANY($1) ORDER BY source_event_id, user_id',
      [events.map((event) => event.id)],
    );
    const expected = events.flatMap((event, at) =>
      (at % 2 === 0 ? [boss.id, colleague.id, colleague.id] : [applicant.id]).map((userId) => ({ source_event_id: event.id, user_id: userId })),
    );
    expect(rows.rows).toEqual(expected.sort((a, b) => a.source_event_id.localeCompare(b.source_event_id) || a.user_id.localeCompare(b.user_id)));
    const announced = (await platform.notifications.outbox('notifications.notification.created.v1')).filter((event) =>
      rows.rows.some((row) => row.user_id === event.data.recipientId),
    );
    expect(announced).toHaveLength(2 + 45); // one in-app row each, the first delivery's included
    // Each email row refers to its mail, queued to the colleague's address in the same statement as the batch's other mails.
    const mails = await platform.notifications.db.query<{ recipient: string }>(
      `SELECT m.recipient FROM notifications n JOIN outbound_mail m ON m.id = n.outbound_mail_id WHERE n.source_event_id = ANY($1) AND n.notification_type = 'email'`,
      [events.map((event) => event.id)],
    );
    expect(mails.rows).toEqual(Array.from({ length: 15 }, () => ({ recipient: colleague.email })));
    // The same events again (a redelivery): nothing new.
    expect((await deliver(events)).made).toEqual({ inApp: 0, email: 0 });
  });

  it('reads the templates again only after an admin changed one, and renders with the change at once', async () => {
    const { storedTemplates } = platform.notifications.service.domain;
    await storedTemplates.byEvent();
    const before = { ...storedTemplates.stats };
    const warm = await deliver([applicationEvent(0)]);
    expect(storedTemplates.stats).toEqual({ reads: before.reads, hits: before.hits + 1 });

    const input = { event: 'APPLICATION_SUBMITTED', notificationType: 'IN_APP', subject: 'Applied: {{ job_title }}', body: '{{ applicant_name }} applied.' };
    await platform.op('UpsertNotificationTemplate', { input }, admin);
    const event = applicationEvent(0);
    const changed = await deliver([event]);
    expect(storedTemplates.stats.reads).toBe(before.reads + 1);
    expect(changed.statements).toBe(warm.statements + 1); // the templates, read again
    const titles = await platform.notifications.db.query<{ title: string }>(
      `SELECT DISTINCT title FROM notifications WHERE source_event_id = $1 AND notification_type = 'in_app'`,
      [event.id],
    );
    expect(titles.rows).toEqual([{ title: 'Applied: Backend engineer' }]);
    const defaults = notificationEvents.application_submitted.defaults.in_app;
    await platform.op('UpsertNotificationTemplate', { input: { ...input, subject: defaults.subject, body: defaults.body } }, admin);
  });
});
