/**
 * The services the platform runs, in start order. Adding a subgraph is one line here (and one in
 * schema/ for composition). Ports are the fixed defaults that docker-compose.yml uses too.
 */
export type PlatformService = {
  name: string;
  port: number;
  /** Database the service owns, or undefined for the gateway. */
  database?: string;
  /** Compiled entry point, relative to the repository root. */
  entry: string;
};

export const subgraphServices: PlatformService[] = [
  { name: 'users', port: 4001, database: 'users_db', entry: 'subgraphs/users/dist/index.js' },
  { name: 'jobs', port: 4002, database: 'jobs_db', entry: 'subgraphs/jobs/dist/index.js' },
];

export const gatewayService: PlatformService = { name: 'gateway', port: 4000, entry: 'gateway/dist/index.js' };

/** USERS_DATABASE_URL for users, and so on. */
export const databaseUrlVariable = (service: PlatformService) => `${service.name.toUpperCase()}_DATABASE_URL`;
