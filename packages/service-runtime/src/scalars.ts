import { GraphQLScalarType, isScalarType, printType, type GraphQLSchema } from 'graphql';
import { GraphQLDate, GraphQLDateTime, GraphQLJSON } from 'graphql-scalars';

const RFC_3339_DATES = 'https://www.rfc-editor.org/rfc/rfc3339#section-5.6';

/**
 * The custom scalars of the whole graph, decided once: graphql-scalars' implementations with the
 * descriptions every subgraph's SDL carries (scalarTypeDefs prints them), so a DateTime means the
 * same thing whichever service owns the field.
 */
export const scalarResolvers = {
  DateTime: new GraphQLScalarType({
    ...GraphQLDateTime.toConfig(),
    description:
      'An instant as an RFC 3339 date-time with a UTC offset, such as `2024-05-01T12:34:56.789Z`. Inputs may use any offset (`2024-05-01T14:34:56+02:00`); outputs are always in UTC with milliseconds.',
    specifiedByURL: RFC_3339_DATES,
  }),
  Date: new GraphQLScalarType({
    ...GraphQLDate.toConfig(),
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
