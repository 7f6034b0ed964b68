import { createOutbox } from '@jobplatform/events';

/** search's outbox: events written in the transaction of the change they describe (published as SEARCH). */
export const searchOutbox = createOutbox({ source: 'search' });
