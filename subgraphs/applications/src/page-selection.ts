import type { GraphQLResolveInfo } from 'graphql';
import { selectedFieldNames } from '@jobplatform/service-runtime';
import type { PageReads } from './application-pages.js';

const contactFields = ['email', 'firstName', 'lastName'];

/** What a client selected on an ApplicationConnection beyond the page itself, for the page's statement to read too. */
export function pageReadsOf(info: GraphQLResolveInfo): PageReads {
  const applicant = selectedFieldNames(info, ['edges', 'node', 'applicant']);
  return {
    totalCount: selectedFieldNames(info).has('totalCount'),
    applicantContacts: contactFields.some((name) => applicant.has(name)),
    attachments: selectedFieldNames(info, ['edges', 'node']).has('attachments'),
  };
}
