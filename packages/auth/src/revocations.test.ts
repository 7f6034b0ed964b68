import { ACCESS_TOKEN_MAX_AGE_MS, createRevocationList } from './revocations.js';

const at = Date.parse('2026-11-30T12:00:00.000Z');
const seconds = (ms: number) => Math.floor(ms / 1000);

describe('the revocation list', () => {
  it("refuses every token of a revoked sign-in, and no other sign-in's", () => {
    const list = createRevocationList({ now: () => at });
    list.add([{ id: '1', sessionId: 'family-a', userId: '7', notBefore: new Date(at).toISOString() }]);
    expect(list.isRevoked({ userId: '7', sessionId: 'family-a', issuedAt: seconds(at) + 60 })).toBe(true);
    expect(list.isRevoked({ userId: '7', sessionId: 'family-b', issuedAt: seconds(at) - 60 })).toBe(false);
    expect(list.isRevoked({ userId: '8', sessionId: undefined, issuedAt: seconds(at) - 60 })).toBe(false);
  });

  it("refuses an account's tokens issued before an account-wide revocation, whatever their sign-in", () => {
    const list = createRevocationList({ now: () => at });
    list.add([{ id: '2', sessionId: null, userId: '7', notBefore: new Date(at + 500).toISOString() }]);
    expect(list.isRevoked({ userId: '7', sessionId: 'family-a', issuedAt: seconds(at) - 600 })).toBe(true);
    expect(list.isRevoked({ userId: '7', sessionId: undefined, issuedAt: undefined })).toBe(true);
    // iat counts whole seconds: the revocation's own second counts as before it.
    expect(list.isRevoked({ userId: '7', sessionId: 'family-a', issuedAt: seconds(at) })).toBe(true);
    expect(list.isRevoked({ userId: '7', sessionId: 'family-c', issuedAt: seconds(at) + 2 })).toBe(false);
    expect(list.isRevoked({ userId: '9', sessionId: 'family-a', issuedAt: seconds(at) - 600 })).toBe(false);
  });

  it('takes a revocation delivered twice once, and forgets revocations once the tokens they name have expired', () => {
    let now = at;
    const list = createRevocationList({ now: () => now });
    const revocation = { id: '3', sessionId: 'family-a', userId: '7', notBefore: new Date(at).toISOString() };
    list.add([revocation, revocation]);
    expect(list.size()).toBe(1);
    now = at + ACCESS_TOKEN_MAX_AGE_MS + 3 * 60_000;
    expect(list.isRevoked({ userId: '7', sessionId: 'family-a', issuedAt: seconds(at) })).toBe(false);
    expect(list.size()).toBe(0);
  });
});
