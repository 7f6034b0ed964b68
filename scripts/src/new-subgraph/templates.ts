// The files `npm run new:subgraph` writes for a new service, in one place. A service starts with
// one example entity, <Pascal>Item (a title a user owns), so that it composes, starts, answers
// through the gateway and takes part in account erasure from its first minute; the developer then
// renames it to the service's own (docs/adding-a-service.md says what to write next).
import { scalarTypeDefs } from '@jobplatform/service-runtime';
import type { ServiceNames } from './service-names.js';

export type TemplateOptions = {
  names: ServiceNames;
  port: number;
  /** A participant in the account-erasure saga (--erasure). */
  erasure: boolean;
  /** Keeps a local copy of users (--user-replica): user_replicas, filled by a users-replica consumer. */
  userReplica: boolean;
  /** Exact versions of the npm packages the service uses, as this workspace has them installed. */
  versions: Record<(typeof npmDependencies)[number], string>;
};

/** The npm packages a new service imports besides the workspace's own. */
export const npmDependencies = ['@prisma/client', 'dataloader', 'graphql', 'zod'] as const;

/** Every file of the new service, by path relative to the repository root. */
export function serviceFiles(options: TemplateOptions): Record<string, string> {
  const { names, erasure } = options;
  const dir = `subgraphs/${names.name}`;
  return {
    [`${dir}/package.json`]: packageJson(options),
    [`${dir}/tsconfig.json`]: tsconfigJson,
    [`${dir}/tsconfig.build.json`]: tsconfigBuildJson,
    [`${dir}/codegen.ts`]: codegen(names),
    [`${dir}/src/schema.graphql`]: schemaGraphql(names),
    [`${dir}/src/index.ts`]: indexTs(names),
    [`${dir}/src/server.ts`]: serverTs(options),
    [`${dir}/src/db.ts`]: dbTs(names),
    [`${dir}/src/context.ts`]: contextTs(names),
    [`${dir}/src/items.ts`]: itemsTs(names),
    ...(erasure ? { [`${dir}/src/events.ts`]: eventsTs(names), [`${dir}/src/user-erasure.ts`]: userErasureTs(names) } : {}),
    [`${dir}/src/resolvers/index.ts`]: resolversIndexTs(names),
    [`${dir}/src/resolvers/Query.ts`]: queryTs(names),
    [`${dir}/src/resolvers/Mutation.ts`]: mutationTs(names),
    [`${dir}/src/resolvers/User.ts`]: userTs(names),
    [`${dir}/src/resolvers/${names.item.type}.ts`]: itemResolversTs(names),
    [`${dir}/test/${names.name}.test.ts`]: serviceTest(options),
    [`prisma/${names.name}/schema.prisma`]: schemaPrisma(names),
  };
}

function packageJson({ names, versions }: TemplateOptions): string {
  const workspace = (name: string) => [`@jobplatform/${name}`, '*'] as const;
  const manifest = {
    name: `@jobplatform/${names.name}-subgraph`,
    version: '0.1.0',
    private: true,
    type: 'module',
    scripts: {
      generate: `node ../../scripts/src/generate-service.mjs ${names.name}`,
      build: 'tsc -p tsconfig.build.json && node ../../scripts/src/copy-assets.mjs',
      typecheck: 'tsc -p tsconfig.json --noEmit',
      start: 'node dist/index.js',
    },
    dependencies: Object.fromEntries([...['auth', 'config', 'events', 'service-runtime'].map(workspace), ...npmDependencies.map((name) => [name, versions[name]])]),
    devDependencies: Object.fromEntries([workspace('testing')]),
  };
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

const tsconfigJson = `${JSON.stringify(
  { extends: '../../tsconfig.base.json', compilerOptions: { noEmit: true, types: ['node', 'jest'], customConditions: ['development'] }, include: ['src', 'test'] },
  null,
  2,
)}\n`;

const tsconfigBuildJson = `${JSON.stringify(
  { extends: '../../tsconfig.base.json', compilerOptions: { rootDir: 'src', outDir: 'dist' }, include: ['src'], exclude: ['src/**/*.test.ts'] },
  null,
  2,
)}\n`;

function codegen(n: ServiceNames): string {
  return `import { createSubgraphCodegenConfig } from '@jobplatform/service-runtime/codegen';

/** Typed resolvers from the SDL, with database rows (or the service's own types) as the parent types. */
export default createSubgraphCodegenConfig({
  contextType: '../context.js#${n.pascal}Context',
  mappers: {
    ${n.item.type}: '../db.js#${n.item.type}Row',
    User: '../items.js#UserReference',
  },
});
`;
}

function schemaGraphql(n: ServiceNames): string {
  return `extend schema
  @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@shareable"])

${scalarTypeDefs.DateTime}

"""
Something a user keeps in ${n.name}: the example entity the service was generated with, to be renamed to its first real one.
"""
type ${n.item.type} @key(fields: "id") {
  "Stable identifier."
  id: ID!
  "What the item is called, 1 to 200 characters."
  title: String!
  "The user who added it."
  owner: User!
  "When it was added."
  createdAt: DateTime!
}

"""
A person with an account. Fields other than the public profile are visible only to the account's owner and to admins.
"""
type User @key(fields: "id") {
  "Stable identifier of the account."
  id: ID!
  "What the user keeps in ${n.name}, newest first: the user and admins see it, anyone else an empty list."
  ${n.item.list}: [${n.item.type}!]!
}

type Query {
  # Shareable: every service that adds fields to User answers \`me\` too, so that \`me { id notifications }\`
  # is one call to notifications rather than a call to users and then one to notifications.
  "The signed-in account, or null without an access token or once the account is deleted."
  me: User @shareable
  "A ${n.name} item by id; null when there is none or the viewer may not see it (only its owner and admins may)."
  ${n.item.field}(id: ID!): ${n.item.type}
}

type Mutation {
  "Adds an item owned by the signed-in user; \`title\` is 1 to 200 characters once trimmed."
  add${n.item.type}(title: String!): ${n.item.type}!
}
`;
}

function indexTs(n: ServiceNames): string {
  return `import { runSubgraph } from '@jobplatform/service-runtime';
import { ${n.camel}Subgraph } from './server.js';

await runSubgraph(${n.camel}Subgraph);
`;
}

function serverTs({ names: n, erasure, userReplica }: TemplateOptions): string {
  const consumers: string[] = [];
  if (userReplica) consumers.push(` * - ${n.name}-users-replica keeps user_replicas from users.user.registered/updated/deleted.v1`);
  if (erasure) consumers.push(` * - ${n.name}-user-erasure is ${n.name}'s part of the account-erasure saga (user-erasure.ts)`);
  const events: string[] = [];
  if (userReplica) events.push(`    replicas: { 'users-replica': userReplicaTable },`);
  if (erasure) {
    events.push(`    consumers: (_domain, { logger, now }) => [
      {
        purpose: 'user-erasure',
        handlers: {
          'users.user.deleted.v1': async (event, tx, context) => {
            const summary = await eraseUserFrom${n.pascal}(tx, event, { traceparent: context.traceparent, now: now() });
            logger.info({ userId: event.data.userId, ...summary }, 'user erasure: ${n.name} part applied, committing with its batch');
          },
        },
      },
    ],`);
  }
  const imports = [
    `import { readFileSync } from 'node:fs';`,
    `import { parse } from 'graphql';`,
    ...(userReplica ? [`import { userReplicaTable } from '@jobplatform/events';`] : []),
    `import type { SubgraphDefinition } from '@jobplatform/service-runtime';`,
    `import { createLoaders, type ${n.pascal}Context } from './context.js';`,
    `import type { ${n.pascal}Db } from './db.js';`,
    `import { PrismaClient } from './generated/prisma/client.js';`,
    `import { createItemService, type ItemService } from './items.js';`,
    `import { resolvers } from './resolvers/index.js';`,
    ...(erasure ? [`import { eraseUserFrom${n.pascal} } from './user-erasure.js';`] : []),
  ];
  return `${imports.join('\n')}

/** The ${n.name} rules without the HTTP server: what the service, scripts and tests share. */
export type ${n.pascal}Domain = { db: ${n.pascal}Db; items: ItemService };

/**
 * The ${n.name} subgraph. A change that others need to hear of also writes its event to ${n.database}'s
 * outbox in the same transaction; the relay publishes them (${n.env}).${consumers.length > 0 ? `\n * Consumers, one set per replica of the service:\n${consumers.join(';\n')}.` : ''}
 */
export const ${n.camel}Subgraph: SubgraphDefinition<${n.pascal}Db, ${n.pascal}Domain, ${n.pascal}Context> = {
  name: '${n.name}',
  typeDefs: parse(readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8')),
  resolvers,
  PrismaClient,
  createDomain: ({ db, now }) => ({ db, items: createItemService({ db, now }) }),
  createContext: (base, domain) => ({ ...base, ...domain, loaders: createLoaders(domain.db) }),${events.length > 0 ? `\n  events: {\n${events.join('\n')}\n  },` : ''}
};
`;
}

function dbTs(n: ServiceNames): string {
  return `import type { PrismaClient } from './generated/prisma/client.js';

export type ${n.pascal}Db = InstanceType<typeof PrismaClient>;
export type { ${n.item.type} as ${n.item.type}Row } from './generated/prisma/client.js';
`;
}

function contextTs(n: ServiceNames): string {
  const row = `${n.item.type}Row`;
  return `import DataLoader from 'dataloader';
import { createByIdLoader, type RequestContext } from '@jobplatform/service-runtime';
import type { ${n.pascal}Db, ${row} } from './db.js';
import type { ${n.pascal}Domain } from './server.js';

export type ${n.pascal}Loaders = {
  itemById: DataLoader<bigint, ${row} | null, string>;
  itemsByOwnerId: DataLoader<bigint, ${row}[], string>;
};

export type ${n.pascal}Context = RequestContext & ${n.pascal}Domain & { loaders: ${n.pascal}Loaders };

/** Per-request loaders: the entity references and list fields of one request batch into one query each. */
export function createLoaders(db: ${n.pascal}Db): ${n.pascal}Loaders {
  return {
    itemById: createByIdLoader((ids) => db.${n.item.delegate}.findMany({ where: { id: { in: ids } } })),
    // Every item of each owner: a list that can grow long takes first/after instead (service-runtime's connections).
    itemsByOwnerId: new DataLoader<bigint, ${row}[], string>(
      async (ownerIds) => {
        const rows = await db.${n.item.delegate}.findMany({ where: { ownerId: { in: [...ownerIds] } }, orderBy: { id: 'desc' } });
        const byOwner = new Map<bigint, ${row}[]>(ownerIds.map((id) => [id, []]));
        for (const row of rows) byOwner.get(row.ownerId)?.push(row);
        return ownerIds.map((id) => byOwner.get(id) ?? []);
      },
      { cacheKeyFn: (id) => id.toString() },
    ),
  };
}
`;
}

function itemsTs(n: ServiceNames): string {
  const row = `${n.item.type}Row`;
  return `import { z } from 'zod';
import type { Viewer } from '@jobplatform/auth';
import { isSelfOrAdmin, validateInput } from '@jobplatform/service-runtime';
import type { ${n.pascal}Db, ${row} } from './db.js';

/** A user as ${n.name} knows them: the key that the gateway resolves at users. */
export type UserReference = { id: string };

/** The column is VARCHAR(200). */
const titleSchema = z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters');

/** The rules of the example entity: who may add an item, and who may see one. */
export function createItemService({ db, now }: { db: ${n.pascal}Db; now: () => Date }) {
  return {
    add: (viewer: Viewer, title: string): Promise<${row}> =>
      db.${n.item.delegate}.create({ data: { ownerId: BigInt(viewer.userId), title: validateInput(titleSchema, title, 'title'), createdAt: now() } }),
    /** An item is its owner's: they and admins see it. */
    maySee: (viewer: Viewer | undefined, item: Pick<${row}, 'ownerId'>): boolean => isSelfOrAdmin(viewer, item.ownerId),
  };
}

export type ItemService = ReturnType<typeof createItemService>;
`;
}

function resolversIndexTs(n: ServiceNames): string {
  return `import { scalarResolvers } from '@jobplatform/service-runtime';
import type { Resolvers } from '../generated/graphql.js';
import { ${n.item.type} } from './${n.item.type}.js';
import { Mutation } from './Mutation.js';
import { Query } from './Query.js';
import { User } from './User.js';

export const resolvers: Resolvers = { DateTime: scalarResolvers.DateTime, Query, Mutation, ${n.item.type}, User };
`;
}

function queryTs(n: ServiceNames): string {
  return `import { parseId, viewerAsUser } from '@jobplatform/service-runtime';
import type { QueryResolvers } from '../generated/graphql.js';

export const Query: QueryResolvers = {
  /** The signed-in viewer's User, so that the gateway asks this service alone for their fields here. */
  me: (_parent, _args, ctx) => viewerAsUser(ctx),
  ${n.item.field}: async (_parent, { id }, ctx) => {
    const itemId = parseId(id);
    const item = itemId === undefined ? null : await ctx.loaders.itemById.load(itemId);
    return item && ctx.items.maySee(ctx.viewer, item) ? item : null;
  },
};
`;
}

function mutationTs(n: ServiceNames): string {
  return `import { requireViewer } from '@jobplatform/service-runtime';
import type { MutationResolvers } from '../generated/graphql.js';

export const Mutation: MutationResolvers = {
  add${n.item.type}: (_parent, { title }, ctx) => ctx.items.add(requireViewer(ctx), title),
};
`;
}

function userTs(n: ServiceNames): string {
  return `import { parseId } from '@jobplatform/service-runtime';
import type { UserResolvers } from '../generated/graphql.js';

export const User: UserResolvers = {
  __resolveReference: (reference) => ({ id: String(reference.id) }),
  ${n.item.list}: async (user, _args, ctx) => {
    const ownerId = parseId(user.id);
    if (ownerId === undefined || !ctx.items.maySee(ctx.viewer, { ownerId })) return [];
    return ctx.loaders.itemsByOwnerId.load(ownerId);
  },
};
`;
}

function itemResolversTs(n: ServiceNames): string {
  return `import { parseId } from '@jobplatform/service-runtime';
import type { ${n.item.type}Resolvers } from '../generated/graphql.js';

export const ${n.item.type}: ${n.item.type}Resolvers = {
  __resolveReference: async (reference, ctx) => {
    const id = parseId(String(reference.id));
    const item = id === undefined ? null : await ctx.loaders.itemById.load(id);
    return item && ctx.items.maySee(ctx.viewer, item) ? item : null;
  },
  id: (item) => item.id.toString(),
  owner: (item) => ({ id: item.ownerId.toString() }),
};
`;
}

function eventsTs(n: ServiceNames): string {
  return `import { createOutbox } from '@jobplatform/events';

/** ${n.name}'s outbox: events written in the transaction of the change they describe (published as ${n.env}). */
export const ${n.camel}Outbox = createOutbox({ source: '${n.name}' });
`;
}

function userErasureTs(n: ServiceNames): string {
  return `import { userErasureCompletedSubject, type EventEnvelope } from '@jobplatform/events';
import type { Prisma } from './generated/prisma/client.js';
import { ${n.camel}Outbox } from './events.js';

/** What the erasure did, reported to users in ${n.name}.user_erasure.completed.v1. */
export type UserErasureSummary = { deletedItems: number };

/**
 * The ${n.name} part of the account-erasure saga, run by the ${n.name}-user-erasure consumer for
 * users.user.deleted.v1 inside the transaction that also records the event as processed: deletes
 * what ${n.name} holds about the user, then writes the saga's reply. Running it again for the same
 * user (users publishes the event again when a reply is late) finds nothing left and reports zeros.
 */
export async function eraseUserFrom${n.pascal}(
  tx: Prisma.TransactionClient,
  event: EventEnvelope<'users.user.deleted.v1'>,
  options: { traceparent: string; now: Date },
): Promise<UserErasureSummary> {
  const { count } = await tx.${n.item.delegate}.deleteMany({ where: { ownerId: BigInt(event.data.userId) } });
  const summary: UserErasureSummary = { deletedItems: count };
  await ${n.camel}Outbox.record(
    tx,
    userErasureCompletedSubject('${n.name}'),
    { userId: event.data.userId, service: '${n.name}', completedAt: options.now.toISOString(), summary },
    { traceparent: options.traceparent },
  );
  return summary;
}
`;
}

function serviceTest({ names: n, erasure }: TemplateOptions): string {
  const add = `mutation Add${n.item.type}($title: String!) { add${n.item.type}(title: $title) { id title owner { id username } } }`;
  const erasureTest = `

it('takes part in account erasure: deleteMyAccount deletes what ${n.name} holds, and users records its reply', async () => {
  expect(erasureParticipants).toContain('${n.name}');
  const account = await platform.jobSeeker();
  await platform.ok(ADD, { title: 'Goes with its owner' }, account);

  expect((await platform.ok('mutation($p: String!) { deleteMyAccount(password: $p) }', { p: account.password }, account)).deleteMyAccount).toBe(true);

  const erasures = platform.service('users').service.domain.erasure;
  const erased = await waitFor(
    'users to record the account erasure as completed',
    async () => ((await erasures.list(['completed'])) as { userId: string; completions: { service: string; summary: unknown }[] }[]).find((e) => e.userId === account.id),
    (found) => found !== undefined,
  );
  expect(erased!.completions.find((c) => c.service === '${n.name}')?.summary).toEqual({ deletedItems: 1 });
  const left = await platform.service('${n.name}').db.query('SELECT count(*)::int AS n FROM ${n.item.table} WHERE owner_id = $1', [account.id]);
  expect(left.rows[0]!.n).toBe(0);
});`;
  const platformLine = erasure
    ? `  // Every participant runs: users erases the account once each of them has replied.
  platform = await startPlatformForTest({ services: [...erasureParticipants, '${n.name}'] });`
    : `  platform = await startPlatformForTest({ services: ['${n.name}'] });`;
  return `import { errorCodeOf, startPlatformForTest, ${erasure ? 'waitFor, ' : ''}type PlatformUnderTest } from '@jobplatform/testing';
${erasure ? `import { erasureParticipants } from '@jobplatform/config';\n` : ''}
// users and ${n.name} behind the real gateway, each on its own migrated database${erasure ? ', sharing one nats-server' : ''}.

let platform: PlatformUnderTest;

const ADD = '${add}';

beforeAll(async () => {
${platformLine}
});
afterAll(async () => {
  await platform?.close();
});

it('adds an item and shows it on the owner through the gateway, to them alone', async () => {
  const owner = await platform.jobSeeker();
  const added = (await platform.ok(ADD, { title: '  First  ' }, owner)).add${n.item.type};
  expect(added).toEqual({ id: expect.any(String), title: 'First', owner: { id: owner.id, username: owner.username } });

  const mine = await platform.ok('query Mine { me { id ${n.item.list} { id title } } }', {}, owner);
  expect(mine.me).toEqual({ id: owner.id, ${n.item.list}: [{ id: added.id, title: 'First' }] });
  expect((await platform.ok('query One($id: ID!) { ${n.item.field}(id: $id) { title } }', { id: added.id }, owner)).${n.item.field}).toEqual({ title: 'First' });

  const other = await platform.jobSeeker();
  const seen = await platform.ok('query Theirs($user: ID!, $item: ID!) { user(id: $user) { ${n.item.list} { id } } ${n.item.field}(id: $item) { id } }', { user: owner.id, item: added.id }, other);
  expect(seen).toEqual({ user: { ${n.item.list}: [] }, ${n.item.field}: null });
});

it('refuses an anonymous add and an empty title', async () => {
  expect(errorCodeOf(await platform.gql(ADD, { title: 'x' }))).toBe('UNAUTHENTICATED');
  const account = await platform.jobSeeker();
  const empty = await platform.gql(ADD, { title: '   ' }, { token: account.accessToken });
  expect(errorCodeOf(empty)).toBe('BAD_USER_INPUT');
  expect(empty.errors![0]!.extensions!.fields).toEqual([{ field: 'title', message: 'must not be empty' }]);
});${erasure ? erasureTest : ''}
`;
}

function schemaPrisma(n: ServiceNames): string {
  return `// ${n.database}: what the ${n.name} service owns. The event tables (and the users replica, when
// its registry entry lists it) come from the shared files beside this one (symlinks).

generator client {
  provider     = "prisma-client"
  output       = "../../subgraphs/${n.name}/src/generated/prisma"
  moduleFormat = "esm"
}

datasource db {
  provider = "postgresql"
}

/// The example entity: a title a user owns. owner_id is users' id; no foreign key, since users
/// lives in another database.
model ${n.item.type} {
  id        BigInt   @id @default(autoincrement())
  ownerId   BigInt   @map("owner_id")
  title     String   @db.VarChar(200)
  createdAt DateTime @default(now()) @map("created_at") @db.Timestamptz(3)

  @@index([ownerId, id])
  @@map("${n.item.table}")
}
`;
}

/** The service's block in docker-compose.yml, at the indentation of the others (two spaces); `settings` as `NAME: value`. */
export function composeServiceBlock(n: ServiceNames, port: number, settings: string[]): string[] {
  return `  ${n.name}:
    <<: *service
    command: ["node", "subgraphs/${n.name}/dist/index.js"]
    environment:
      <<: *service-env
      ${n.env}_HOST: 0.0.0.0
      ${n.env}_PORT: ${port}
${settings.map((line) => `      ${line}`).join('\n')}
    depends_on:
      migrate:
        condition: service_completed_successfully
      nats:
        condition: service_healthy
      users:
        condition: service_healthy
    healthcheck:
      test: ["CMD", "node", "-e", "fetch('http://127.0.0.1:${port}/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
      interval: 3s
      timeout: 3s
      retries: 20`.split('\n');
}
