import { contractOperation, plannedFetches } from '@jobplatform/testing/query-plans';

// The gateway's plans for a job page, from the checked-in supergraph: jobs provides the employer's
// handle and names (@provides on Job.employer) from its users replica, so a job page is one call to
// jobs, not a call to jobs followed by one to users (docs/benchmarks.md, Jobs).

it("JobDetail: the job and its employer's handle and names, all from jobs; nothing from users", () => {
  expect(plannedFetches(contractOperation('jobs', 'JobDetail'))).toEqual(['jobs']);
});

it("an employer's other fields still come from users, after the job", () => {
  expect(plannedFetches('query ($id: ID!) { job(id: $id) { id employer { id username bio } } }')).toEqual(['jobs', 'users']);
  // The same fields reached elsewhere are not jobs' to give.
  expect(plannedFetches('query { me { id username firstName } }')).toEqual(['users']);
  expect(plannedFetches('query { me { id username postedJobs { totalCount } } }')).toEqual(['users', 'jobs']);
});
