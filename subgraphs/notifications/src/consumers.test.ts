import type { DomainDeps } from '@jobplatform/service-runtime';
import type { NotificationsDb } from './db.js';
import type { NotificationsSettings } from './env.js';
import { notificationsSubgraph, type NotificationsDomain } from './server.js';

describe("notifications' consumers", () => {
  it('let one transaction of application-notifications take 128 events, four times the kit default, and saved-search alerts the default', () => {
    // deliverMany's statements are per batch, not per event (test/notifications.test.ts counts them), so under a backlog
    // the batch size divides what each event costs; the consumers only need the domain when an event arrives.
    const specs = notificationsSubgraph.events!.consumers!({} as NotificationsDomain, {} as DomainDeps<NotificationsDb, NotificationsSettings, Record<string, never>>);
    const batchSizeOf = (purpose: string) => specs.find((spec) => spec.purpose === purpose)?.batchSize;
    expect(batchSizeOf('application-notifications')).toBe(128);
    expect(batchSizeOf('saved-search-alerts')).toBeUndefined();
  });

  it('make notifications in transactions over node-postgres, not through Prisma, whose client cost each statement several times its work', () => {
    const specs = notificationsSubgraph.events!.consumers!({} as NotificationsDomain, {} as DomainDeps<NotificationsDb, NotificationsSettings, Record<string, never>>);
    const lean = specs.filter((spec) => spec.leanTransaction).map((spec) => spec.purpose);
    expect(lean).toEqual(['application-notifications', 'saved-search-alerts']);
  });
});
