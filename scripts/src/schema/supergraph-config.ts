import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { SchemaProblem } from './source-location.js';

/** The repository root, found from this file rather than the working directory. */
export const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url));

export const defaultConfigPath = path.join(repositoryRoot, 'schema', 'supergraph.config.json');
export const defaultSupergraphPath = path.join(repositoryRoot, 'schema', 'supergraph.graphql');

/**
 * The same shape as rover's supergraph.yaml (JSON is YAML), so `rover supergraph compose --config
 * schema/supergraph.config.json` gives the same result where rover can run. File paths are relative to
 * the config file.
 */
const configSchema = z.object({
  federation_version: z.string().optional(),
  subgraphs: z.record(
    z.string().regex(/^[a-z][a-z0-9_]*$/, 'subgraph names are lower-case identifiers'),
    z.object({
      routing_url: z.url(),
      schema: z.object({ file: z.string().min(1) }),
    }),
  ),
});

export type SubgraphEntry = {
  name: string;
  /** Default routing URL written into the supergraph; the gateway overrides it with <NAME>_SUBGRAPH_URL. */
  routingUrl: string;
  /** Absolute path of the SDL file. */
  sdlPath: string;
};

export type SupergraphConfig = { configPath: string; subgraphs: SubgraphEntry[] };

export class SupergraphConfigError extends Error {
  constructor(readonly problems: SchemaProblem[]) {
    super(problems.map((problem) => problem.message).join('\n'));
  }
}

/** Path as a developer types it: relative to the repository root when inside it or beside it (../shared). */
export function displayPath(file: string, root = repositoryRoot): string {
  const relative = path.relative(root, file);
  return relative.startsWith(`..${path.sep}..`) || path.isAbsolute(relative) ? file : relative || '.';
}

function lineOf(text: string, needle: string): number | undefined {
  const index = text.indexOf(needle);
  return index < 0 ? undefined : text.slice(0, index).split('\n').length;
}

export function loadSupergraphConfig(configPath = defaultConfigPath, root = repositoryRoot): SupergraphConfig {
  const file = displayPath(configPath, root);
  if (!existsSync(configPath)) {
    throw new SupergraphConfigError([{ file, code: 'CONFIG_NOT_FOUND', message: 'supergraph config file does not exist' }]);
  }
  const text = readFileSync(configPath, 'utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new SupergraphConfigError([{ file, code: 'CONFIG_INVALID_JSON', message: (error as Error).message }]);
  }
  const parsed = configSchema.safeParse(json);
  if (!parsed.success) {
    throw new SupergraphConfigError(
      parsed.error.issues.map((issue) => {
        const key = issue.path.find((segment) => typeof segment === 'string' && segment !== 'subgraphs');
        return { file, line: key ? lineOf(text, `"${String(key)}"`) : undefined, code: 'CONFIG_INVALID', message: `${issue.path.join('.')}: ${issue.message}` };
      }),
    );
  }
  const configDir = path.dirname(configPath);
  const subgraphs = Object.entries(parsed.data.subgraphs).map(([name, entry]) => ({
    name,
    routingUrl: entry.routing_url,
    sdlPath: path.resolve(configDir, entry.schema.file),
  }));
  const missing = subgraphs.filter((subgraph) => !existsSync(subgraph.sdlPath));
  if (missing.length > 0) {
    throw new SupergraphConfigError(
      missing.map((subgraph) => ({
        file,
        line: lineOf(text, `"${subgraph.name}"`),
        code: 'SUBGRAPH_SDL_NOT_FOUND',
        message: `subgraph "${subgraph.name}": SDL file ${displayPath(subgraph.sdlPath, root)} does not exist`,
      })),
    );
  }
  return { configPath, subgraphs };
}

/**
 * SDL files under subgraphs/ that the config does not list. A new subgraph whose line was forgotten
 * would otherwise be left out of the supergraph without a word.
 */
export function findUnlistedSubgraphSdls(config: SupergraphConfig, root = repositoryRoot): string[] {
  const subgraphsDir = path.join(root, 'subgraphs');
  if (!existsSync(subgraphsDir)) return [];
  const listed = new Set(config.subgraphs.map((subgraph) => subgraph.sdlPath));
  return readdirSync(subgraphsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => path.join(subgraphsDir, entry.name, 'src', 'schema.graphql'))
    .filter((sdlPath) => existsSync(sdlPath) && !listed.has(sdlPath));
}
