import { createSubgraphCodegenConfig } from '@jobplatform/service-runtime/codegen';

/** Typed resolvers from the SDL, with database rows (or the service's own page types) as the parent types. */
export default createSubgraphCodegenConfig({
  contextType: '../context.js#ApplicationsContext',
  mappers: {
    Application: '../generated/prisma/client.js#Application as ApplicationRow',
    ApplicationStatusChange: '../generated/prisma/client.js#ApplicationStatusHistory as ApplicationStatusHistoryRow',
    ApplicationAttachment: '../generated/prisma/client.js#ApplicationAttachment as ApplicationAttachmentRow',
    Interview: '../generated/prisma/client.js#Interview as InterviewRow',
    ApplicationConnection: '../application-pages.js#ApplicationPage',
    ApplicationEdge: '../application-pages.js#ApplicationPageEdge',
    Job: '../application-pages.js#JobReference',
    User: '../application-pages.js#UserReference',
    Company: '../application-pages.js#CompanyReference',
  },
});
