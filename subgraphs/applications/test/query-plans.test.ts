import { contractOperation as operationIn, plannedFetches as fetches } from '@jobplatform/testing/query-plans';

// The gateway's plans for the lists of applications, from the checked-in supergraph: what
// applications provides (@provides) from its replicas must not cost a call to users or jobs. A list
// that fetched the applicants' usernames from users again, or the jobs' titles and company names
// from jobs, would make a third sequential hop (docs/benchmarks.md, Applications).

const contractOperation = (name: string) => operationIn('applications', name);

it("JobApplications: the job from jobs, then its page from applications with the applicants' usernames and contact details; nothing from users", () => {
  expect(fetches(contractOperation('JobApplications'))).toEqual(['jobs', 'applications']);
});

it("MyApplications: me and the page from applications, with the jobs' title, location and company name; nothing from users or jobs", () => {
  expect(fetches(contractOperation('MyApplications'))).toEqual(['applications']);
});

it("a status history's changedBy username comes with the history, from applications", () => {
  expect(fetches('query ($id: ID!) { application(id: $id) { id statusHistory { status changedBy { id username } } } }')).toEqual(['applications']);
});

it('fields applications does not provide still come from their own service', () => {
  expect(fetches('query ($id: ID!) { application(id: $id) { id applicant { id username bio } } }')).toEqual(['applications', 'users']);
  expect(fetches('query ($id: ID!) { application(id: $id) { id job { id title description company { name website } } } }')).toEqual(['applications', 'jobs']);
  // The same fields reached elsewhere are not applications' to give.
  expect(fetches('query { me { id username } }')).toEqual(['users']);
});
