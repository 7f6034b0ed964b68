import type { CodegenConfig } from '@graphql-codegen/cli';

export type SubgraphCodegenOptions = {
  /** The resolvers' context type as `module#Export`, relative to src/generated/ (e.g. `../context.js#JobsContext`). */
  contextType: string;
  /** Parent types of the SDL's types, same notation: database rows, or the service's own page types. */
  mappers?: Record<string, string>;
};

/**
 * The TypeScript types of the shared scalars (scalars.ts): what their parsing hands a resolver, and
 * what their serialization accepts from one. A calendar day may be returned as the `YYYY-MM-DD`
 * string it is stored as.
 */
const scalarTypes = {
  ID: 'string',
  DateTime: { input: 'Date', output: 'Date' },
  Date: { input: 'Date', output: 'Date | string' },
  JSON: { input: 'unknown', output: 'unknown' },
};

/**
 * How every subgraph's typed resolvers are generated from its SDL (GraphQL Code Generator with
 * federation). A subgraph's codegen.ts is this call with its context type and mappers; it runs under
 * tsx before anything is built, which is why package.json exports this file as source.
 */
export function createSubgraphCodegenConfig({ contextType, mappers = {} }: SubgraphCodegenOptions): CodegenConfig {
  return {
    schema: 'src/schema.graphql',
    silent: true,
    generates: {
      'src/generated/graphql.ts': {
        plugins: ['typescript', 'typescript-resolvers'],
        config: {
          federation: true,
          useTypeImports: true,
          enumsAsTypes: true,
          useIndexSignature: false,
          contextType,
          mappers,
          scalars: scalarTypes,
          avoidOptionals: { field: true, inputValue: false, object: false, defaultValue: false },
          maybeValue: 'T | null',
          inputMaybeValue: 'T | null | undefined',
        },
      },
    },
  };
}
