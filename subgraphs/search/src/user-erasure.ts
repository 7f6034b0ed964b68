import { userErasureCompletedSubject, type EventEnvelope } from '@jobplatform/events';
import type { Tx } from './db.js';
import { searchOutbox } from './events.js';

/** What the erasure did, reported to users in search.user_erasure.completed.v1. */
export type UserErasureSummary = { deletedSearchHistory: number; deletedSavedSearches: number; deletedSearcherMarks: number };

/**
 * The search part of the account-erasure saga, run by the search-user-erasure consumer for
 * users.user.deleted.v1 inside the transaction that also records the event as processed: deletes
 * the user's search history, their saved searches and the marks that counted them once per query in
 * search_analytics; the counts themselves stay, as they name no one. The saved searches' ids left in
 * jobs' rows waiting for a digest name no saved search any more, and the digest drops them.
 * Then writes the saga's reply. Running it again for the same user (users publishes the event again
 * when a reply is late) finds nothing left and reports zeros.
 */
export async function eraseUserFromSearch(tx: Tx, event: EventEnvelope<'users.user.deleted.v1'>, options: { traceparent: string; now: Date }): Promise<UserErasureSummary> {
  const userId = BigInt(event.data.userId);
  const { count: deletedSearchHistory } = await tx.searchHistory.deleteMany({ where: { userId } });
  const { count: deletedSavedSearches } = await tx.savedSearch.deleteMany({ where: { userId } });
  const { count: deletedSearcherMarks } = await tx.searchAnalyticsSearcher.deleteMany({ where: { userId } });
  const summary: UserErasureSummary = { deletedSearchHistory, deletedSavedSearches, deletedSearcherMarks };
  await searchOutbox.record(
    tx,
    userErasureCompletedSubject('search'),
    { userId: event.data.userId, service: 'search', completedAt: options.now.toISOString(), summary },
    { traceparent: options.traceparent },
  );
  return summary;
}
