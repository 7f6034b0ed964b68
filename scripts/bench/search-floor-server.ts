// The floor of bench:search as a bare HTTP server, a process of its own like the search service:
// POST a GraphQL body of SearchJobs ({ query, variables }), get back what searchFloor computes
// (search-floor.ts), from a pool of SEARCH_FLOOR_POOL_SIZE connections to SEARCH_DATABASE_URL.
// GET /readyz answers once it listens on SEARCH_FLOOR_PORT. Started by scripts/bench/search.ts.
import http from 'node:http';
import pg from 'pg';
import { searchFloor, type SearchVariables } from './search-floor.js';

const pool = new pg.Pool({ connectionString: process.env.SEARCH_DATABASE_URL, max: Number(process.env.SEARCH_FLOOR_POOL_SIZE ?? 4) });

const server = http.createServer((request, response) => {
  if (request.method === 'GET' && request.url === '/readyz') return void response.end('ready');
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const { variables } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { variables: SearchVariables };
    searchFloor(pool, variables).then(
      (body) => response.writeHead(200, { 'content-type': 'application/json' }).end(body),
      (error: Error) => response.writeHead(500, { 'content-type': 'text/plain' }).end(error.message),
    );
  });
});
server.listen(Number(process.env.SEARCH_FLOOR_PORT), '127.0.0.1');
process.once('SIGTERM', () => server.close(() => void pool.end()));
