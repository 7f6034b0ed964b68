import { decodeCursor, encodeCursor, pageSize, toConnection } from './connections.js';

type Row = { id: number; name: string };
const rows: Row[] = [1, 2, 3].map((id) => ({ id, name: `row ${id}` }));
const cursorOf = (row: Row) => encodeCursor([row.name, String(row.id)]);
const readKey = (values: string[]) => (values.length === 2 && /^\d+$/.test(values[1]!) ? { name: values[0]!, id: Number(values[1]) } : undefined);
const fieldOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return (error as { code: string; details: { fields: unknown } }).details.fields;
  }
  return undefined;
};

describe('pageSize', () => {
  it('is 20 when left out, and what was asked from 1 to 100', () => {
    expect(pageSize(undefined)).toBe(20);
    expect(pageSize(null)).toBe(20);
    expect(pageSize(100)).toBe(100);
  });

  it.each([0, 101, 2.5])('refuses %s as BAD_USER_INPUT naming the argument', (first) => {
    expect(fieldOf(() => pageSize(first))).toEqual([{ field: 'first', message: 'must be from 1 to 100' }]);
  });
});

describe('cursors', () => {
  it('read back the sort key they were written from', () => {
    expect(decodeCursor(cursorOf(rows[1]!), readKey)).toEqual({ name: 'row 2', id: 2 });
    expect(decodeCursor(undefined, readKey)).toBeUndefined();
  });

  it.each([
    ['not base64 JSON', 'x'],
    ['another shape', encodeCursor(['only one'])],
    ['values that are not strings', Buffer.from('[1,2]').toString('base64url')],
    ['an over-long cursor', 'a'.repeat(1001)],
  ])('refuse %s as BAD_USER_INPUT naming the argument', (_label, after) => {
    expect(fieldOf(() => decodeCursor(after, readKey, 'after'))).toEqual([{ field: 'after', message: 'is not a cursor from this list' }]);
  });
});

describe('toConnection', () => {
  it('takes a page of `size` rows and says more follow when the extra row is there', () => {
    const total = async () => 3;
    const page = toConnection(rows, 2, cursorOf, total);
    expect(page.edges.map((edge) => edge.node.id)).toEqual([1, 2]);
    expect(page.pageInfo).toEqual({ hasNextPage: true, endCursor: cursorOf(rows[1]!) });
    expect(page.edges[0]!.cursor).toBe(cursorOf(rows[0]!));
    expect(page.totalCount).toBe(total);
  });

  it('ends the list when no extra row came, and an empty page has no end cursor', () => {
    expect(toConnection(rows, 3, cursorOf, async () => 3).pageInfo).toEqual({ hasNextPage: false, endCursor: cursorOf(rows[2]!) });
    expect(toConnection([], 3, cursorOf, async () => 0).pageInfo).toEqual({ hasNextPage: false, endCursor: null });
  });
});
