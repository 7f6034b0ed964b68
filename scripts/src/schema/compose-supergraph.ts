import { readFileSync } from 'node:fs';
import { composeServices, type CompositionSuccess } from '@apollo/composition';
import { GraphQLError, parse, Source, type ASTNode, type DocumentNode } from 'graphql';
import { describeGraphQLError, type SchemaProblem } from './source-location.js';
import { defaultConfigPath, displayPath, loadSupergraphConfig, repositoryRoot, SupergraphConfigError, type SubgraphEntry } from './supergraph-config.js';

/** One subgraph's SDL as text, with the file name that messages point at. */
export type SubgraphSource = { name: string; routingUrl: string; file: string; sdl: string };

export type CompositionNote = { code: string; level: string; message: string; locations: string[] };

export type ComposeOutcome =
  { ok: true; supergraphSdl: string; hints: CompositionNote[]; subgraphs: SubgraphSource[] } | { ok: false; problems: SchemaProblem[]; subgraphs: SubgraphSource[] };

type CompositionHint = CompositionSuccess['hints'][number];

function describeHint(hint: CompositionHint): CompositionNote {
  const nodes: readonly ASTNode[] = hint.nodes ?? [];
  const locations = nodes.filter((node) => node.loc).map((node) => `${node.loc!.source.name}:${node.loc!.startToken.line}`);
  return { code: hint.definition.code, level: hint.definition.level.name, message: hint.message, locations };
}

/** Composes SDL texts. Syntax errors in any subgraph are all reported before composition is tried. */
export function composeSubgraphSources(subgraphs: SubgraphSource[]): ComposeOutcome {
  const problems: SchemaProblem[] = [];
  const services: { name: string; url: string; typeDefs: DocumentNode }[] = [];
  for (const subgraph of subgraphs) {
    try {
      services.push({ name: subgraph.name, url: subgraph.routingUrl, typeDefs: parse(new Source(subgraph.sdl, subgraph.file)) });
    } catch (error) {
      if (!(error instanceof GraphQLError)) throw error;
      problems.push(...describeGraphQLError(error, subgraph.file, 'GRAPHQL_PARSE_FAILED'));
    }
  }
  if (problems.length > 0) return { ok: false, problems, subgraphs };
  if (services.length === 0) {
    return { ok: false, problems: [{ file: 'schema/supergraph.config.json', code: 'NO_SUBGRAPHS', message: 'no subgraphs to compose' }], subgraphs };
  }

  const result = composeServices(services);
  if (result.errors) {
    return { ok: false, problems: result.errors.flatMap((error) => describeGraphQLError(error, subgraphs[0]!.file)), subgraphs };
  }
  const supergraphSdl = result.supergraphSdl.endsWith('\n') ? result.supergraphSdl : `${result.supergraphSdl}\n`;
  return { ok: true, supergraphSdl, hints: result.hints.map(describeHint), subgraphs };
}

export function readSubgraphSources(entries: SubgraphEntry[], root = repositoryRoot): SubgraphSource[] {
  return entries.map((entry) => ({
    name: entry.name,
    routingUrl: entry.routingUrl,
    file: displayPath(entry.sdlPath, root),
    sdl: readFileSync(entry.sdlPath, 'utf8'),
  }));
}

/**
 * Composes the subgraphs listed in schema/supergraph.config.json. Returns the supergraph SDL that
 * `npm run compose` writes, or the problems with file and line. Never throws for bad input.
 */
export function composeSupergraph(options: { configPath?: string; root?: string } = {}): ComposeOutcome {
  const root = options.root ?? repositoryRoot;
  try {
    const config = loadSupergraphConfig(options.configPath ?? defaultConfigPath, root);
    return composeSubgraphSources(readSubgraphSources(config.subgraphs, root));
  } catch (error) {
    if (error instanceof SupergraphConfigError) return { ok: false, problems: error.problems, subgraphs: [] };
    throw error;
  }
}
