import { createByIdLoader } from './by-id-loader.js';

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
