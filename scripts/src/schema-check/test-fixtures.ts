import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A throwaway repository layout (schema/, subgraphs/) for checks that must not touch the real one. */
export type FixtureRepo = { root: string; write: (file: string, text: string) => string; remove: () => void };

export function createFixtureRepo(): FixtureRepo {
  const root = mkdtempSync(path.join(tmpdir(), 'schema-check-'));
  return {
    root,
    write(file, text) {
      const target = path.join(root, file);
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, text);
      return target;
    },
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}

export const federationLink = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])';

export function writeSupergraphConfig(repo: FixtureRepo, subgraphs: Record<string, number>): string {
  const entries = Object.entries(subgraphs).map(
    ([name, port]) => `    "${name}": { "routing_url": "http://127.0.0.1:${port}/graphql", "schema": { "file": "../subgraphs/${name}/src/schema.graphql" } }`,
  );
  return repo.write('schema/supergraph.config.json', `{\n  "subgraphs": {\n${entries.join(',\n')}\n  }\n}\n`);
}
