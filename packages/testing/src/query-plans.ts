import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { operationFromDocument, Supergraph } from '@apollo/federation-internals';
import { QueryPlanner, type PlanNode } from '@apollo/query-planner';
import { Kind, parse, type DocumentNode } from 'graphql';

// The gateway's query plans, from the checked-in supergraph (schema/supergraph.graphql): what a
// subgraph provides (@provides) from its replicas must not cost a sequential call to another one.

const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url));
let planning: { supergraph: Supergraph; planner: QueryPlanner } | undefined;
function supergraphPlanning() {
  if (!planning) {
    const supergraph = Supergraph.build(readFileSync(`${repositoryRoot}schema/supergraph.graphql`, 'utf8'));
    planning = { supergraph, planner: new QueryPlanner(supergraph) };
  }
  return planning;
}

/** The operation of that name in schema/operations/<file>.graphql, with the file's fragments. */
export function contractOperation(file: string, name: string): DocumentNode {
  const contract = parse(readFileSync(`${repositoryRoot}schema/operations/${file}.graphql`, 'utf8'));
  const definitions = contract.definitions.filter(
    (definition) => definition.kind === Kind.FRAGMENT_DEFINITION || (definition.kind === Kind.OPERATION_DEFINITION && definition.name?.value === name),
  );
  if (!definitions.some((definition) => definition.kind === Kind.OPERATION_DEFINITION)) throw new Error(`no operation ${name} in schema/operations/${file}.graphql`);
  return { kind: Kind.DOCUMENT, definitions };
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

/** The subgraphs the gateway's plan for the operation calls, in plan order (one entry per fetch). */
export function plannedFetches(document: DocumentNode | string): string[] {
  const parsed = typeof document === 'string' ? parse(document) : document;
  const { supergraph, planner } = supergraphPlanning();
  const plan = planner.buildQueryPlan(operationFromDocument(supergraph.apiSchema(), parsed, { validate: true }));
  return fetchesOf(plan.node as PlanNode | undefined);
}
