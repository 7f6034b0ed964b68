import { z } from 'zod';
import { defineEvent } from './define-event.js';
import { bigintId } from './users.js';

const isoTimestamp = z.iso.datetime({ offset: true });

/**
 * What the search service tells others. A search is reported without who made it: analytics counts
 * queries, and a user's own history stays in search_db where only they read it. A saved-search match
 * names its owner, who is the only one it is delivered to.
 */
export const searchEvents = {
  'search.search.performed.v1': defineEvent({
    producer: 'search',
    consumers: ['analytics'],
    aggregate: 'search_query',
    aggregateIdOf: (data) => data.query,
    summary: 'Someone searched jobs or companies: the normalised query (lower case, single spaces, empty for a filter-only search) and how many results it had. No user id.',
    schema: z.object({
      kind: z.enum(['jobs', 'companies']),
      query: z.string().max(200).describe('Lower case, trimmed, inner spaces collapsed; empty when only filters were given.'),
      resultCount: z.number().int().nonnegative(),
      searchedAt: isoTimestamp,
    }),
  }),
  'search.saved_search.matched.v1': defineEvent({
    producer: 'search',
    // notifications turns it into the owner's alert (in the app, and by email).
    consumers: ['notifications'],
    aggregate: 'user',
    aggregateIdOf: (data) => data.userId,
    summary:
      "New jobs match saved searches of one user: for INSTANT alerts one event per new job, as soon as it is indexed; for DAILY and WEEKLY alerts one digest per owner and period, sent once by search's scheduler after the period ends (jobs closed meanwhile left out).",
    schema: z.object({
      userId: bigintId.describe('The owner of the saved searches: the only one to tell.'),
      alertFrequency: z.enum(['instant', 'daily', 'weekly']),
      periodStart: isoTimestamp.nullable().describe('For a digest, the start of the period it covers; null for an instant alert.'),
      periodEnd: isoTimestamp.nullable().describe('For a digest, the end of the period it covers; null for an instant alert.'),
      matches: z
        .array(
          z.object({
            savedSearchId: bigintId,
            name: z.string().min(1).max(100),
            jobIds: z.array(bigintId).min(1).max(100).describe('The matching jobs, newest first (at most 100 per saved search in a digest).'),
          }),
        )
        .min(1),
    }),
  }),
};
