/**
 * npm run compose: composes the subgraphs listed in schema/supergraph.config.json into
 * schema/supergraph.graphql, which the gateway loads and which is checked in.
 */
import { writeFileSync } from 'node:fs';
import { composeSupergraph } from './schema/compose-supergraph.js';
import { formatProblem } from './schema/source-location.js';
import { defaultConfigPath, defaultSupergraphPath, displayPath, findUnlistedSubgraphSdls, loadSupergraphConfig } from './schema/supergraph-config.js';

const outcome = composeSupergraph();
if (!outcome.ok) {
  console.error(`✖ composition failed (${outcome.problems.length} problem${outcome.problems.length === 1 ? '' : 's'})`);
  for (const problem of outcome.problems) console.error(`  ${formatProblem(problem)}`);
  process.exit(1);
}

writeFileSync(defaultSupergraphPath, outcome.supergraphSdl);
console.log(`✔ composed ${outcome.subgraphs.map((subgraph) => subgraph.name).join(', ')} -> ${displayPath(defaultSupergraphPath)}`);
for (const hint of outcome.hints) {
  console.log(`  hint ${hint.level} ${hint.code}: ${hint.message}${hint.locations.length ? ` (${hint.locations.join(', ')})` : ''}`);
}
for (const sdlPath of findUnlistedSubgraphSdls(loadSupergraphConfig(defaultConfigPath))) {
  console.warn(`  ⚠ ${displayPath(sdlPath)} is not listed in ${displayPath(defaultConfigPath)}; add a line for it to compose it`);
}
