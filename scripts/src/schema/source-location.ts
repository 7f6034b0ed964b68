import type { ASTNode, GraphQLError, Location } from 'graphql';

/** A problem a developer fixes in one place: the file, the line and what is wrong. */
export type SchemaProblem = {
  /** Path relative to the repository root (or as given when outside it). */
  file: string;
  line?: number;
  column?: number;
  /** Stable code, such as INVALID_FIELD_SHARING or GRAPHQL_PARSE_FAILED. */
  code: string;
  message: string;
};

/** `file:line:column`, the form editors and terminals turn into links. */
export function formatLocation(problem: Pick<SchemaProblem, 'file' | 'line' | 'column'>): string {
  if (problem.line === undefined) return problem.file;
  return problem.column === undefined ? `${problem.file}:${problem.line}` : `${problem.file}:${problem.line}:${problem.column}`;
}

export function formatProblem(problem: SchemaProblem): string {
  return `${formatLocation(problem)}  ${problem.code}  ${problem.message}`;
}

/** A definition starts at its description; the line a reader looks for is the one with its name. */
function nameLocation(node: ASTNode): Location | undefined {
  const name = 'name' in node ? node.name : undefined;
  return name && typeof name === 'object' && 'loc' in name ? name.loc : undefined;
}

/**
 * One problem per source location of a GraphQL error. Documents are parsed with `new Source(text, file)`,
 * so every AST node knows its file; composition keeps those nodes, which is how a conflict between two
 * subgraphs names both files.
 */
export function describeGraphQLError(error: GraphQLError, fallbackFile: string, code = String(error.extensions?.code ?? 'GRAPHQL_ERROR')): SchemaProblem[] {
  const nodes = (error.nodes ?? []) as readonly ASTNode[];
  const located = nodes
    .map((node) => nameLocation(node) ?? node.loc)
    .filter((loc) => loc !== undefined)
    .map((loc) => ({ file: loc.source.name, line: loc.startToken.line, column: loc.startToken.column }));
  if (located.length > 0) return located.map((where) => ({ ...where, code, message: error.message }));
  const file = error.source?.name ?? fallbackFile;
  const location = error.locations?.[0];
  return [{ file, line: location?.line, column: location?.column, code, message: error.message }];
}
