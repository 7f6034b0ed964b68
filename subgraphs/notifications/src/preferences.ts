import type { Viewer } from '@jobplatform/auth';
import type { NotificationsDb } from './db.js';
import { channels, type Channel } from './notification-events.js';

export type ChannelPreference = { channel: Channel; isEnabled: boolean };

/**
 * Which channels a user gets notifications through. Every channel is on until the user turns it
 * off; only a choice made is stored. A channel turned off gets nothing new (notification-delivery.ts).
 */
export function createPreferences({ db, now }: { db: NotificationsDb; now: () => Date }) {
  return {
    /** Every channel, in the API's order, with its setting. */
    async of(userId: bigint): Promise<ChannelPreference[]> {
      const stored = await db.userNotificationPreference.findMany({ where: { userId } });
      return channels.map((channel) => ({ channel, isEnabled: stored.find((row) => row.notificationType === channel)?.isEnabled ?? true }));
    },

    async update(viewer: Viewer, channel: Channel, isEnabled: boolean): Promise<ChannelPreference> {
      const userId = BigInt(viewer.userId);
      const at = now();
      const row = await db.userNotificationPreference.upsert({
        where: { userId_notificationType: { userId, notificationType: channel } },
        create: { userId, notificationType: channel, isEnabled, createdAt: at, updatedAt: at },
        update: { isEnabled, updatedAt: at },
      });
      return { channel, isEnabled: row.isEnabled };
    },
  };
}

export type Preferences = ReturnType<typeof createPreferences>;
