import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { operationFromDocument, Supergraph } from '@apollo/federation-internals';
import { QueryPlanner, type PlanNode, type QueryPlan } from '@apollo/query-planner';
import { Kind, parse, type DocumentNode } from 'graphql';

// The gateway's plans for the lists of applications, from the checked-in supergraph: what
// applications provides (@provides) from its replicas must not cost a call to users or jobs. A list
// that fetched the applicants' usernames from users again, or the jobs' titles and company names
// from jobs, would make a third sequential hop (docs/benchmarks.md, Applications).

const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url));
const supergraph = Supergraph.build(readFileSync(`${repositoryRoot}schema/supergraph.graphql`, 'utf8'));
const planner = new QueryPlanner(supergraph);
const contract = parse(readFileSync(`${repositoryRoot}schema/operations/applications.graphql`, 'utf8'));

/** The contract's operation of that name, with the file's fragments. */
function contractOperation(name: string): DocumentNode {
  const definitions = contract.definitions.filter(
    (definition) => definition.kind === Kind.FRAGMENT_DEFINITION || (definition.kind === Kind.OPERATION_DEFINITION && definition.name?.value === name),
  );
  return { kind: Kind.DOCUMENT, definitions };
}

function planOf(document: DocumentNode | string): QueryPlan {
  const parsed = typeof document === 'string' ? parse(document) : document;
  return planner.buildQueryPlan(operationFromDocument(supergraph.apiSchema(), parsed, { validate: true }));
}

/** The subgraphs the plan calls, in plan order (one entry per fetch). */
function fetchesOf(node: PlanNode | undefined): string[] {
  if (!node) return [];
  switch (node.kind) {
    case 'Fetch':
      return [node.serviceName];
    case 'Flatten':
      return fetchesOf(node.node);
    case 'Sequence':
    case 'Parallel':
      return node.nodes.flatMap(fetchesOf);
    default:
      throw new Error(`unexpected plan node ${node.kind}`);
  }
}

const fetches = (document: DocumentNode | string) => fetchesOf(planOf(document).node as PlanNode | undefined);

it("JobApplications: the job from jobs, then its page from applications with the applicants' usernames and contact details; nothing from users", () => {
  expect(fetches(contractOperation('JobApplications'))).toEqual(['jobs', 'applications']);
});

it("MyApplications: me from users, then the page from applications with the jobs' title, location and company name; nothing from jobs", () => {
  expect(fetches(contractOperation('MyApplications'))).toEqual(['users', 'applications']);
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
