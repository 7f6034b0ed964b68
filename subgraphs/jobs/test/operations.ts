// The client contract's jobs operations (contract/operations/jobs.graphql), as clients send them.
// MyPostedJobs leaves out Job.applications, which the applications subgraph will add.
export const JOBS_OPERATIONS = /* GraphQL */ `
# Companies, job postings, categories and skills: the jobs subgraph, with fields other subgraphs add.

mutation CreateCompany($input: CompanyInput!) {
  createCompany(input: $input) {
    id name description website logo industry size foundedYear location isVerified
  }
}

mutation UpdateCompany($id: ID!, $input: CompanyInput!) {
  updateCompany(id: $id, input: $input) { id name description website industry size location }
}

query Company($id: ID!) {
  company(id: $id) {
    id name description website logo industry size foundedYear location isVerified
    jobs(first: 10) {
      totalCount
      edges { cursor node { id title location isRemote jobType } }
      pageInfo { hasNextPage endCursor }
    }
  }
}

mutation CreateJob($input: CreateJobInput!) {
  createJob(input: $input) {
    id title description requirements responsibilities
    jobType experienceLevel salaryMin salaryMax salaryCurrency
    location isRemote isActive applicationDeadline createdAt
    company { id name }
    employer { id username }
    categories { id name }
    skills { isRequired skill { id name } }
  }
}

mutation UpdateJob($id: ID!, $input: UpdateJobInput!) {
  updateJob(id: $id, input: $input) { id title salaryMin salaryMax isRemote updatedAt }
}

mutation CloseJob($id: ID!) {
  closeJob(id: $id) { id isActive }
}

# A job page: fields from the jobs and users subgraphs in one request.
query JobDetail($id: ID!) {
  job(id: $id) {
    id title description requirements responsibilities
    jobType experienceLevel salaryMin salaryMax salaryCurrency
    location isRemote isActive applicationDeadline createdAt
    company { id name logo industry size location }
    employer { id username firstName lastName }
    categories { id name parent { id name } }
    skills { isRequired skill { id name } }
  }
}

query Jobs($filter: JobFilter, $first: Int, $after: String) {
  jobs(filter: $filter, first: $first, after: $after) {
    totalCount
    edges { cursor node { id title location isRemote jobType company { name } } }
    pageInfo { hasNextPage endCursor }
  }
}

query JobCategories {
  jobCategories { id name description parent { id } children { id name } }
}

mutation CreateJobCategory($input: JobCategoryInput!) {
  createJobCategory(input: $input) { id name parent { id } }
}

query Skills($search: String, $first: Int) {
  skills(search: $search, first: $first) { id name }
}

# An employer's dashboard: own postings with applications from the applications subgraph.
query MyPostedJobs($first: Int, $after: String) {
  me {
    id
    postedJobs(first: $first, after: $after) {
      totalCount
      edges {
        node {
          id title isActive createdAt
        }
      }
      pageInfo { hasNextPage endCursor }
    }
  }
}
`;
