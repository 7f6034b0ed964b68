import { createEnvelope, EventContractError } from '../envelope.js';

describe('company membership events', () => {
  const added = { companyId: '300', userId: '20', role: 'member', actorId: '21' } as const;

  it('keep the events of one company in order: the company is their aggregate', () => {
    expect(createEnvelope('jobs', 'jobs.company.member_added.v1', added)).toMatchObject({ aggregateId: '300' });
    expect(createEnvelope('jobs', 'jobs.company.member_updated.v1', { ...added, role: 'owner', previousRole: 'member' })).toMatchObject({ aggregateId: '300' });
    expect(createEnvelope('jobs', 'jobs.company.member_removed.v1', { ...added, reason: 'removed' })).toMatchObject({ aggregateId: '300' });
  });

  it('name a person for every addition, and let only the erasure saga act anonymously', () => {
    expect(() => createEnvelope('jobs', 'jobs.company.member_added.v1', { ...added, actorId: null } as never)).toThrow(/actorId/);
    expect(() => createEnvelope('jobs', 'jobs.company.member_updated.v1', { ...added, role: 'owner', previousRole: 'member', actorId: null })).not.toThrow();
    expect(() => createEnvelope('jobs', 'jobs.company.member_removed.v1', { ...added, actorId: null, reason: 'user_erased' })).not.toThrow();
    expect(() => createEnvelope('jobs', 'jobs.company.member_removed.v1', { ...added, actorId: null, reason: 'removed' })).toThrow(/actorId/);
    expect(() => createEnvelope('jobs', 'jobs.company.member_removed.v1', { ...added, reason: 'user_erased' })).toThrow(/actorId/);
  });

  it('say whether a member left or was removed by who acted', () => {
    expect(() => createEnvelope('jobs', 'jobs.company.member_removed.v1', { ...added, actorId: '20', reason: 'left' })).not.toThrow();
    expect(() => createEnvelope('jobs', 'jobs.company.member_removed.v1', { ...added, actorId: '20', reason: 'removed' })).toThrow(/reason/);
    expect(() => createEnvelope('jobs', 'jobs.company.member_removed.v1', { ...added, actorId: '21', reason: 'left' })).toThrow(/reason/);
  });

  it('refuses a role change that changes nothing and roles jobs does not have', () => {
    expect(() => createEnvelope('jobs', 'jobs.company.member_updated.v1', { ...added, previousRole: 'member' })).toThrow(/role/);
    expect(() => createEnvelope('jobs', 'jobs.company.member_added.v1', { ...added, role: 'admin' } as never)).toThrow(EventContractError);
  });
});
