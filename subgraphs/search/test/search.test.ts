import { errorCodeOf, startPlatformForTest, waitFor, type PlatformUnderTest } from '@jobplatform/testing';
import { erasureParticipants } from '@jobplatform/config';

// users and search behind the real gateway, each on its own migrated database, sharing one nats-server.

let platform: PlatformUnderTest;

const ADD = 'mutation AddSearchItem($title: String!) { addSearchItem(title: $title) { id title owner { id username } } }';

beforeAll(async () => {
  // Every participant runs: users erases the account once each of them has replied.
  platform = await startPlatformForTest({ services: [...erasureParticipants, 'search'] });
});
afterAll(async () => {
  await platform?.close();
});

it('adds an item and shows it on the owner through the gateway, to them alone', async () => {
  const owner = await platform.jobSeeker();
  const added = (await platform.ok(ADD, { title: '  First  ' }, owner)).addSearchItem;
  expect(added).toEqual({ id: expect.any(String), title: 'First', owner: { id: owner.id, username: owner.username } });

  const mine = await platform.ok('query Mine { me { id searchItems { id title } } }', {}, owner);
  expect(mine.me).toEqual({ id: owner.id, searchItems: [{ id: added.id, title: 'First' }] });
  expect((await platform.ok('query One($id: ID!) { searchItem(id: $id) { title } }', { id: added.id }, owner)).searchItem).toEqual({ title: 'First' });

  const other = await platform.jobSeeker();
  const seen = await platform.ok('query Theirs($user: ID!, $item: ID!) { user(id: $user) { searchItems { id } } searchItem(id: $item) { id } }', { user: owner.id, item: added.id }, other);
  expect(seen).toEqual({ user: { searchItems: [] }, searchItem: null });
});

it('refuses an anonymous add and an empty title', async () => {
  expect(errorCodeOf(await platform.gql(ADD, { title: 'x' }))).toBe('UNAUTHENTICATED');
  const account = await platform.jobSeeker();
  const empty = await platform.gql(ADD, { title: '   ' }, { token: account.accessToken });
  expect(errorCodeOf(empty)).toBe('BAD_USER_INPUT');
  expect(empty.errors![0]!.extensions!.fields).toEqual([{ field: 'title', message: 'must not be empty' }]);
});

it('takes part in account erasure: deleteMyAccount deletes what search holds, and users records its reply', async () => {
  expect(erasureParticipants).toContain('search');
  const account = await platform.jobSeeker();
  await platform.ok(ADD, { title: 'Goes with its owner' }, account);

  expect((await platform.ok('mutation($p: String!) { deleteMyAccount(password: $p) }', { p: account.password }, account)).deleteMyAccount).toBe(true);

  const erasures = platform.service('users').service.domain.erasure;
  const erased = await waitFor(
    'users to record the account erasure as completed',
    async () => ((await erasures.list(['completed'])) as { userId: string; completions: { service: string; summary: unknown }[] }[]).find((e) => e.userId === account.id),
    (found) => found !== undefined,
  );
  expect(erased!.completions.find((c) => c.service === 'search')?.summary).toEqual({ deletedItems: 1 });
  const left = await platform.service('search').db.query('SELECT count(*)::int AS n FROM search_items WHERE owner_id = $1', [account.id]);
  expect(left.rows[0]!.n).toBe(0);
});
