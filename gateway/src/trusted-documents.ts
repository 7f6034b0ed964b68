import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kind, parse, print, visit, type DocumentNode, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';
import { sendJson, type GraphQLCallCheck } from '@jobplatform/service-runtime';

/**
 * Trusted documents (persisted documents): the operations the platform's own clients send, from
 * schema/operations/*.graphql, each known by an id that is the SHA-256 of its text. A client sends
 * the id instead of the text, as Apollo's (`extensions.persistedQuery.sha256Hash`), Relay's and
 * Hive's (`documentId`) clients do; the gateway puts the text back before ApolloServer sees the
 * request, so its parsed and validated document cache and the query planner's plan cache serve
 * every request of a document after the first. With GATEWAY_TRUSTED_DOCUMENTS_ONLY the gateway
 * refuses any other document, as a production deployment whose clients are all known may want.
 */
export type TrustedDocument = { id: string; name: string; type: OperationDefinitionNode['operation']; body: string };

/** Apollo's persisted query manifest format, which its client tooling and Apollo Router read. */
export type TrustedDocumentManifest = { format: 'apollo-persisted-query-manifest'; version: 1; operations: TrustedDocument[] };

/** The client operations checked in CI against the supergraph (`npm run schema:check`). */
export const defaultOperationsDir = fileURLToPath(new URL('../../schema/operations/', import.meta.url));

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The fragments an operation spreads, directly or through other fragments, in the order they are defined. */
function fragmentsUsedBy(operation: OperationDefinitionNode, fragments: Map<string, FragmentDefinitionNode>): FragmentDefinitionNode[] {
  const used = new Set<string>();
  const collect = (node: OperationDefinitionNode | FragmentDefinitionNode) =>
    visit(node, {
      FragmentSpread(spread) {
        const name = spread.name.value;
        const fragment = fragments.get(name);
        if (used.has(name) || !fragment) return;
        used.add(name);
        collect(fragment);
      },
    });
  collect(operation);
  return [...fragments.values()].filter((fragment) => used.has(fragment.name.value));
}

/**
 * Every named operation of the .graphql files in `dir`, printed (graphql-js `print`) with the
 * fragments of its file that it uses: the text whose SHA-256 is its id. Names are unique across
 * the files (schema:check requires it); an anonymous operation has no place in a manifest.
 */
export function compileTrustedDocuments(dir: string = defaultOperationsDir): TrustedDocumentManifest {
  const operations: TrustedDocument[] = [];
  for (const file of readdirSync(dir)
    .filter((name) => name.endsWith('.graphql'))
    .sort()) {
    const document: DocumentNode = parse(readFileSync(path.join(dir, file), 'utf8'), { noLocation: true });
    const fragments = new Map(document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]));
    for (const operation of document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)) {
      if (!operation.name) throw new Error(`${file}: an anonymous operation cannot be a trusted document; name it`);
      const body = print({ kind: Kind.DOCUMENT, definitions: [operation, ...fragmentsUsedBy(operation, fragments)] });
      operations.push({ id: sha256(body), name: operation.name.value, type: operation.operation, body });
    }
  }
  return { format: 'apollo-persisted-query-manifest', version: 1, operations };
}

/** What a request carries, over HTTP or in a graphql-ws subscribe message. */
export type DocumentRequest = { query?: unknown; documentId?: unknown; extensions?: unknown };

/** Why a request's document was refused; `code` goes to the client as extensions.code. */
export class DocumentRefused extends Error {
  constructor(
    readonly code: 'PERSISTED_QUERY_NOT_FOUND' | 'PERSISTED_QUERY_NOT_IN_LIST' | 'BAD_REQUEST',
    message: string,
    /** HTTP status: a client that sent an unknown id may send the text instead, so that one is 200, as in Apollo Server. */
    readonly status: number,
  ) {
    super(message);
  }
}

export type TrustedDocuments = {
  /** How many documents the gateway knows. */
  readonly size: number;
  /** Whether documents other than the trusted ones are refused. */
  readonly only: boolean;
  /**
   * The query text to run for a request: the trusted document its id names, or the text it sent
   * (when trusted documents are not required, or the text is one of them). Throws DocumentRefused.
   */
  queryOf(request: DocumentRequest): string;
};

/** The id a request names: `documentId` (with or without `sha256:`) or Apollo's persistedQuery extension. */
function requestedId(request: DocumentRequest): string | undefined {
  if (request.documentId !== undefined && request.documentId !== null) {
    if (typeof request.documentId !== 'string') throw new DocumentRefused('BAD_REQUEST', 'documentId must be a string', 400);
    return request.documentId.replace(/^sha256:/, '').toLowerCase();
  }
  const persisted = (request.extensions as { persistedQuery?: { version?: unknown; sha256Hash?: unknown } } | undefined)?.persistedQuery;
  if (persisted === undefined || persisted === null) return undefined;
  if (persisted.version !== 1 || typeof persisted.sha256Hash !== 'string') {
    throw new DocumentRefused('BAD_REQUEST', 'extensions.persistedQuery must be { version: 1, sha256Hash: "<hex>" }', 400);
  }
  return persisted.sha256Hash.toLowerCase();
}

export function createTrustedDocuments(manifest: TrustedDocumentManifest, options: { only: boolean }): TrustedDocuments {
  const byId = new Map(manifest.operations.map((document) => [document.id, document.body]));
  return {
    size: byId.size,
    only: options.only,
    queryOf(request) {
      const text = typeof request.query === 'string' && request.query.length > 0 ? request.query : undefined;
      const id = requestedId(request);
      if (text === undefined) {
        if (id === undefined) throw new DocumentRefused('BAD_REQUEST', 'The request has neither a query nor a documentId', 400);
        const body = byId.get(id);
        if (body === undefined) {
          throw new DocumentRefused('PERSISTED_QUERY_NOT_FOUND', `No trusted document has the id ${id}: the gateway knows the operations of schema/operations only`, 200);
        }
        return body;
      }
      // Text sent with an id (an Apollo client registering a query) runs as text; the id is not stored.
      if (options.only && !byId.has(sha256(text))) {
        throw new DocumentRefused('PERSISTED_QUERY_NOT_IN_LIST', 'This gateway runs trusted documents only: send the documentId of one of the platform operations', 400);
      }
      return text;
    },
  };
}

/**
 * Puts the text of a trusted document into a POST /graphql body that names it, before ApolloServer
 * reads the body; refuses, with the error in GraphQL's shape, what `documents` refuses. A GET (which
 * ApolloServer serves for queries) is checked too when only trusted documents may run.
 */
export function trustedDocumentsCheck(documents: TrustedDocuments): GraphQLCallCheck {
  return (call) => {
    try {
      if (call.req.method === 'POST' && typeof call.body === 'object' && call.body !== null && !Array.isArray(call.body)) {
        const body = call.body as DocumentRequest & Record<string, unknown>;
        // Neither text nor id: ApolloServer answers that itself, as for any malformed request.
        if (body.query === undefined && body.documentId === undefined && requestedId(body) === undefined) return false;
        body.query = documents.queryOf(body);
        delete body.documentId;
        const extensions = body.extensions as Record<string, unknown> | undefined;
        if (extensions && 'persistedQuery' in extensions) {
          const { persistedQuery: _named, ...rest } = extensions;
          body.extensions = rest;
        }
      } else if (call.req.method === 'GET' && documents.only) {
        const query = new URLSearchParams(call.path.split('?')[1] ?? '').get('query');
        if (query !== null) documents.queryOf({ query });
      }
      return false;
    } catch (error) {
      if (!(error instanceof DocumentRefused)) throw error;
      sendJson(call.res, error.status, { errors: [{ message: error.message, extensions: { code: error.code } }] });
      return true;
    }
  };
}
