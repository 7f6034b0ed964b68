import { readFileSync } from 'node:fs';
import { Kind, parse, print } from 'graphql';
import { scalarTypeDefs, type ScalarName } from '@jobplatform/service-runtime';
import { displayPath, loadSupergraphConfig } from './supergraph-config.js';

const sharedNames = Object.keys(scalarTypeDefs) as ScalarName[];

// The graph's scalars are decided once (service-runtime's scalars.ts): a subgraph that uses one
// declares it word for word, so that every service's SDL and the supergraph describe it alike.
it.each(loadSupergraphConfig().subgraphs.map((subgraph) => [displayPath(subgraph.sdlPath), subgraph.sdlPath]))(
  '%s declares the shared scalars as service-runtime prints them',
  (_name, sdlPath) => {
    const scalars = parse(readFileSync(sdlPath, 'utf8')).definitions.filter((definition) => definition.kind === Kind.SCALAR_TYPE_DEFINITION);
    for (const scalar of scalars) {
      const name = scalar.name.value as ScalarName;
      if (sharedNames.includes(name)) expect(print(scalar)).toBe(scalarTypeDefs[name]);
    }
  },
);
