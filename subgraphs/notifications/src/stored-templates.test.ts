import type { NotificationsDb } from './db.js';
import { notificationEvents } from './notification-events.js';
import { createStoredTemplates } from './stored-templates.js';

type Row = { event: string; notification_type: string; subject: string; body: string; is_active: boolean };

/** A database that answers the templates statement with `rows`, counting the statements. */
function fakeDb(rows: Row[]) {
  const db = {
    statements: 0,
    pending: [] as (() => void)[],
    /** When set, each answer waits for release(). */
    held: false,
    $queryRaw: () => {
      db.statements += 1;
      const answer = rows.map((row) => ({ ...row }));
      if (!db.held) return Promise.resolve(answer);
      return new Promise((resolve) => db.pending.push(() => resolve(answer)));
    },
    release: () => db.pending.splice(0).forEach((resolve) => resolve()),
  };
  return db;
}

const stored = (subject: string, isActive = true): Row => ({ event: 'application_submitted', notification_type: 'in_app', subject, body: 'b', is_active: isActive });

describe('stored templates', () => {
  it('reads every template in one statement: the stored ones, the defaults where none is stored, none where inactive', async () => {
    const db = fakeDb([stored('Stored'), { ...stored('x', false), notification_type: 'email' }]);
    const templates = createStoredTemplates({ db: db as unknown as NotificationsDb, maxAgeMs: 1000, clock: () => 0 });
    const byEvent = await templates.byEvent();
    expect(byEvent.get('application_submitted')).toEqual({ in_app: { subject: 'Stored', body: 'b' } });
    expect(byEvent.get('interview_scheduled')).toEqual(notificationEvents.interview_scheduled.defaults);
    expect(db.statements).toBe(1);
  });

  it('serves them from memory until maxAgeMs has passed since the read, then reads again', async () => {
    const db = fakeDb([stored('Stored')]);
    let now = 0;
    const templates = createStoredTemplates({ db: db as unknown as NotificationsDb, maxAgeMs: 5000, clock: () => now });
    await templates.byEvent();
    now = 4999;
    await templates.byEvent();
    expect(db.statements).toBe(1);
    expect(templates.stats).toEqual({ reads: 1, hits: 1 });
    now = 5000; // another replica's change is seen here at the latest now
    await templates.byEvent();
    expect(db.statements).toBe(2);
  });

  it('reads again at once after invalidate(), even while an older read is still under way', async () => {
    const db = fakeDb([stored('Before')]);
    const templates = createStoredTemplates({ db: db as unknown as NotificationsDb, maxAgeMs: 60_000, clock: () => 0 });
    await templates.byEvent();
    db.held = true;
    templates.invalidate();
    const older = templates.byEvent(); // began before the change below committed
    templates.invalidate();
    const newer = templates.byEvent();
    db.release();
    await Promise.all([older, newer]);
    expect(db.statements).toBe(3);
    db.held = false;
    await templates.byEvent();
    expect(db.statements).toBe(3); // the newer read is kept, not the older one
  });

  it('has batches that arrive during a read wait for it rather than each reading', async () => {
    const db = fakeDb([stored('Stored')]);
    db.held = true;
    const templates = createStoredTemplates({ db: db as unknown as NotificationsDb, maxAgeMs: 60_000, clock: () => 0 });
    const reads = [templates.byEvent(), templates.byEvent(), templates.byEvent()];
    db.release();
    await Promise.all(reads);
    expect(db.statements).toBe(1);
  });

  it('reads every time with maxAgeMs 0, and forgets a failed read', async () => {
    const db = fakeDb([stored('Stored')]);
    const templates = createStoredTemplates({ db: db as unknown as NotificationsDb, maxAgeMs: 0, clock: () => 0 });
    await templates.byEvent();
    await templates.byEvent();
    expect(db.statements).toBe(2);

    let fail = true;
    const flaky = {
      $queryRaw: () => (fail ? Promise.reject(new Error('connection lost')) : Promise.resolve([])),
    };
    const retried = createStoredTemplates({ db: flaky as unknown as NotificationsDb, maxAgeMs: 60_000, clock: () => 0 });
    await expect(retried.byEvent()).rejects.toThrow('connection lost');
    fail = false;
    await expect(retried.byEvent()).resolves.toBeInstanceOf(Map);
  });
});
