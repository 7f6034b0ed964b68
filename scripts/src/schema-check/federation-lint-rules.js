/**
 * ESLint rules for how a subgraph SDL uses Apollo Federation's directives. Composition validates what
 * the directives mean (a @key naming a missing field fails there, with file and line); these rules
 * cover what composition accepts but a reviewer should not: a schema without a Federation 2 @link,
 * a directive used without being imported, an import nobody uses.
 */
import { Kind } from 'graphql';

const FEDERATION_SPEC = /^https:\/\/specs\.apollo\.dev\/federation\/v(\d+)\.(\d+)$/;
const FEDERATION_DIRECTIVES = new Set([
  'key',
  'requires',
  'provides',
  'external',
  'tag',
  'extends',
  'shareable',
  'inaccessible',
  'override',
  'composeDirective',
  'interfaceObject',
  'authenticated',
  'requiresScopes',
  'policy',
  'context',
  'fromContext',
  'cost',
  'listSize',
]);

const locationOf = (node) => ({
  start: { line: node.loc.startToken.line, column: node.loc.startToken.column - 1 },
  end: { line: node.loc.endToken.line, column: node.loc.endToken.column - 1 + (node.loc.endToken.end - node.loc.endToken.start) },
});

/** The federation @link of a document and its imports: `name used in this file -> federation name`. */
function readFederationLink(document) {
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.SCHEMA_EXTENSION && definition.kind !== Kind.SCHEMA_DEFINITION) continue;
    for (const directive of definition.directives ?? []) {
      if (directive.name.value !== 'link') continue;
      const url = directive.arguments?.find((argument) => argument.name.value === 'url')?.value;
      if (url?.kind !== Kind.STRING || !url.value.startsWith('https://specs.apollo.dev/federation/')) continue;
      const imports = new Map();
      const importArgument = directive.arguments.find((argument) => argument.name.value === 'import')?.value;
      for (const item of importArgument?.kind === Kind.LIST ? importArgument.values : []) {
        if (item.kind === Kind.STRING) imports.set(item.value.replace(/^@/, ''), { name: item.value.replace(/^@/, ''), node: item });
        if (item.kind === Kind.OBJECT) {
          const name = item.fields.find((field) => field.name.value === 'name')?.value;
          const alias = item.fields.find((field) => field.name.value === 'as')?.value;
          if (name?.kind === Kind.STRING) {
            imports.set((alias?.kind === Kind.STRING ? alias.value : name.value).replace(/^@/, ''), { name: name.value.replace(/^@/, ''), node: item });
          }
        }
      }
      return { directive, url, imports };
    }
  }
  return undefined;
}

const requireFederationV2Link = {
  meta: {
    type: 'problem',
    docs: { description: 'A subgraph declares Federation 2 with `extend schema @link(url: "https://specs.apollo.dev/federation/v2.x", ...)`.' },
    schema: [],
  },
  create(context) {
    return {
      Document(node) {
        const document = node.rawNode();
        const link = readFederationLink(document);
        if (!link) {
          context.report({
            loc: { line: 1, column: 0 },
            message: 'Subgraph SDL has no federation @link: start it with extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: [...]).',
          });
          return;
        }
        const version = FEDERATION_SPEC.exec(link.url.value);
        if (!version || Number(version[1]) < 2) {
          context.report({ loc: locationOf(link.url), message: `"${link.url.value}" is not a Federation 2 spec URL (https://specs.apollo.dev/federation/v2.x).` });
        }
      },
    };
  },
};

const federationDirectiveImports = {
  meta: {
    type: 'problem',
    docs: { description: 'Federation directives are imported before use, and only federation directives are imported.' },
    schema: [],
  },
  create(context) {
    return {
      Document(node) {
        const document = node.rawNode();
        const link = readFederationLink(document);
        if (!link) return;
        const used = new Set();
        const defined = new Set(document.definitions.filter((definition) => definition.kind === Kind.DIRECTIVE_DEFINITION).map((definition) => definition.name.value));
        const visitDirectives = (holder) => {
          for (const directive of holder.directives ?? []) {
            const name = directive.name.value;
            if (name === 'link' || name.startsWith('federation__') || defined.has(name)) continue;
            used.add(name);
            if (FEDERATION_DIRECTIVES.has(name) && !link.imports.has(name)) {
              context.report({ loc: locationOf(directive), message: `@${name} is used but not imported: add "@${name}" to the import list of the federation @link.` });
            }
          }
        };
        const walk = (value) => {
          if (!value || typeof value !== 'object') return;
          if (Array.isArray(value)) return value.forEach(walk);
          if (value.kind && value.directives) visitDirectives(value);
          for (const key of ['definitions', 'fields', 'values', 'arguments']) if (Array.isArray(value[key])) walk(value[key]);
        };
        walk(document.definitions.filter((definition) => definition !== undefined));
        for (const { name, node: importNode } of link.imports.values()) {
          if (!FEDERATION_DIRECTIVES.has(name)) {
            context.report({ loc: locationOf(importNode), message: `"@${name}" is not a federation directive.` });
          }
        }
      },
    };
  },
};

/** The names the schema uses as directives, apart from @link and namespaced or locally defined ones. */
function collectUsedDirectives(document) {
  const defined = new Set(document.definitions.filter((definition) => definition.kind === Kind.DIRECTIVE_DEFINITION).map((definition) => definition.name.value));
  const used = new Set();
  const walk = (value) => {
    if (Array.isArray(value)) return value.forEach(walk);
    if (!value || typeof value !== 'object') return;
    for (const directive of value.directives ?? []) {
      const name = directive.name.value;
      if (name !== 'link' && !name.startsWith('federation__') && !defined.has(name)) used.add(name);
    }
    for (const key of ['definitions', 'fields', 'values', 'arguments']) if (Array.isArray(value[key])) walk(value[key]);
  };
  walk(document.definitions);
  return used;
}

const noUnusedFederationImports = {
  meta: {
    type: 'suggestion',
    docs: { description: 'Every directive imported by the federation @link is used.' },
    schema: [],
  },
  create(context) {
    return {
      Document(node) {
        const document = node.rawNode();
        const link = readFederationLink(document);
        if (!link) return;
        const used = collectUsedDirectives(document);
        for (const [localName, { name, node: importNode }] of link.imports) {
          if (FEDERATION_DIRECTIVES.has(name) && !used.has(localName)) {
            context.report({ loc: locationOf(importNode), message: `@${localName} is imported but never used: remove it from the import list.` });
          }
        }
      },
    };
  },
};

export default {
  meta: { name: 'jobplatform-federation' },
  rules: {
    'require-federation-v2-link': requireFederationV2Link,
    'federation-directive-imports': federationDirectiveImports,
    'no-unused-federation-imports': noUnusedFederationImports,
  },
};
