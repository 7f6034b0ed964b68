// npm run new:subgraph -- <name> [--port N] [--erasure] [--user-replica] [--no-install] [--root DIR]
// Writes a new subgraph service that composes, starts under `npm start`, answers through the
// gateway and passes its own tests, and registers it where the platform needs it. What to write
// next is in docs/adding-a-service.md.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from './dev-stack-env.js';
import { generateSubgraph, NewSubgraphRefused } from './new-subgraph/generate.js';

const usage = `usage: npm run new:subgraph -- <name> [options]
  <name>            lowercase letters, digits and dashes, starting with a letter (e.g. reviews)
  --port N          its port (default: the one after the highest port in the service registry)
  --erasure         take part in account erasure: consume users.user.deleted.v1, delete what it
                    holds about the user, reply <name>.user_erasure.completed.v1
  --user-replica    keep a local copy of users (user_replicas) from users' events
  --no-install      write the files and the migration only; skip npm install, code generation
                    and npm run compose
  --root DIR        the checkout to write into (default: this one)`;

function parse() {
  try {
    const { values, positionals } = parseArgs({
      allowPositionals: true,
      options: {
        port: { type: 'string' },
        erasure: { type: 'boolean', default: false },
        'user-replica': { type: 'boolean', default: false },
        'no-install': { type: 'boolean', default: false },
        root: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.help || positionals.length !== 1) return undefined;
    const port = values.port === undefined ? undefined : Number(values.port);
    return {
      name: positionals[0]!,
      port,
      erasure: values.erasure,
      userReplica: values['user-replica'],
      install: !values['no-install'],
      root: path.resolve(values.root ?? repoRoot),
    };
  } catch (error) {
    console.error((error as Error).message);
    return undefined;
  }
}

const args = parse();
if (!args) {
  console.error(usage);
  process.exit(2);
}

try {
  const result = await generateSubgraph({ ...args, log: (line) => console.log(line) });
  const { names, entry } = result;
  const dir = `subgraphs/${names.name}`;
  console.log(`
✔ ${names.name}: port ${entry.port}, database ${entry.database}, erasure ${entry.erasure}, Prisma includes ${entry.prismaIncludes.join(', ')}
  wrote   ${result.written.join('\n          ')}
  edited  ${result.edited.join('\n          ')}${args.install ? '\n  ran     npm install, its code generation, npm run compose' : ''}

Next:${
    args.install
      ? ''
      : `
  npm install && npx turbo run generate --filter=@jobplatform/${names.name}-subgraph && npm run compose`
  }
  npm test -- ${dir} scripts/src/service-registry     its generated tests and the registry checks
  npm start                                           ${names.name} on http://127.0.0.1:${entry.port}/graphql, behind the gateway on :4000
  then rename the example ${names.item.type} to the service's own entities: ${dir}/src/schema.graphql,
  prisma/${names.name}/schema.prisma (npm run migrate:create -- ${names.name} <name>), ${dir}/src/items.ts
  and its resolvers; docs/adding-a-service.md lists the rest (events, consumers, erasure, tests, benchmark).`);
} catch (error) {
  console.error(error instanceof NewSubgraphRefused ? `✖ ${error.message}` : error);
  process.exit(error instanceof NewSubgraphRefused ? 2 : 1);
}
