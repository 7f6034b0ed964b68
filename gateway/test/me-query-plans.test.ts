import { contractOperation, plannedFetches } from '@jobplatform/testing/query-plans';

// The gateway's plans for the client operations rooted at `me`, from the checked-in supergraph.
// Every service that adds fields to User declares `Query.me` shareable and answers it from the
// token, so an operation that reads only that service's fields of the signed-in user is one call to
// it, not a call to users for `me` followed by one to the service.

it.each([
  ['notifications', 'MyNotifications', ['notifications']],
  ['notifications', 'MyNotificationPreferences', ['notifications']],
  ['search', 'MySavedSearches', ['search']],
  ['search', 'MySearchHistory', ['search']],
  ['applications', 'MyApplications', ['applications']],
  ['jobs', 'MyPostedJobs', ['jobs']],
  // The posted jobs from jobs, then their applications: two calls where there were three.
  ['applications', 'MyPostedJobsApplications', ['jobs', 'applications']],
  ['analytics', 'EmployerDashboard', ['analytics']],
  ['users', 'Me', ['users']],
])('%s %s calls %j', (file, operation, fetches) => {
  expect(plannedFetches(contractOperation(file, operation))).toEqual(fetches);
});

it("the account's own fields still come from users, with another service's after them", () => {
  expect(plannedFetches('query { me { id username email } }')).toEqual(['users']);
  expect(plannedFetches('query { me { id username notifications { totalCount } } }')).toEqual(['users', 'notifications']);
});
