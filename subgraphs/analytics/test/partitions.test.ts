import { addMonths, monthOf, partitionName } from '../src/partitions.js';
import { insertEventsWithRollups } from '../src/rollups.js';
import { startAnalyticsForTest, type AnalyticsUnderTest } from './analytics-fixtures.js';

// analytics_events by month: partitions made ahead at start and on demand for older months, and
// months past retention dropped while their rollups stay.

let analytics: AnalyticsUnderTest;
const now = new Date();
const thisMonth = monthOf(now);

beforeAll(async () => {
  analytics = await startAnalyticsForTest({ env: { ANALYTICS_RETENTION_MONTHS: '3', ANALYTICS_PARTITIONS_AHEAD: '2' } });
});
afterAll(async () => {
  await analytics?.close();
});

const partitions = async () =>
  (
    await analytics.db.query<{ name: string }>(
      `SELECT child.relname AS name FROM pg_inherits JOIN pg_class child ON child.oid = inhrelid JOIN pg_class parent ON parent.oid = inhparent
       WHERE parent.relname = 'analytics_events' ORDER BY 1`,
    )
  ).rows.map((row) => row.name);

it('has this month and the next two at start, and makes an older month when an event of it is written', async () => {
  expect(await partitions()).toEqual([0, 1, 2].map((ahead) => partitionName(addMonths(thisMonth, ahead))));
  const old = new Date(`${addMonths(thisMonth, -5)}T12:00:00Z`);
  const { db, partitions: keeper } = analytics.service.domain;
  await db.$transaction(async (tx) => {
    await keeper.ensureFor(tx, [old]);
    await insertEventsWithRollups(tx, [
      { eventType: 'search_performed', userId: null, sessionId: null, properties: { kind: 'jobs', query: 'x', resultCount: 0 }, timestamp: old, clientTimestamp: null },
    ]);
  });
  expect(await partitions()).toContain(partitionName(addMonths(thisMonth, -5)));
  expect((await analytics.db.query(`SELECT count(*)::int AS n FROM ${partitionName(addMonths(thisMonth, -5))}`)).rows[0]!.n).toBe(1);
});

it('drops the months past retention, keeps the rest and every rollup', async () => {
  const { db, partitions: keeper } = analytics.service.domain;
  await db.$transaction((tx) => keeper.ensureFor(tx, [new Date(`${addMonths(thisMonth, -2)}T00:00:00Z`), new Date(`${addMonths(thisMonth, -3)}T00:00:00Z`)]));
  const dropped = await db.$transaction((tx) => keeper.dropExpired(tx, now));
  expect(dropped.sort()).toEqual([partitionName(addMonths(thisMonth, -5)), partitionName(addMonths(thisMonth, -3))].sort());
  expect(await partitions()).toEqual([-2, -1, 0, 1, 2].flatMap((offset) => (offset === -1 ? [] : [partitionName(addMonths(thisMonth, offset))])));
  const searches = await analytics.db.query("SELECT metric_value::int AS n FROM platform_analytics WHERE metric_name = 'searches' AND metric_date = $1", [
    `${addMonths(thisMonth, -5).slice(0, 8)}01`,
  ]);
  expect(searches.rows).toEqual([{ n: 1 }]);
});

it('makes a month again after the transaction that made it rolled back, once the missing partition has refused a write', async () => {
  const { db, partitions: keeper } = analytics.service.domain;
  const lastMonth = addMonths(thisMonth, -1);
  const at = new Date(`${lastMonth}T12:00:00Z`);
  const event = { eventType: 'search_performed', userId: null, sessionId: null, properties: { kind: 'jobs', query: 'y', resultCount: 0 }, timestamp: at, clientTimestamp: null };
  await expect(
    db.$transaction(async (tx) => {
      await keeper.ensureFor(tx, [at]);
      throw new Error('rolled back');
    }),
  ).rejects.toThrow('rolled back');
  expect(await partitions()).not.toContain(partitionName(lastMonth));
  // The keeper remembers the month as made: the next write finds no partition, and the one after makes it.
  await expect(db.$transaction((tx) => keeper.insertEvents(tx, [event]))).rejects.toThrow(/no partition/);
  expect(await db.$transaction((tx) => keeper.insertEvents(tx, [event]))).toBe(1);
  expect(await partitions()).toContain(partitionName(lastMonth));
});
