import type { GraphQLResolveInfo } from 'graphql';
import { selectedFieldNames } from '@jobplatform/service-runtime';
import type { PageReads } from './application-pages.js';

const contactFields = ['email', 'firstName', 'lastName'];
/** What Application.job provides (@provides) from the jobs and companies replicas. */
const jobListingFields = ['title', 'location', 'company'];

/** What a client selected on an ApplicationConnection beyond the page itself, for the page's statement to read too. */
export function pageReadsOf(info: GraphQLResolveInfo): PageReads {
  const applicant = selectedFieldNames(info, ['edges', 'node', 'applicant']);
  const job = selectedFieldNames(info, ['edges', 'node', 'job']);
  const node = selectedFieldNames(info, ['edges', 'node']);
  return {
    totalCount: selectedFieldNames(info).has('totalCount'),
    applicantContacts: contactFields.some((name) => applicant.has(name)),
    applicantUsernames: applicant.has('username'),
    jobListings: jobListingFields.some((name) => job.has(name)),
    attachments: node.has('attachments'),
    interviews: node.has('interviews'),
  };
}
