import { operationFromDocument, Supergraph } from '@apollo/federation-internals';
import type { ApolloGateway, GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { QueryPlanner, type FetchNode } from '@apollo/query-planner';
import {
  getNamedType,
  getOperationAST,
  getVariableValues,
  isAbstractType,
  isEnumType,
  isObjectType,
  Kind,
  parse,
  print,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
} from 'graphql';
import { Counter, type Registry } from 'prom-client';
import type { GatewayContext } from './context.js';

// Most client operations are answered by one subgraph: the query plan is a single fetch whose
// operation selects exactly what the client selected. @apollo/gateway still turns the document into
// its own operation, runs the plan and shapes the subgraph's data into the response field by field
// on every request (computeResponse), which for a page of results is a quarter of the gateway's CPU.
// When the subgraph's answer has no errors, its data already is that response, so the gateway
// returns it as it came. Everything else (several fetches, a fetch that renames or adds fields,
// abstract types, introspection, any error) takes @apollo/gateway's own way.

type GatewayRequestContext = Parameters<ApolloGateway['executor']>[0];
type GatewayResponse = Awaited<ReturnType<GraphQLDataSource['process']>>;
type Executor = ApolloGateway['executor'];

/** The header with which a developer asks @apollo/gateway for the query plan in the answer's extensions. */
const QUERY_PLAN_HEADER = 'apollo-query-plan-experimental';

/** An operation the gateway answers with one subgraph's data as it is. */
type SingleFetch = { fetch: FetchNode; operation: OperationDefinitionNode };

/**
 * Answers a data source gives back instead of calling again: when the single fetch's answer has
 * errors, @apollo/gateway runs the operation its own way and gets that same answer for the same
 * call, so the subgraph is called once (a mutation runs once) and the errors are handled as ever.
 */
export class AnsweredCalls {
  private readonly answers = new WeakMap<object, { query: string; response: GatewayResponse }>();

  keep(context: object, query: string, response: GatewayResponse): void {
    this.answers.set(context, { query, response });
  }

  /** The answer kept for this request's call with this query, once. */
  take(context: object, query: string | undefined): GatewayResponse | undefined {
    const kept = this.answers.get(context);
    if (!kept || kept.query !== query) return undefined;
    this.answers.delete(context);
    return kept.response;
  }
}

/**
 * The selection set as the query planner writes a subgraph's operation: fragments whose type is the
 * field's own inlined. Undefined when a subgraph's data would not be the response as it is:
 * introspection, a field of an abstract type (the gateway resolves __typename and type conditions),
 * an enum some of whose values the API schema hides, a fragment on another type or with directives.
 */
function plainSelectionSet(
  selectionSet: SelectionSetNode,
  parent: GraphQLObjectType,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  hiddenEnums: ReadonlySet<string>,
): SelectionSetNode | undefined {
  const selections: SelectionNode[] = [];
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      const name = selection.name.value;
      if (name === '__typename') {
        selections.push(selection);
        continue;
      }
      const field = parent.getFields()[name];
      if (!field) return undefined;
      const type = getNamedType(field.type);
      if (isAbstractType(type) || (isEnumType(type) && hiddenEnums.has(type.name))) return undefined;
      if (!selection.selectionSet) {
        selections.push(selection);
        continue;
      }
      if (!isObjectType(type)) return undefined;
      const inner = plainSelectionSet(selection.selectionSet, type, fragments, hiddenEnums);
      if (!inner) return undefined;
      selections.push({ ...selection, selectionSet: inner });
      continue;
    }
    if (selection.directives?.length) return undefined;
    const fragment = selection.kind === Kind.FRAGMENT_SPREAD ? fragments.get(selection.name.value) : selection;
    if (!fragment || (fragment.typeCondition && fragment.typeCondition.name.value !== parent.name)) return undefined;
    const inner = plainSelectionSet(fragment.selectionSet, parent, fragments, hiddenEnums);
    if (!inner) return undefined;
    selections.push(...inner.selections);
  }
  return { kind: Kind.SELECTION_SET, selections };
}

/** Enum types with values the API schema leaves out (@inaccessible): a subgraph may still send them. */
function enumsWithHiddenValues(supergraph: Supergraph, apiSchema: GraphQLSchema): Set<string> {
  const hidden = new Set<string>();
  for (const type of supergraph.schema.types()) {
    if (type.kind !== 'EnumType') continue;
    const api = apiSchema.getType(type.name);
    if (!api || !isEnumType(api) || api.getValues().length !== type.values.length) hidden.add(type.name);
  }
  return hidden;
}

/** How the operation is answered by one subgraph's data as it is, or undefined. */
function singleFetchOf(
  planning: { supergraph: Supergraph; planner: QueryPlanner; apiSchema: GraphQLSchema; hiddenEnums: ReadonlySet<string> },
  document: DocumentNode,
  operationName: string | undefined,
): SingleFetch | undefined {
  const operation = getOperationAST(document, operationName);
  if (!operation || operation.directives?.length) return undefined;
  const root = operation.operation === 'query' ? planning.apiSchema.getQueryType() : operation.operation === 'mutation' ? planning.apiSchema.getMutationType() : undefined;
  if (!root) return undefined;
  const fragments = new Map(document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [])));
  const selections = plainSelectionSet(operation.selectionSet, root, fragments, planning.hiddenEnums);
  if (!selections) return undefined;
  let node;
  try {
    node = planning.planner.buildQueryPlan(operationFromDocument(planning.supergraph.apiSchema(), document, { operationName })).node;
  } catch {
    return undefined;
  }
  if (node?.kind !== 'Fetch' || node.requires || node.inputRewrites?.length || node.outputRewrites?.length || node.contextRewrites?.length || node.hasDefers) return undefined;
  const sent = getOperationAST(node.operationDocumentNode ?? parse(node.operation));
  if (!sent || sent.operation !== operation.operation || print(sent.selectionSet) !== print(selections)) return undefined;
  return { fetch: node, operation };
}

/**
 * Wraps @apollo/gateway for ApolloServer: operations whose plan is a single fetch selecting exactly
 * the client's fields are sent by the same data source as the gateway's own, and an answer without
 * errors is the response. Plans are made once per parsed document (ApolloServer keeps one document
 * per query text) and again after a supergraph update. With `enabled` false it is @apollo/gateway
 * alone. `executor` is usable once `load` has resolved.
 */
export function singleFetchGateway(
  gateway: ApolloGateway,
  options: { enabled: boolean; dataSources: ReadonlyMap<string, GraphQLDataSource<GatewayContext>>; answered: AnsweredCalls; registry: Registry },
): Pick<ApolloGateway, 'load' | 'onSchemaLoadOrUpdate' | 'stop' | 'executor'> {
  const answers = new Counter({
    name: 'gateway_single_fetch_operations_total',
    help: "Operations by how they were answered: 'direct' (one subgraph's data as it came), 'planned' (by @apollo/gateway's plan execution)",
    labelNames: ['path'],
    registers: [options.registry],
  });
  let planning: { supergraph: Supergraph; planner: QueryPlanner; apiSchema: GraphQLSchema; hiddenEnums: ReadonlySet<string> } | undefined;
  let plans = new WeakMap<DocumentNode, Map<string, SingleFetch | undefined>>();
  gateway.onSchemaLoadOrUpdate(({ apiSchema, coreSupergraphSdl }) => {
    if (!options.enabled) return;
    const supergraph = Supergraph.build(coreSupergraphSdl);
    planning = { supergraph, planner: new QueryPlanner(supergraph), apiSchema, hiddenEnums: enumsWithHiddenValues(supergraph, apiSchema) };
    plans = new WeakMap();
  });

  const planFor = (document: DocumentNode, operationName: string | undefined): SingleFetch | undefined => {
    if (!planning) return undefined;
    let byName = plans.get(document);
    if (!byName) plans.set(document, (byName = new Map()));
    const key = operationName ?? '';
    if (!byName.has(key)) byName.set(key, singleFetchOf(planning, document, operationName));
    return byName.get(key);
  };

  const executor: Executor = async (requestContext: GatewayRequestContext) => {
    const { request, document } = requestContext;
    // Apollo's query-plan header asks @apollo/gateway to add its plan to the answer (outside production).
    const single = request.http?.headers.has(QUERY_PLAN_HEADER) ? undefined : planFor(document, request.operationName ?? undefined);
    const dataSource = single && options.dataSources.get(single.fetch.serviceName);
    const provided = request.variables ?? {};
    // Variables the API schema refuses get @apollo/gateway's own errors.
    if (!single || !dataSource || getVariableValues(planning!.apiSchema, single.operation.variableDefinitions ?? [], provided).errors) {
      answers.inc({ path: 'planned' });
      return gateway.executor(requestContext);
    }
    const { fetch } = single;
    const variables: Record<string, unknown> = Object.create(null);
    for (const name of fetch.variableUsages ?? []) if (Object.hasOwn(provided, name) && provided[name] !== undefined) variables[name] = provided[name];
    const context = requestContext.context as GatewayContext;
    // The call @apollo/gateway's executeFetch makes for a root fetch (its kind is an enum the package does not export).
    const response = await dataSource.process({
      kind: 'incoming operation',
      request: { query: fetch.operation, variables, operationName: fetch.operationName },
      incomingRequestContext: requestContext,
      context,
      ...(fetch.operationDocumentNode ? { document: fetch.operationDocumentNode } : {}),
      pathInIncomingRequest: [],
    } as unknown as GraphQLDataSourceProcessOptions<GatewayContext>);
    if (!response.errors?.length && typeof response.data === 'object' && response.data !== null) {
      answers.inc({ path: 'direct' });
      return { data: response.data };
    }
    options.answered.keep(context, fetch.operation, response);
    answers.inc({ path: 'planned' });
    return gateway.executor(requestContext);
  };

  return {
    load: async (loadOptions) => ({ ...(await gateway.load(loadOptions)), executor }),
    onSchemaLoadOrUpdate: (callback) => gateway.onSchemaLoadOrUpdate(callback),
    stop: () => gateway.stop(),
    executor,
  };
}
