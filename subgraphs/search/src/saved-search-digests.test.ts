import { lastPeriodEnd } from './saved-search-digests.js';

it('ends a DAILY period at UTC midnight and a WEEKLY one at Monday midnight, UTC', () => {
  const wednesday = new Date('2026-12-02T15:30:00Z');
  expect(lastPeriodEnd('daily', wednesday).toISOString()).toBe('2026-12-02T00:00:00.000Z');
  expect(lastPeriodEnd('weekly', wednesday).toISOString()).toBe('2026-11-30T00:00:00.000Z');
  const monday = new Date('2026-11-30T00:00:00Z');
  expect(lastPeriodEnd('weekly', monday).toISOString()).toBe('2026-11-30T00:00:00.000Z');
  const sunday = new Date('2026-12-06T23:59:59Z');
  expect(lastPeriodEnd('weekly', sunday).toISOString()).toBe('2026-11-30T00:00:00.000Z');
});
