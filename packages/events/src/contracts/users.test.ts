import { createEnvelope, EventContractError, parseEnvelope } from '../envelope.js';

const state = { userId: '42', username: 'ada', email: 'ada@example.com', userType: 'job_seeker', isActive: true, isVerified: true } as const;

describe('users.user.registered.v1 and users.user.updated.v1', () => {
  it('carry first and last name beside the email', () => {
    const envelope = createEnvelope('users', 'users.user.updated.v1', { ...state, firstName: 'Ada', lastName: 'Lovelace' });
    expect(envelope.data).toEqual({ ...state, firstName: 'Ada', lastName: 'Lovelace' });
    expect(createEnvelope('users', 'users.user.registered.v1', { ...state, firstName: null, lastName: 'Lovelace', dateJoined: '2026-01-02T03:04:05.000Z' }).data).toMatchObject({
      firstName: null,
      lastName: 'Lovelace',
    });
  });

  it('read an event written before names were carried as one without names', () => {
    const older = createEnvelope('users', 'users.user.updated.v1', state);
    expect(older.data).toMatchObject({ firstName: null, lastName: null });
    const { data: _data, ...rest } = older;
    const parsed = parseEnvelope('users.user.updated.v1', JSON.stringify({ ...rest, data: state }));
    expect(parsed).toMatchObject({ ok: true, envelope: { data: { ...state, firstName: null, lastName: null } } });
  });

  it('hold names to what users stores: at most 150 characters', () => {
    expect(() => createEnvelope('users', 'users.user.updated.v1', { ...state, firstName: 'x'.repeat(151) })).toThrow(/firstName/);
    expect(() => createEnvelope('users', 'users.user.updated.v1', { ...state, lastName: 42 } as never)).toThrow(EventContractError);
  });
});
