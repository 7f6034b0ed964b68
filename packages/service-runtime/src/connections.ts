import { invalidField } from './field-errors.js';

/** Where a page of a list ends (the SDL's PageInfo). */
export type PageInfo = { hasNextPage: boolean; endCursor: string | null };

/** A node of a page, with the cursor that points just after it. */
export type Edge<Node> = { cursor: string; node: Node };

/** One page of a list, in the connection shape; the total is counted only when a client asks for it. */
export type Connection<Node> = { edges: Edge<Node>[]; pageInfo: PageInfo; totalCount: () => Promise<number> };

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** Long enough for any sort key a list pages on; longer input is refused unread. */
const MAX_CURSOR_LENGTH = 1000;

/** Validates `first`: 1 to MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE when left out. */
export function pageSize(first: number | null | undefined, field = 'first'): number {
  const size = first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) throw invalidField(field, `must be from 1 to ${MAX_PAGE_SIZE}`);
  return size;
}

/** An opaque cursor holding the sort key of the row a page ends at, each value as a string. */
export function encodeCursor(key: readonly string[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/**
 * The sort key in an `after` argument, as `readKey` makes it of the strings that encodeCursor was
 * given (undefined when they are not a key of this list). Anything else is BAD_USER_INPUT naming
 * `field`, so a client cannot page from a made-up position.
 */
export function decodeCursor<Key>(after: string | null | undefined, readKey: (values: string[]) => Key | undefined, field = 'after'): Key | undefined {
  if (after === null || after === undefined) return undefined;
  const invalid = () => invalidField(field, 'is not a cursor from this list');
  if (after.length > MAX_CURSOR_LENGTH) throw invalid();
  let values: unknown;
  try {
    values = JSON.parse(Buffer.from(after, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(values) || !values.every((value) => typeof value === 'string')) throw invalid();
  const key = readKey(values);
  if (key === undefined) throw invalid();
  return key;
}

/**
 * A page from up to size + 1 rows in list order: the extra row only says that more follow. Each
 * edge's cursor is `cursorOf` its node (encodeCursor of its sort key).
 */
export function toConnection<Node>(rows: readonly Node[], size: number, cursorOf: (node: Node) => string, totalCount: () => Promise<number>): Connection<Node> {
  const edges = rows.slice(0, size).map((node) => ({ cursor: cursorOf(node), node }));
  return { edges, pageInfo: { hasNextPage: rows.length > size, endCursor: edges.at(-1)?.cursor ?? null }, totalCount };
}
