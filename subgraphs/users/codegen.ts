import { createSubgraphCodegenConfig } from '@jobplatform/service-runtime/codegen';

/** Typed resolvers from the SDL, with database rows as the parent types. */
export default createSubgraphCodegenConfig({
  contextType: '../context.js#UsersContext',
  mappers: { User: '../generated/prisma/client.js#User as UserRow' },
});
