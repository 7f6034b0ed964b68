import { envPrefix } from '@jobplatform/config';

/**
 * Every spelling of a new service's name that its files use, derived from the registry name
 * (lowercase letters, digits and single dashes, starting with a letter), e.g. for `job-alerts`:
 * package @jobplatform/job-alerts-subgraph, JOB_ALERTS_PORT, database job_alerts_db,
 * export jobAlertsSubgraph, types JobAlertsContext and JobAlertsItem.
 */
export type ServiceNames = {
  /** The registry name: folder names, compose service, supergraph subgraph. */
  name: string;
  /** camelCase: `<camel>Subgraph`, the Prisma delegate `<camel>Item`, GraphQL fields. */
  camel: string;
  /** PascalCase: TypeScript and GraphQL type names. */
  pascal: string;
  /** snake_case: database and table names. */
  snake: string;
  /** The prefix of the service's settings: <ENV>_PORT, <ENV>_DATABASE_URL. */
  env: string;
  /** The PostgreSQL database it owns. */
  database: string;
  /** The example entity the generator writes, to be renamed to the service's own. */
  item: { type: string; field: string; list: string; table: string; delegate: string };
};

export const serviceNamePattern = /^[a-z](?:[a-z0-9]|-(?=[a-z0-9]))*$/;

/** Names that docker-compose.yml already uses for what is not a subgraph. */
const reservedNames = new Set(['gateway', 'postgres', 'nats', 'migrate', 'scripts', 'packages']);

export function nameProblem(name: string): string | undefined {
  if (!serviceNamePattern.test(name)) return `"${name}" is not a service name: use lowercase letters, digits and single dashes, starting with a letter (e.g. reviews)`;
  if (reservedNames.has(name)) return `"${name}" is taken by a part of the platform that is not a subgraph`;
  if (name.length > 40) return `"${name}" is longer than 40 characters`;
  return undefined;
}

export function namesOf(name: string): ServiceNames {
  const camel = name.replace(/-([a-z0-9])/g, (_match, letter: string) => letter.toUpperCase());
  const pascal = camel.charAt(0).toUpperCase() + camel.slice(1);
  const snake = name.replace(/-/g, '_');
  return {
    name,
    camel,
    pascal,
    snake,
    env: envPrefix(name),
    database: `${snake}_db`,
    item: { type: `${pascal}Item`, field: `${camel}Item`, list: `${camel}Items`, table: `${snake}_items`, delegate: `${camel}Item` },
  };
}
