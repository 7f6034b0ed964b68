import { calendarDateSchema, isCalendarDate, toCalendarDate } from './calendar-dates.js';

it('reads the calendar day of an instant in UTC', () => {
  expect(toCalendarDate(new Date('2024-05-01T23:30:00-02:00'))).toBe('2024-05-02');
});

it.each([
  ['2024-02-29', true],
  ['2023-02-29', false],
  ['2099-02-30', false],
  ['2024-13-01', false],
  ['31/12/2099', false],
  ['2024-5-1', false],
])('isCalendarDate(%s) is %s', (value, expected) => {
  expect(isCalendarDate(value)).toBe(expected);
});

describe('calendarDateSchema', () => {
  it('takes the Date the scalar parsed, or a YYYY-MM-DD string, as the YYYY-MM-DD string', () => {
    expect(calendarDateSchema.parse(new Date('2099-06-30T00:00:00Z'))).toBe('2099-06-30');
    expect(calendarDateSchema.parse('2099-06-30')).toBe('2099-06-30');
  });

  it.each([
    ['31/12/2099', 'must be a date as YYYY-MM-DD'],
    ['2099-02-30', 'is not a real calendar date'],
    [20990630, 'must be a date as YYYY-MM-DD'],
    [new Date(Number.NaN), 'must be a date as YYYY-MM-DD'],
  ])('refuses %s with one problem: %s', (value, message) => {
    const result = calendarDateSchema.safeParse(value);
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((issue) => issue.message)).toEqual([message]);
  });

  it('runs no range rule on a malformed day', () => {
    const future = calendarDateSchema.refine((day) => day > '2000-01-01', 'must be after 2000');
    expect(future.safeParse('1999-02-30').error!.issues.map((issue) => issue.message)).toEqual(['is not a real calendar date']);
    expect(future.safeParse('1999-02-28').error!.issues.map((issue) => issue.message)).toEqual(['must be after 2000']);
  });
});
