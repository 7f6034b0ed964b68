import { z } from 'zod';

const CALENDAR_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The calendar day of an instant in UTC, as YYYY-MM-DD. */
export function toCalendarDate(instant: Date): string {
  return instant.toISOString().slice(0, 10);
}

/** Whether a string is a day that exists, written YYYY-MM-DD: 2024-02-29 is one, 2023-02-29 is not. */
export function isCalendarDate(value: string): boolean {
  if (!CALENDAR_DATE.test(value)) return false;
  const midnight = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(midnight.getTime()) && toCalendarDate(midnight) === value;
}

/**
 * A calendar day in a service's input rules, as the YYYY-MM-DD string it is stored as. It takes the
 * Date that the `Date` scalar parsed (midnight UTC) or a YYYY-MM-DD string from a caller that is not
 * GraphQL (a seed, a command); range rules then compare the strings, which sort as the days do.
 */
export const calendarDateSchema = z
  .union([z.date().transform(toCalendarDate), z.string()], { error: 'must be a date as YYYY-MM-DD' })
  .pipe(z.string().regex(CALENDAR_DATE, { error: 'must be a date as YYYY-MM-DD', abort: true }).refine(isCalendarDate, { error: 'is not a real calendar date', abort: true }));
