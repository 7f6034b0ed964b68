import { createSubgraphCodegenConfig } from '@jobplatform/service-runtime/codegen';

/** Typed resolvers from the SDL, with database rows (or the service's own types) as the parent types. */
export default createSubgraphCodegenConfig({
  contextType: '../context.js#SearchContext',
  mappers: {
    SearchItem: '../db.js#SearchItemRow',
    User: '../items.js#UserReference',
  },
});
