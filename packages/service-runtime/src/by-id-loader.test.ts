import { createByIdLoader, createGroupedLoader, groupBy, once } from './by-id-loader.js';

it('loads the ids of one tick in one query, in the order asked, null for a missing id', async () => {
  const queries: bigint[][] = [];
  const loader = createByIdLoader(async (ids) => {
    queries.push(ids);
    return ids.filter((id) => id !== 3n).map((id) => ({ id, name: `row ${id}` }));
  });
  const rows = await Promise.all([loader.load(2n), loader.load(1n), loader.load(3n), loader.load(2n)]);
  expect(rows).toEqual([{ id: 2n, name: 'row 2' }, { id: 1n, name: 'row 1' }, null, { id: 2n, name: 'row 2' }]);
  expect(queries).toEqual([[2n, 1n, 3n]]);
});

it('loads rows by another key in one query per tick, null where a key has no row', async () => {
  const queries: bigint[][] = [];
  const loader = createByIdLoader(
    async (ids) => {
      queries.push(ids);
      return ids.filter((id) => id !== 3n).map((id) => ({ userId: id, name: `u${id}` }));
    },
    (row) => row.userId,
  );
  const rows = await Promise.all([1n, 2n, 3n, 2n].map((id) => loader.load(id)));
  expect(rows.map((row) => row?.name ?? null)).toEqual(['u1', 'u2', null, 'u2']);
  expect(queries).toEqual([[1n, 2n, 3n]]);
});

it('groups the rows of each key in query order, empty for a key without rows, shaped on request', async () => {
  const loader = createGroupedLoader(
    async () => [
      { parent: 1n, n: 'a' },
      { parent: 2n, n: 'b' },
      { parent: 1n, n: 'c' },
    ],
    (row) => row.parent,
    (rows) => rows.map((row) => row.n).join(''),
  );
  expect(await Promise.all([loader.load(1n), loader.load(2n), loader.load(9n)])).toEqual(['ac', 'b', '']);
});

it('groupBy keeps order and once runs its load a single time', async () => {
  expect([...groupBy([3n, 1n, 3n], (n) => n % 2n).entries()]).toEqual([[1n, [3n, 1n, 3n]]]);
  let runs = 0;
  const memo = once(async () => ++runs);
  expect(await Promise.all([memo(), memo()])).toEqual([1, 1]);
  expect(runs).toBe(1);
});
