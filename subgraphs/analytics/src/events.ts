import { createOutbox } from '@jobplatform/events';

/** analytics's outbox: events written in the transaction of the change they describe (published as ANALYTICS). */
export const analyticsOutbox = createOutbox({ source: 'analytics' });
