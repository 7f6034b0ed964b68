import type { ApplicationStatusChangeResolvers } from '../generated/graphql.js';
import { statusFromColumn } from '../application-status.js';

export const ApplicationStatusChange: ApplicationStatusChangeResolvers = {
  id: (change) => change.id.toString(),
  status: (change) => statusFromColumn(change.status),
  changedBy: (change) => (change.changedBy === null ? null : { id: change.changedBy.toString() }),
};
