import { readFileSync } from 'node:fs';
import { Kind, parse, type OperationDefinitionNode } from 'graphql';
import { accountMail } from '../../subgraphs/users/test/start-users.js';
import { startPlatformForTest, type PlatformUnderTest } from './start-platform.js';

// The project's own client operations (schema/operations/), run through the gateway as a client would.
const operationsFile = new URL('../../schema/operations/users.graphql', import.meta.url);
const document = readFileSync(operationsFile, 'utf8');
const operationNames = parse(document)
  .definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)
  .map((d) => d.name!.value);

let platform: PlatformUnderTest;
const executed = new Set<string>();
beforeAll(async () => {
  platform = await startPlatformForTest();
});
afterAll(async () => {
  await platform.close();
});

async function run(operationName: string, variables: Record<string, unknown> = {}, token?: string) {
  executed.add(operationName);
  const response = await platform.gql(document, variables, { operationName, ...(token ? { token } : {}) });
  if (response.errors) throw new Error(`${operationName}: ${JSON.stringify(response.errors)}`);
  return response.data!;
}

/** The token of the nth mail of a kind to an address, as users sent it over SMTP. */
const mailedToken = async (email: string, kind: 'email_verification' | 'password_reset', nth = 1) => (await accountMail(platform.mail, email, kind, nth)).token;

it('serves the account lifecycle with the users operations', async () => {
  const email = `lifecycle-${Date.now()}@example.com`;
  const registered = (await run('Register', { input: { username: `life_${Date.now()}`, email, password: 'first password 1', firstName: 'Lin' } })).register;
  expect(registered.user).toMatchObject({ email, userType: 'JOB_SEEKER', isVerified: false });
  const id = registered.user.id as string;

  expect((await run('Me', {}, registered.accessToken)).me).toMatchObject({ id, email, firstName: 'Lin', lastLogin: null });

  const updated = (await run('UpdateProfile', { input: { phoneNumber: '+4915123456789', dateOfBirth: '1992-03-04', bio: 'Backend' } }, registered.accessToken)).updateProfile;
  expect(updated).toMatchObject({ id, phoneNumber: '+4915123456789', dateOfBirth: '1992-03-04', bio: 'Backend' });

  const publicView = (await run('PublicProfile', { id })).user;
  expect(publicView).toMatchObject({ id, firstName: 'Lin', bio: 'Backend', userType: 'JOB_SEEKER' });
  expect(publicView.email ?? null).toBeNull();

  // The registration mail got lost: a new one replaces it.
  expect((await run('RequestEmailVerification', {}, registered.accessToken)).requestEmailVerification).toBe(true);
  const lost = await mailedToken(email, 'email_verification', 1);
  expect((await run('VerifyEmail', { token: await mailedToken(email, 'email_verification', 2) })).verifyEmail).toEqual({ id, isVerified: true });
  expect((await platform.gql(document, { token: lost }, { operationName: 'VerifyEmail' })).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');

  const login = (await run('Login', { email, password: 'first password 1' })).login;
  expect(login.user).toMatchObject({ id, userType: 'JOB_SEEKER' });

  const refreshed = (await run('RefreshToken', { refreshToken: login.refreshToken })).refreshToken;
  expect(refreshed.refreshToken).not.toBe(login.refreshToken);

  expect((await run('ChangePassword', { currentPassword: 'first password 1', newPassword: 'second password 2' }, refreshed.accessToken)).changePassword).toBe(true);

  expect((await run('RequestPasswordReset', { email })).requestPasswordReset).toBe(true);
  expect((await run('ResetPassword', { token: await mailedToken(email, 'password_reset'), newPassword: 'third password 3' })).resetPassword).toBe(true);

  const again = (await run('Login', { email, password: 'third password 3' })).login;
  expect((await run('Logout', { refreshToken: again.refreshToken })).logout).toBe(true);

  const last = (await run('Login', { email, password: 'third password 3' })).login;
  expect((await run('DeleteMyAccount', { password: 'third password 3' }, last.accessToken)).deleteMyAccount).toBe(true);
  expect((await run('PublicProfile', { id })).user).toBeNull();
});

it('exercises every operation in schema/operations/users.graphql', () => {
  expect([...executed].sort()).toEqual([...operationNames].sort());
});
