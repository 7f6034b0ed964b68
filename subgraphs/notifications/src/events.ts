import { createOutbox } from '@jobplatform/events';

/** notifications's outbox: events written in the transaction of the change they describe (published as NOTIFICATIONS). */
export const notificationsOutbox = createOutbox({ source: 'notifications' });
