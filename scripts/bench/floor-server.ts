// The floors of the benchmarks as a bare HTTP server, a process of its own like the service it is
// measured against: POST a GraphQL body ({ query, variables }), get back the response body that
// one hand-written statement makes, from a pool of FLOOR_POOL_SIZE connections to
// FLOOR_DATABASE_URL. FLOOR chooses whose floor it serves:
//  - search: SearchJobs, as searchFloor computes it (search-floor.ts), on search_db;
//  - jobs: JobDetail's jobs part when the variables hold an `id`, else the filtered Jobs list
//    (jobs-floor.ts), on jobs_db.
// GET /readyz answers once it listens on FLOOR_PORT. Started by startFloorServer (bench-stack.ts).
import http from 'node:http';
import pg from 'pg';
import { z } from 'zod';
import { EnvError, envSchemas, parseEnv } from '@jobplatform/config';
import { jobDetailFloor, jobListFloor, type JobListVariables } from './jobs-floor.js';
import { searchFloor, type SearchVariables } from './search-floor.js';

type Variables = Record<string, unknown>;

/** Per floor, the response body for a request's variables. */
const floors = {
  search: (pool: pg.Pool, variables: Variables) => searchFloor(pool, variables as SearchVariables),
  jobs: (pool: pg.Pool, variables: Variables) => (typeof variables.id === 'string' ? jobDetailFloor(pool, variables.id) : jobListFloor(pool, variables as JobListVariables)),
};

const environment = (() => {
  try {
    return parseEnv(
      z.object({
        FLOOR: z.enum(Object.keys(floors) as (keyof typeof floors)[]),
        FLOOR_DATABASE_URL: envSchemas.postgresUrl,
        FLOOR_PORT: z.coerce.number().int().min(1).max(65_535),
        FLOOR_POOL_SIZE: z.coerce.number().int().min(1).default(4),
      }),
    );
  } catch (error) {
    if (!(error instanceof EnvError)) throw error;
    console.error(`floor server: ${error.message}`);
    process.exit(1);
  }
})();
const answer = floors[environment.FLOOR];
const pool = new pg.Pool({ connectionString: environment.FLOOR_DATABASE_URL, max: environment.FLOOR_POOL_SIZE });

const server = http.createServer((request, response) => {
  if (request.method === 'GET' && request.url === '/readyz') return void response.end('ready');
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    // A body the floor cannot answer is a 500 with the reason, not the end of the server.
    Promise.resolve()
      .then(() => answer(pool, (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { variables: Variables }).variables))
      .then(
        (body) => response.writeHead(200, { 'content-type': 'application/json' }).end(body),
        (error: Error) => response.writeHead(500, { 'content-type': 'text/plain' }).end(error.message),
      );
  });
});
server.listen(environment.FLOOR_PORT, '127.0.0.1');
process.once('SIGTERM', () => server.close(() => void pool.end()));
