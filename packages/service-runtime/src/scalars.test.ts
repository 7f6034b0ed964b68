import { buildSchema, graphql, parse, print } from 'graphql';
import { attachScalarParsing, scalarResolvers, scalarTypeDefs } from './scalars.js';

const { DateTime, Date: CalendarDate, JSON: Json } = scalarResolvers;

describe('DateTime', () => {
  it('writes an instant as toISOString does, in UTC with milliseconds', () => {
    const instant = new Date('2024-05-01T12:34:56.789Z');
    expect(JSON.stringify(DateTime.serialize(instant))).toBe(JSON.stringify(instant.toISOString()));
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
