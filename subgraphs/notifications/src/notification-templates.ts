import { z } from 'zod';
import type { Viewer } from '@jobplatform/auth';
import { assertRole, invalidField, invalidInput, validateInput, type FieldProblem } from '@jobplatform/service-runtime';
import type { NotificationsDb, NotificationTemplateRow } from './db.js';
import {
  deliveredChannels,
  isDeliveredChannel,
  notificationEventNames,
  notificationEvents,
  templateName,
  type Channel,
  type NotificationEventName,
} from './notification-events.js';
import { compileTemplate } from './template-language.js';

export type TemplateInput = { event: NotificationEventName; channel: Channel; subject: string; body: string; isActive: boolean };

/** The columns: subject VARCHAR(255), body within the migration's CHECK. */
const textSchema = z.object({
  subject: z.string().trim().min(1, 'must not be empty').max(255, 'must be at most 255 characters'),
  body: z.string().trim().min(1, 'must not be empty').max(20_000, 'must be at most 20,000 characters'),
});

const onlyAdmins = 'Only admin accounts can manage notification templates';

/** The variables a template of `event` may use, with what each holds. */
export function variablesOf(event: NotificationEventName): { name: string; description: string }[] {
  return Object.entries(notificationEvents[event].variables as Record<string, { description: string }>).map(([name, variable]) => ({ name, description: variable.description }));
}

/**
 * Stores the default template of every event and channel that has none, leaving those an admin
 * changed as they are. Run at start, so that a template exists for each before anything is made.
 */
export async function ensureDefaultTemplates(db: NotificationsDb, now: Date): Promise<number> {
  const { count } = await db.notificationTemplate.createMany({
    data: notificationEventNames.flatMap((event) =>
      deliveredChannels.map((channel) => ({
        name: templateName(event, channel),
        event,
        notificationType: channel,
        ...notificationEvents[event].defaults[channel],
        createdAt: now,
        updatedAt: now,
      })),
    ),
    skipDuplicates: true,
  });
  return count;
}

/**
 * The admins' side of templates: list them, and replace one after checking it compiles against its
 * event. `changed` runs once a replacement has committed (the consumers' stored templates read again).
 */
export function createTemplateAdmin({ db, now, changed }: { db: NotificationsDb; now: () => Date; changed: () => void }) {
  return {
    list(viewer: Viewer): Promise<NotificationTemplateRow[]> {
      assertRole(viewer, 'admin', onlyAdmins);
      return db.notificationTemplate.findMany({ orderBy: [{ event: 'asc' }, { notificationType: 'asc' }] });
    },

    async upsert(viewer: Viewer, input: TemplateInput): Promise<NotificationTemplateRow> {
      assertRole(viewer, 'admin', onlyAdmins);
      const { event, channel } = input;
      if (!isDeliveredChannel(channel))
        throw invalidField(
          'input.notificationType',
          `must be ${deliveredChannels.map((c) => c.toUpperCase()).join(' or ')}: nothing is delivered through ${channel.toUpperCase()} yet`,
        );
      const text = validateInput(textSchema, { subject: input.subject, body: input.body }, 'input');
      const problems: FieldProblem[] = [...compileTemplate(text.subject, event, 'input.subject').problems, ...compileTemplate(text.body, event, 'input.body').problems];
      if (problems.length > 0) throw invalidInput(problems);
      const at = now();
      const stored = await db.notificationTemplate.upsert({
        where: { event_notificationType: { event, notificationType: channel } },
        create: { name: templateName(event, channel), event, notificationType: channel, ...text, isActive: input.isActive, createdAt: at, updatedAt: at },
        update: { ...text, isActive: input.isActive, updatedAt: at },
      });
      changed();
      return stored;
    },
  };
}

export type TemplateAdmin = ReturnType<typeof createTemplateAdmin>;
