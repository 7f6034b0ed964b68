import type { DomainDeps } from '@jobplatform/service-runtime';
import type { AnalyticsSettings } from './analytics-settings.js';
import type { AnalyticsDb } from './db.js';
import { analyticsSubgraph, type AnalyticsDomain } from './server.js';

describe("analytics' consumers", () => {
  it("record the platform's events in transactions over node-postgres, not through Prisma, whose client cost each statement several times its work", () => {
    // The consumers need the domain only when an event arrives.
    const specs = analyticsSubgraph.events!.consumers!({} as AnalyticsDomain, {} as DomainDeps<AnalyticsDb, AnalyticsSettings, Record<string, never>>);
    expect(specs.filter((spec) => spec.leanTransaction).map((spec) => spec.purpose)).toEqual(['platform-events']);
  });
});
