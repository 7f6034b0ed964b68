/**
 * Lint rules for subgraph SDL (npm run schema:check runs them; this is not the code linter's config).
 * Run by hand with: npx eslint -c scripts/src/schema-check/eslint.config.js subgraphs/<name>/src/schema.graphql
 */
import graphqlPlugin from '@graphql-eslint/eslint-plugin';
import federationPlugin from './federation-lint-rules.js';

/** Root operation types are merged from every subgraph, so a description on one would speak for all six. */
const rootTypes = '[type=ObjectTypeDefinition][name.value=/^(Query|Mutation|Subscription)$/]';

export default [
  {
    files: ['**/*.graphql'],
    languageOptions: { parser: graphqlPlugin.parser },
    plugins: { '@graphql-eslint': graphqlPlugin, federation: federationPlugin },
    rules: {
      // Every type, field, input field and enum value says what it is. Arguments are described in their field's text.
      '@graphql-eslint/require-description': [
        'error',
        {
          types: true,
          FieldDefinition: true,
          InputValueDefinition: true,
          EnumValueDefinition: true,
          DirectiveDefinition: true,
          ignoredSelectors: [rootTypes, '[type=InputValueDefinition][parent.type=FieldDefinition]'],
        },
      ],
      '@graphql-eslint/naming-convention': [
        'error',
        {
          types: 'PascalCase',
          FieldDefinition: 'camelCase',
          InputValueDefinition: 'camelCase',
          Argument: 'camelCase',
          DirectiveDefinition: 'camelCase',
          EnumValueDefinition: 'UPPER_CASE',
          'FieldDefinition[parent.name.value=Query]': { forbiddenPrefixes: ['query', 'get'], forbiddenSuffixes: ['Query'] },
          'FieldDefinition[parent.name.value=Mutation]': { forbiddenPrefixes: ['mutation'], forbiddenSuffixes: ['Mutation'] },
          'FieldDefinition[parent.name.value=Subscription]': { forbiddenPrefixes: ['subscription'], forbiddenSuffixes: ['Subscription'] },
          'EnumTypeDefinition,EnumTypeExtension': { forbiddenPrefixes: ['Enum'], forbiddenSuffixes: ['Enum'] },
          'InterfaceTypeDefinition,InterfaceTypeExtension': { forbiddenPrefixes: ['Interface'], forbiddenSuffixes: ['Interface'] },
          'UnionTypeDefinition,UnionTypeExtension': { forbiddenPrefixes: ['Union'], forbiddenSuffixes: ['Union'] },
          'ObjectTypeDefinition,ObjectTypeExtension': { forbiddenPrefixes: ['Type'], forbiddenSuffixes: ['Type'] },
        },
      ],
      '@graphql-eslint/no-hashtag-description': 'error',
      // no-typename-prefix is left out on purpose: the client contract fixes names such as User.username and User.userType.
      '@graphql-eslint/require-deprecation-reason': 'error',
      'federation/require-federation-v2-link': 'error',
      'federation/federation-directive-imports': 'error',
      // An unused import is harmless at run time; it is reported so it gets cleaned up, without failing the check.
      'federation/no-unused-federation-imports': 'warn',
    },
  },
];
