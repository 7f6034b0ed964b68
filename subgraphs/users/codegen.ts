import type { CodegenConfig } from '@graphql-codegen/cli';

/** Typed resolvers from the SDL, with database rows as the parent types. */
const config: CodegenConfig = {
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
        contextType: '../context.js#UsersContext',
        mappers: { User: '../generated/prisma/client.js#User as UserRow' },
        scalars: { ID: 'string' },
        avoidOptionals: { field: true, inputValue: false, object: false, defaultValue: false },
        maybeValue: 'T | null',
        inputMaybeValue: 'T | null | undefined',
      },
    },
  },
};
export default config;
