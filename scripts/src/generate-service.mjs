// Generates one subgraph's code: its Prisma client (prisma/<service>/*.prisma) and its typed
// resolvers (GraphQL Code Generator over src/schema.graphql). Run from the subgraph's folder by
// `npm run generate` (turbo). Plain JavaScript so that it runs before anything is built.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const service = process.argv[2];
if (!service) {
  console.error('usage: generate-service.mjs <service>');
  process.exit(2);
}
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const subgraphDir = path.join(root, 'subgraphs', service);

// `prisma generate` never runs the schema engine, but without network access it fails trying to
// download one unless PRISMA_SCHEMA_ENGINE_BINARY names an existing file.
const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: '1' };
if (!env.PRISMA_SCHEMA_ENGINE_BINARY) env.PRISMA_SCHEMA_ENGINE_BINARY = process.execPath;

function run(command, args) {
  const result = spawnSync(command, args, { cwd: subgraphDir, env, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const prismaCli = path.join(root, 'node_modules', 'prisma', 'build', 'index.js');
// The schema is the whole folder: schema.prisma and the shared files it includes as symlinks.
run(process.execPath, [prismaCli, 'generate', '--schema', path.join(root, 'prisma', service)]);

if (existsSync(path.join(subgraphDir, 'codegen.ts'))) {
  const codegenCli = path.join(root, 'node_modules', '@graphql-codegen', 'cli', 'esm', 'bin.js');
  run(process.execPath, ['--import', 'tsx', codegenCli, '--config', 'codegen.ts']);
}
