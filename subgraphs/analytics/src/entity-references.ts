/** A job as analytics knows it: the key that the gateway resolves at jobs. */
export type JobReference = { id: string };

/** A user as analytics knows them: the key that the gateway resolves at users. */
export type UserReference = { id: string };
