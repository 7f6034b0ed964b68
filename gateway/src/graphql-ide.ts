import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Express, Request } from 'express';

const require = createRequire(import.meta.url);
const packageFile = (pkg: string, file: string) => path.join(path.dirname(require.resolve(`${pkg}/package.json`)), file);

/**
 * GraphiQL as its npm packages ship it (prebuilt UMD bundles), served by the gateway itself: the
 * browser loads nothing from a CDN and the schema goes to no third-party page.
 */
const assets: Record<string, { file: string; type: string }> = {
  'react.production.min.js': { file: packageFile('react', 'umd/react.production.min.js'), type: 'text/javascript' },
  'react-dom.production.min.js': { file: packageFile('react-dom', 'umd/react-dom.production.min.js'), type: 'text/javascript' },
  'graphiql.min.js': { file: packageFile('graphiql', 'graphiql.min.js'), type: 'text/javascript' },
  'graphiql.min.css': { file: packageFile('graphiql', 'graphiql.min.css'), type: 'text/css' },
  'graphql-ws.min.js': { file: packageFile('graphql-ws', 'umd/graphql-ws.min.js'), type: 'text/javascript' },
  'graphiql-start.js': { file: fileURLToPath(new URL('../ide/graphiql-start.js', import.meta.url)), type: 'text/javascript' },
};

/** Where the IDE's files are served. */
export const ideAssetPath = '/ide';

/** Scripts only from the gateway; GraphiQL styles its parts inline; queries go to the gateway's own origin. */
const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self' ws: wss:",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

function idePage(graphqlPath: string): string {
  const asset = (name: string) => `${ideAssetPath}/${name}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>GraphiQL: job platform gateway</title>
<link rel="stylesheet" href="${asset('graphiql.min.css')}">
<style>html, body, #graphiql { height: 100%; margin: 0; }</style>
</head>
<body>
<div id="graphiql" data-graphql-path="${graphqlPath}">Loading GraphiQL…</div>
<script src="${asset('react.production.min.js')}"></script>
<script src="${asset('react-dom.production.min.js')}"></script>
<script src="${asset('graphql-ws.min.js')}"></script>
<script src="${asset('graphiql.min.js')}"></script>
<script src="${asset('graphiql-start.js')}"></script>
</body>
</html>
`;
}

/** A browser opening the endpoint: an HTML navigation without a GraphQL query in the URL. */
const isBrowserVisit = (req: Request) => req.method === 'GET' && req.query.query === undefined && req.accepts(['application/json', 'text/html']) === 'text/html';

/**
 * GET `graphqlPath` from a browser answers with GraphiQL (queries over POST, subscriptions over
 * graphql-ws on the same path; the Authorization header from its header editor goes with both);
 * its files are under /ide. Mount before the GraphQL middleware.
 */
export function mountGraphQLIde(app: Express, graphqlPath: string): void {
  const page = idePage(graphqlPath);
  app.get(graphqlPath, (req, res, next) => {
    if (!isBrowserVisit(req)) return next();
    res.setHeader('content-security-policy', contentSecurityPolicy);
    res.type('html').send(page);
  });
  app.get(`${ideAssetPath}/:name`, (req, res, next) => {
    const asset = Object.hasOwn(assets, req.params.name) ? assets[req.params.name] : undefined;
    if (!asset) return next();
    res.sendFile(asset.file, { headers: { 'content-type': asset.type, 'cache-control': 'public, max-age=3600' } });
  });
}
