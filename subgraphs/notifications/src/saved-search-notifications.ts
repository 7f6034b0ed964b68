import type { EventEnvelope } from '@jobplatform/events';
import type { PlannedNotification } from './application-notifications.js';

/**
 * The alert a saved-search match makes: one notification for the searches' owner, per instant
 * match or per daily or weekly digest (search sends each once). It names the saved searches and
 * lists the first jobs; its metadata links to every saved search and job.
 */
export function planSavedSearchNotification(envelope: EventEnvelope<'search.saved_search.matched.v1'>): PlannedNotification {
  const { data } = envelope;
  const jobIds = [...new Set(data.matches.flatMap((match) => match.jobIds))];
  return {
    event: 'saved_search_matched',
    sourceEventId: envelope.id,
    recipientIds: [BigInt(data.userId)],
    listedJobIds: jobIds.map(BigInt),
    values: { alert_frequency: data.alertFrequency, search_names: data.matches.map((match) => match.name).join(', '), job_count: jobIds.length },
    metadata: { savedSearchIds: data.matches.map((match) => match.savedSearchId), jobIds },
  };
}
