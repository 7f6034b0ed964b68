import { createSubgraphCodegenConfig } from '@jobplatform/service-runtime/codegen';

/** Typed resolvers from the SDL, with database rows (or the service's own types) as the parent types. */
export default createSubgraphCodegenConfig({
  contextType: '../context.js#SearchContext',
  mappers: {
    Job: '../job-search.js#JobHit',
    JobSearchEdge: '../job-search.js#JobHit',
    JobSearchConnection: '../search-service.js#JobSearchResult',
    JobSearchFacets: '../job-search.js#FacetCounts',
    Company: '../search-pages.js#CompanyReference',
    CompanySearchConnection: '../search-pages.js#CompanyPage',
    CompanySearchEdge: '../search-pages.js#CompanyPageEdge',
    SearchHistoryConnection: '../search-pages.js#SearchHistoryPage',
    SearchHistoryEdge: '../search-pages.js#SearchHistoryPageEdge',
    SearchHistoryEntry: '../db.js#SearchHistoryRow',
    SavedSearch: '../db.js#SavedSearchRow',
    PopularSearch: '../search-service.js#PopularSearchRow',
    User: '../search-pages.js#UserReference',
  },
});
