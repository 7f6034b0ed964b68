import type { RequestContext } from '@jobplatform/service-runtime';
import type { SearchDomain } from './server.js';

/**
 * The per-request context. Search needs no per-request loaders: a page of results comes whole from
 * one statement, company included, so no field loads per row.
 */
export type SearchContext = RequestContext & SearchDomain;
