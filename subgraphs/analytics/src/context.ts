import type { RequestContext } from '@jobplatform/service-runtime';
import type { AnalyticsDomain } from './server.js';

/** Statistics fields read one rollup query each; no list of entities to batch. */
export type AnalyticsContext = RequestContext & AnalyticsDomain;
