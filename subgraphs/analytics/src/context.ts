import type { RequestContext } from '@jobplatform/service-runtime';
import type { AnalyticsDomain } from './server.js';
import type { StatisticsLoaders } from './statistics.js';

export type AnalyticsContext = RequestContext & AnalyticsDomain & { loaders: StatisticsLoaders };
