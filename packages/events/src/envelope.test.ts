import { decodeTime } from 'ulid';
import { createEnvelope, EventContractError, parseEnvelope } from './envelope.js';
import { eventContracts, userErasureCompletedSubject, userErasureParticipants } from './contracts/index.js';
import { createChildTraceparent, isTraceparent, traceIdOf } from './trace-context.js';

const user = { userId: '42', username: 'ada', email: 'ada@example.com', userType: 'employer', isActive: true, isVerified: false } as const;

it('builds envelopes with sortable unique ids, the aggregate id and a trace', () => {
  const before = Date.now();
  const envelopes = Array.from({ length: 1_000 }, () => createEnvelope('users', 'users.user.updated.v1', user));
  expect(new Set(envelopes.map((e) => e.id)).size).toBe(1_000);
  expect(envelopes.map((e) => e.id)).toEqual(envelopes.map((e) => e.id).sort());
  expect(decodeTime(envelopes[0]!.id)).toBeGreaterThanOrEqual(before);
  expect(envelopes[0]).toMatchObject({ type: 'users.user.updated.v1', source: 'users', aggregateId: '42', data: user });
  expect(isTraceparent(envelopes[0]!.traceparent)).toBe(true);
});

it('keeps the trace it is given and refuses data that breaks the contract', () => {
  const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
  expect(createEnvelope('users', 'users.user.updated.v1', user, { traceparent }).traceparent).toBe(traceparent);
  expect(() => createEnvelope('users', 'users.user.updated.v1', { ...user, userType: 'pirate' } as never)).toThrow(EventContractError);
  expect(() => createEnvelope('users', 'users.user.deleted.v1', { userId: '12abc', requestedAt: new Date().toISOString() })).toThrow(/userId/);
});

it('parses what it built, and says why it rejects the rest', () => {
  const envelope = createEnvelope('users', 'users.user.updated.v1', user);
  const json = JSON.stringify(envelope);
  expect(parseEnvelope('users.user.updated.v1', json)).toEqual({ ok: true, envelope });
  expect(parseEnvelope('users.user.registered.v1', json)).toMatchObject({ ok: false, reason: expect.stringMatching(/arrived on subject/) });
  expect(parseEnvelope('users.user.updated.v1', '{')).toMatchObject({ ok: false, reason: expect.stringMatching(/not JSON/) });
  expect(parseEnvelope('users.user.updated.v1', JSON.stringify({ ...envelope, data: { ...user, email: 'nope' } }))).toMatchObject({
    ok: false,
    reason: expect.stringMatching(/email/),
  });
  expect(parseEnvelope('users.user.updated.v1', JSON.stringify({ ...envelope, id: 'x' }))).toMatchObject({ ok: false, reason: expect.stringMatching(/ULID/) });
});

it('continues a trace in handlers: same trace id, new span', () => {
  const parent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
  const child = createChildTraceparent(parent);
  expect(traceIdOf(child)).toBe(traceIdOf(parent));
  expect(child).not.toBe(parent);
  expect(isTraceparent(createChildTraceparent('garbage'))).toBe(true);
});

it('gives every erasure participant a reply subject that users consumes', () => {
  for (const service of userErasureParticipants) {
    const contract = eventContracts[userErasureCompletedSubject(service)];
    expect(contract).toMatchObject({ producer: service, consumers: ['users'] });
    expect(eventContracts['users.user.deleted.v1'].consumers).toContain(service);
  }
  for (const [subject, contract] of Object.entries(eventContracts)) {
    expect(subject).toMatch(/^[a-z_]+\.[a-z_]+\.[a-z_]+\.v\d+$/);
    expect(subject.startsWith(`${contract.producer}.`)).toBe(true);
  }
});
