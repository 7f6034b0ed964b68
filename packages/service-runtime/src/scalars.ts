import { GraphQLScalarType, isScalarType, printType, type GraphQLSchema } from 'graphql';
import { GraphQLDate, GraphQLDateTime, GraphQLJSON } from 'graphql-scalars';

const RFC_3339_DATES = 'https://www.rfc-editor.org/rfc/rfc3339#section-5.6';

const DIGIT_0 = 48;
const HYPHEN = 45;

/** The value of the ASCII digit at `index`, or -1 for any other character. */
function digitAt(value: string, index: number): number {
  const digit = value.charCodeAt(index) - DIGIT_0;
  return digit >= 0 && digit <= 9 ? digit : -1;
}

const isLeapYear = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;

/**
 * Whether graphql-scalars' Date takes a string as a day, decided character by character: YYYY-MM-DD
 * in ASCII digits, a month from 01 to 12 and a day the month has (29 February in leap years only).
 * Its own check builds a regular expression and three substrings for every value, and a list of
 * days (JobStats' 365 a request) serializes one per row. A string this refuses goes to
 * graphql-scalars, which refuses it with its own message; so this must never accept one that
 * graphql-scalars refuses (scalars.test.ts compares the two on every day of several years and on
 * malformed strings).
 */
function isRfc3339FullDate(value: string): boolean {
  if (value.length !== 10 || value.charCodeAt(4) !== HYPHEN || value.charCodeAt(7) !== HYPHEN) return false;
  const y1 = digitAt(value, 0);
  const y2 = digitAt(value, 1);
  const y3 = digitAt(value, 2);
  const y4 = digitAt(value, 3);
  const m1 = digitAt(value, 5);
  const m2 = digitAt(value, 6);
  const d1 = digitAt(value, 8);
  const d2 = digitAt(value, 9);
  if (y1 < 0 || y2 < 0 || y3 < 0 || y4 < 0 || m1 < 0 || m2 < 0 || d1 < 0 || d2 < 0) return false;
  const month = m1 * 10 + m2;
  const day = d1 * 10 + d2;
  if (month < 1 || month > 12 || day < 1 || day > 31) return false;
  if (month === 2) return day <= (isLeapYear(y1 * 1000 + y2 * 100 + y3 * 10 + y4) ? 29 : 28);
  if (month === 4 || month === 6 || month === 9 || month === 11) return day <= 30;
  return true;
}

const dateConfig = GraphQLDate.toConfig();
const dateTimeConfig = GraphQLDateTime.toConfig();

const MILLISECONDS_PER_DAY = 86_400_000;
/** 10000-01-01T00:00:00Z: from here on toISOString writes a six-digit year with a sign. */
const YEAR_10000 = 253_402_300_800_000;
const TWO_DIGITS = Array.from({ length: 60 }, (_, n) => String(n).padStart(2, '0'));
const THREE_DIGITS = Array.from({ length: 1000 }, (_, n) => String(n).padStart(3, '0'));
/** Days whose `YYYY-MM-DDT` was written, by day since the epoch; emptied when it reaches DAYS_KEPT. */
const dayPrefixes = new Map<number, string>();
const DAYS_KEPT = 1000;

/**
 * What toISOString writes (`2024-05-01T12:34:56.789Z`), for an instant from 1970 to 9999. The day
 * comes from toISOString once per day and is kept; the time of day is arithmetic on the
 * milliseconds. toISOString costs about a microsecond, and a page of 20 notifications writes 60
 * instants (7 % of notifications' CPU for a page under load); this costs a fifth of that.
 * scalars.test.ts compares the two on random instants over the whole range and on the edges.
 */
export function isoTextOf(instant: Date): string {
  const milliseconds = instant.getTime();
  if (!(milliseconds >= 0 && milliseconds < YEAR_10000)) return instant.toISOString();
  const day = Math.floor(milliseconds / MILLISECONDS_PER_DAY);
  let prefix = dayPrefixes.get(day);
  if (prefix === undefined) {
    if (dayPrefixes.size >= DAYS_KEPT) dayPrefixes.clear();
    prefix = instant.toISOString().slice(0, 11);
    dayPrefixes.set(day, prefix);
  }
  let rest = milliseconds - day * MILLISECONDS_PER_DAY;
  const millisecond = rest % 1000;
  rest = (rest - millisecond) / 1000;
  const second = rest % 60;
  rest = (rest - second) / 60;
  const minute = rest % 60;
  const hour = (rest - minute) / 60;
  return `${prefix}${TWO_DIGITS[hour]}:${TWO_DIGITS[minute]}:${TWO_DIGITS[second]}.${THREE_DIGITS[millisecond]}Z`;
}

/**
 * An instant as its RFC 3339 text. graphql-scalars serializes a DateTime to a Date object, which the
 * answer's JSON.stringify turns into the same text through Date's toJSON; but an object with a
 * toJSON takes V8's JSON.stringify off its fast path, for the whole answer: a page of 20
 * notifications with three instants each was stringified five times slower. Anything but a valid
 * Date goes through graphql-scalars, with its checks and messages.
 */
function serializeDateTime(value: unknown): string {
  if (value instanceof Date && !Number.isNaN(value.getTime())) return isoTextOf(value);
  return isoTextOf(dateTimeConfig.serialize(value) as Date);
}

/**
 * The custom scalars of the whole graph, decided once: graphql-scalars' implementations with the
 * descriptions every subgraph's SDL carries (scalarTypeDefs prints them), so a DateTime means the
 * same thing whichever service owns the field.
 */
export const scalarResolvers = {
  DateTime: new GraphQLScalarType({
    ...dateTimeConfig,
    serialize: serializeDateTime,
    description:
      'An instant as an RFC 3339 date-time with a UTC offset, such as `2024-05-01T12:34:56.789Z`. Inputs may use any offset (`2024-05-01T14:34:56+02:00`); outputs are always in UTC with milliseconds.',
    specifiedByURL: RFC_3339_DATES,
  }),
  Date: new GraphQLScalarType({
    ...dateConfig,
    // A YYYY-MM-DD string (what services return for days) is checked without graphql-scalars'
    // regular expression; anything else (a Date, a malformed string, another type) is serialized
    // or refused by graphql-scalars itself, with its messages.
    serialize: (value: unknown) => (typeof value === 'string' && isRfc3339FullDate(value) ? value : dateConfig.serialize(value)),
    description: 'A calendar day as an RFC 3339 full-date, `YYYY-MM-DD` (such as `2024-05-01`), without a time or a time zone.',
    specifiedByURL: RFC_3339_DATES,
  }),
  JSON: new GraphQLScalarType({
    ...GraphQLJSON.toConfig(),
    description: 'Any JSON value (RFC 8259): an object, an array, a string, a number, a boolean or null.',
    specifiedByURL: 'https://www.rfc-editor.org/rfc/rfc8259',
  }),
} as const;

export type ScalarName = keyof typeof scalarResolvers;

/**
 * The SDL of the scalars, as a subgraph's schema.graphql declares those it uses (word for word, so
 * composition sees one description).
 */
export const scalarTypeDefs: Record<ScalarName, string> = {
  DateTime: printType(scalarResolvers.DateTime),
  Date: printType(scalarResolvers.Date),
  JSON: printType(scalarResolvers.JSON),
};

/**
 * Gives a schema whose scalars have no implementation (the gateway's API schema, built from the
 * supergraph) the shared input parsing, so a malformed date is refused while the operation is
 * validated, before any subgraph is called. Output is left as the subgraphs serialized it.
 */
export function attachScalarParsing(schema: GraphQLSchema): void {
  for (const [name, implementation] of Object.entries(scalarResolvers)) {
    const type = schema.getType(name);
    if (!isScalarType(type)) continue;
    type.parseValue = implementation.parseValue;
    type.parseLiteral = implementation.parseLiteral;
  }
}
