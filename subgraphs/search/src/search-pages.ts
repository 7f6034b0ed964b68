import type { Connection, Edge } from '@jobplatform/service-runtime';
import type { SearchHistoryRow } from './db.js';
import type { CompanyHit } from './search-service.js';

/** The parent types of the SDL's pages and references (codegen mappers). */
export type CompanyPage = Connection<CompanyHit>;
export type CompanyPageEdge = Edge<CompanyHit>;
export type SearchHistoryPage = Connection<SearchHistoryRow>;
export type SearchHistoryPageEdge = Edge<SearchHistoryRow>;
/** A company as a result shows it: from a job's row (name and logo) or a company's own. */
export type CompanyReference = { id: bigint; name: string; logo: string | null; industry?: string | null; location?: string | null };
/** A user as search knows them: the key that the gateway resolves at users. */
export type UserReference = { id: string };
