import { readFileSync } from 'node:fs';
import path from 'node:path';
import { composeSubgraphSources, composeSupergraph } from './schema/compose-supergraph.js';
import { formatProblem } from './schema/source-location.js';
import { createFixtureRepo, federationLink, writeSupergraphConfig, type FixtureRepo } from './schema-check/test-fixtures.js';

const accountsSdl = `${federationLink}

"""An account."""
type Account @key(fields: "id") {
  "Identifier."
  id: ID!
  "Display name."
  name: String!
}

type Query {
  "An account by id."
  account(id: ID!): Account
}
`;

describe('composeSupergraph', () => {
  let repo: FixtureRepo;
  beforeEach(() => {
    repo = createFixtureRepo();
  });
  afterEach(() => repo.remove());

  it('writes each subgraph and its default routing URL into the supergraph', () => {
    const configPath = writeSupergraphConfig(repo, { accounts: 4001 });
    repo.write('subgraphs/accounts/src/schema.graphql', accountsSdl);

    const outcome = composeSupergraph({ configPath, root: repo.root });

    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    expect(outcome.supergraphSdl).toContain('ACCOUNTS @join__graph(name: "accounts", url: "http://127.0.0.1:4001/graphql")');
    expect(outcome.supergraphSdl).toContain('account(id: ID!): Account');
  });

  it('names the file and line of a syntax error in a subgraph SDL', () => {
    const configPath = writeSupergraphConfig(repo, { accounts: 4001 });
    repo.write('subgraphs/accounts/src/schema.graphql', accountsSdl.replace('name: String!', 'name: String!!'));

    const outcome = composeSupergraph({ configPath, root: repo.root });

    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.problems).toHaveLength(1);
    expect(outcome.problems[0]).toMatchObject({ file: path.join('subgraphs', 'accounts', 'src', 'schema.graphql'), line: 8, code: 'GRAPHQL_PARSE_FAILED' });
    expect(formatProblem(outcome.problems[0]!)).toMatch(/^subgraphs\/accounts\/src\/schema\.graphql:8:\d+ {2}GRAPHQL_PARSE_FAILED {2}Syntax Error/);
  });

  it('names both files and lines when two subgraphs resolve the same non-shareable field', () => {
    const outcome = composeSubgraphSources([
      { name: 'accounts', routingUrl: 'http://127.0.0.1:4001/graphql', file: 'subgraphs/accounts/src/schema.graphql', sdl: accountsSdl },
      {
        name: 'profiles',
        routingUrl: 'http://127.0.0.1:4002/graphql',
        file: 'subgraphs/profiles/src/schema.graphql',
        sdl: `${federationLink}\n\n"""An account."""\ntype Account @key(fields: "id") {\n  "Identifier."\n  id: ID!\n  "Display name."\n  name: String!\n}\n`,
      },
    ]);

    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    const conflicts = outcome.problems.filter((problem) => problem.code === 'INVALID_FIELD_SHARING');
    expect(conflicts.map((problem) => `${problem.file}:${problem.line}`).sort()).toEqual(['subgraphs/accounts/src/schema.graphql:8', 'subgraphs/profiles/src/schema.graphql:8']);
    expect(conflicts[0]!.message).toContain('Non-shareable field "Account.name" is resolved from multiple subgraphs');
  });

  it('points at the config line of a subgraph whose SDL file is missing', () => {
    const configPath = writeSupergraphConfig(repo, { accounts: 4001, billing: 4002 });
    repo.write('subgraphs/accounts/src/schema.graphql', accountsSdl);

    const outcome = composeSupergraph({ configPath, root: repo.root });

    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.problems).toEqual([expect.objectContaining({ file: path.join('schema', 'supergraph.config.json'), line: 4, code: 'SUBGRAPH_SDL_NOT_FOUND' })]);
  });

  it('composes the checked-in supergraph from the real config', () => {
    const outcome = composeSupergraph();

    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    const checkedIn = readFileSync(new URL('../../schema/supergraph.graphql', import.meta.url), 'utf8');
    expect(outcome.supergraphSdl).toBe(checkedIn);
  });
});
