import { buildSchema, graphql, parse, print } from 'graphql';
import { GraphQLDate } from 'graphql-scalars';
import { attachScalarParsing, isoTextOf, scalarResolvers, scalarTypeDefs } from './scalars.js';

const { DateTime, Date: CalendarDate, JSON: Json } = scalarResolvers;

describe('DateTime', () => {
  it('writes an instant as toISOString does, in UTC with milliseconds', () => {
    const instant = new Date('2024-05-01T12:34:56.789Z');
    expect(JSON.stringify(DateTime.serialize(instant))).toBe(JSON.stringify(instant.toISOString()));
  });

  it("writes text, not a Date, so that the answer stays on JSON.stringify's fast path; other values as graphql-scalars does", () => {
    expect(DateTime.serialize(new Date('2024-05-01T12:34:56.789Z'))).toBe('2024-05-01T12:34:56.789Z');
    expect(DateTime.serialize('2024-05-01T14:34:56+02:00')).toBe('2024-05-01T12:34:56.000Z');
    expect(DateTime.serialize(1714566896789)).toBe('2024-05-01T12:34:56.789Z');
    expect(() => DateTime.serialize(new Date(Number.NaN))).toThrow('DateTime cannot represent an invalid Date instance');
    expect(() => DateTime.serialize('yesterday')).toThrow(/DateTime cannot represent an invalid date-time-string/);
  });

  it('writes exactly what toISOString writes, over the whole range and at its edges', () => {
    const edges = [0, 1, 999, 1000, 59_999, 86_399_999, 86_400_000, Date.UTC(2024, 1, 29, 23, 59, 59, 999), Date.UTC(2100, 2, 1), Date.UTC(9999, 11, 31, 23, 59, 59, 999)];
    const beyond = [-1, -86_400_001, Date.UTC(-1, 0, 1), Date.UTC(10_000, 0, 1), 8.64e15, -8.64e15];
    let seed = 42;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const spread = Array.from({ length: 20_000 }, () => Math.floor(random() * Date.UTC(10_000, 0, 1)));
    // The same day twice and days out of order: the kept day prefixes must not leak into another day.
    const sameDays = spread.slice(0, 500).flatMap((ms) => [ms, ms - (ms % 86_400_000), ms + 1]);
    for (const ms of [...edges, ...beyond, ...spread, ...sameDays]) {
      expect(isoTextOf(new Date(ms))).toBe(new Date(ms).toISOString());
      expect(DateTime.serialize(new Date(ms))).toBe(new Date(ms).toISOString());
    }
  });

  it('reads any UTC offset as the instant it names', () => {
    expect((DateTime.parseValue('2024-05-01T14:34:56+02:00') as Date).toISOString()).toBe('2024-05-01T12:34:56.000Z');
  });

  it.each(['2024-05-01', '2024-05-01T12:34:56', 'yesterday'])('refuses %s', (value) => {
    expect(() => DateTime.parseValue(value)).toThrow(/DateTime cannot represent/);
  });
});

describe('Date', () => {
  it('writes a Date as its UTC calendar day and keeps a YYYY-MM-DD string as it is', () => {
    expect(CalendarDate.serialize(new Date('2099-06-30T00:00:00Z'))).toBe('2099-06-30');
    expect(CalendarDate.serialize('1990-12-10')).toBe('1990-12-10');
  });

  it('reads a day as midnight UTC, leap days included', () => {
    expect((CalendarDate.parseValue('2024-02-29') as Date).toISOString()).toBe('2024-02-29T00:00:00.000Z');
  });

  it.each(['31/12/2099', '2099-02-30', '2023-02-29', '2024-5-1', '2024-05-01T00:00:00Z'])('refuses %s', (value) => {
    expect(() => CalendarDate.parseValue(value)).toThrow(/Date cannot represent/);
  });

  /** What serialize gives for a value, or the message it throws. */
  const outcome = (serialize: (value: unknown) => unknown, value: unknown) => {
    try {
      return { value: serialize(value) };
    } catch (error) {
      return { error: (error as Error).message };
    }
  };

  it('serializes every string as graphql-scalars does: each YYYY-MM-DD of several years, months 00 to 13, days 00 to 32', () => {
    const twoDigits = (n: number) => String(n).padStart(2, '0');
    const strings: string[] = [];
    for (const year of ['0000', '0004', '1582', '1900', '1999', '2000', '2023', '2024', '2100', '2400', '9999'])
      for (let month = 0; month <= 13; month += 1) for (let day = 0; day <= 32; day += 1) strings.push(`${year}-${twoDigits(month)}-${twoDigits(day)}`);
    let accepted = 0;
    for (const value of strings) {
      const ours = outcome((v) => CalendarDate.serialize(v), value);
      expect({ value, ...ours }).toEqual({ value, ...outcome((v) => GraphQLDate.serialize(v), value) });
      if (!('error' in ours)) accepted += 1;
    }
    // 11 years, 4 of them leap years (0000, 0004, 2000, 2024, 2400 are; 1900 and 2100 are not): 365 or 366 days each.
    expect(accepted).toBe(6 * 365 + 5 * 366);
  });

  it.each([
    '',
    '2024-05-1',
    '2024-05-011',
    ' 2024-05-01',
    '2024-05-01 ',
    '2024-05-01\n',
    '2024/05/01',
    '2024-05_01',
    '20240-5-01',
    '+024-05-01',
    '-024-05-01',
    '2024-0a-01',
    '2024-05-0a',
    'a024-05-01',
    '２０２４-05-01',
    '2024-٠٥-01',
    '2024-1-001',
    '2024-05-01T00:00:00Z',
    '2024-02-30',
    '2024-04-31',
    '2024-06-31',
    '2024-09-31',
    '2024-11-31',
    '2024-12-32',
    '2024-00-00',
  ])('serializes %j as graphql-scalars does', (value) => {
    expect(outcome((v) => CalendarDate.serialize(v), value)).toEqual(outcome((v) => GraphQLDate.serialize(v), value));
  });

  it.each([new Date('2024-05-01T23:59:59.999Z'), new Date('2024-02-29T00:00:00Z'), new Date(Number.NaN), 20240501, null, undefined, true, {}, ['2024-05-01']])(
    'serializes %p as graphql-scalars does',
    (value) => {
      expect(outcome((v) => CalendarDate.serialize(v), value)).toEqual(outcome((v) => GraphQLDate.serialize(v), value));
    },
  );

  it('checks a YYYY-MM-DD it serializes without a regular expression', () => {
    // A list of days (JobStats: 365 a request) serializes one per row; graphql-scalars' check builds
    // and runs a regular expression for each, about 3 % of analytics' CPU on JobStats.
    const { test, exec } = RegExp.prototype;
    let ran = 0;
    RegExp.prototype.test = function (this: RegExp, input: string) {
      ran += 1;
      return test.call(this, input);
    };
    RegExp.prototype.exec = function (this: RegExp, input: string) {
      ran += 1;
      return exec.call(this, input);
    };
    const days = Array.from({ length: 28 }, (_, i) => `2024-02-${String(i + 1).padStart(2, '0')}`);
    let serialized: unknown[];
    try {
      serialized = days.map((day) => CalendarDate.serialize(day));
    } finally {
      Object.assign(RegExp.prototype, { test, exec });
    }
    expect(serialized).toEqual(days);
    expect(ran).toBe(0);
  });
});

it('JSON passes any JSON value through', () => {
  const value = { a: [1, 'two', null, true] };
  expect(Json.parseValue(value)).toEqual(value);
  expect(Json.serialize(value)).toEqual(value);
});

it('prints each scalar as SDL a subgraph can declare', () => {
  for (const [name, sdl] of Object.entries(scalarTypeDefs)) {
    expect(print(parse(sdl))).toContain(`scalar ${name} @specifiedBy(url: "https://www.rfc-editor.org/`);
  }
});

describe('attachScalarParsing', () => {
  const schema = () => buildSchema(`${scalarTypeDefs.Date}\n${scalarTypeDefs.DateTime}\ntype Query { echo(day: Date, at: DateTime): String }`);
  const echo = { echo: (args: { day?: Date; at?: Date }) => args.day?.toISOString() ?? args.at?.toISOString() ?? null };

  it('makes an implementation-less schema refuse malformed variables and literals', async () => {
    const gatewaySchema = schema();
    attachScalarParsing(gatewaySchema);
    const byVariable = await graphql({ schema: gatewaySchema, source: 'query($d: Date) { echo(day: $d) }', variableValues: { d: '2099-02-30' }, rootValue: echo });
    expect(byVariable.errors?.[0]?.message).toBe('Variable "$d" got invalid value "2099-02-30"; Date cannot represent an invalid date-string 2099-02-30.');
    const byLiteral = await graphql({ schema: gatewaySchema, source: '{ echo(at: "2024-05-01") }', rootValue: echo });
    expect(byLiteral.errors?.[0]?.message).toMatch(/DateTime cannot represent an invalid date-time-string 2024-05-01/);
  });

  it('parses well-formed values as the subgraphs do', async () => {
    const gatewaySchema = schema();
    attachScalarParsing(gatewaySchema);
    const result = await graphql({ schema: gatewaySchema, source: '{ echo(day: "2099-06-30") }', rootValue: echo });
    expect(result).toEqual({ data: { echo: '2099-06-30T00:00:00.000Z' } });
  });
});
