import { createSubgraphCodegenConfig } from '@jobplatform/service-runtime/codegen';

/** Typed resolvers from the SDL, with the service's own types as the parent types. */
export default createSubgraphCodegenConfig({
  contextType: '../context.js#AnalyticsContext',
  mappers: {
    Job: '../entity-references.js#JobReference',
    User: '../entity-references.js#UserReference',
    JobStats: '../statistics.js#JobStatistics',
    EmployerStats: '../statistics.js#EmployerStatistics',
    PlatformStats: '../statistics.js#PlatformStatistics',
    TrackEventsResult: '../ingest.js#TrackEventsOutcome',
  },
});
