import {
  applicationStatuses,
  decideStatusTransition,
  isFinalStatus,
  listNextStatuses,
  pipelineStatuses,
  statusColumn,
  statusFromColumn,
  type ApplicationStatus,
} from './application-status.js';

const nonFinal = applicationStatuses.filter((status) => !isFinalStatus(status));

describe('decideStatusTransition for the employer side', () => {
  it('moves forward one step at a time or skipping steps', () => {
    for (const [i, from] of pipelineStatuses.entries()) {
      if (isFinalStatus(from)) continue;
      for (const to of pipelineStatuses.slice(i + 1)) {
        expect(decideStatusTransition(from, to, 'employer')).toEqual({ ok: true, from, to, isActive: to !== 'HIRED' });
      }
    }
    expect(decideStatusTransition('PENDING', 'HIRED', 'employer')).toMatchObject({ ok: true, isActive: false });
  });

  it('never moves back, and says where it can go instead', () => {
    const decision = decideStatusTransition('INTERVIEWING', 'REVIEWING', 'employer');
    expect(decision).toEqual({
      ok: false,
      reason: 'BACKWARD',
      errorCode: 'CONFLICT',
      message: 'An application only moves forward: it is INTERVIEWING, so it can move to OFFERED, HIRED or REJECTED, not back to REVIEWING.',
    });
    expect(decideStatusTransition('OFFERED', 'PENDING', 'employer')).toMatchObject({ ok: false, reason: 'BACKWARD' });
    expect(decideStatusTransition('REVIEWING', 'PENDING', 'employer')).toMatchObject({ ok: false, reason: 'BACKWARD' });
  });

  it('rejects from any status that is not final', () => {
    for (const from of nonFinal) {
      expect(decideStatusTransition(from, 'REJECTED', 'employer')).toEqual({ ok: true, from, to: 'REJECTED', isActive: false });
    }
  });

  it('refuses to set the status it already has', () => {
    expect(decideStatusTransition('REVIEWING', 'REVIEWING', 'employer')).toMatchObject({ ok: false, reason: 'ALREADY_IN_STATUS', errorCode: 'CONFLICT' });
  });

  it('may not withdraw on the applicant’s behalf', () => {
    const decision = decideStatusTransition('PENDING', 'WITHDRAWN', 'employer');
    expect(decision).toMatchObject({ ok: false, reason: 'NOT_PERMITTED_FOR_ACTOR', errorCode: 'FORBIDDEN' });
    expect(decision.ok || decision.message).toMatch(/REJECTED/);
  });
});

describe('decideStatusTransition for the applicant', () => {
  it('withdraws from any status that is not final', () => {
    for (const from of nonFinal) {
      expect(decideStatusTransition(from, 'WITHDRAWN', 'applicant')).toEqual({ ok: true, from, to: 'WITHDRAWN', isActive: false });
    }
  });

  it('may do nothing else', () => {
    for (const to of applicationStatuses.filter((status) => status !== 'WITHDRAWN')) {
      expect(decideStatusTransition('PENDING', to, 'applicant')).toMatchObject({ ok: false, reason: 'NOT_PERMITTED_FOR_ACTOR', errorCode: 'FORBIDDEN' });
    }
  });
});

describe('decideStatusTransition for the platform', () => {
  it('rejects any application that is not final, e.g. when its job closes', () => {
    for (const from of nonFinal) expect(decideStatusTransition(from, 'REJECTED', 'system')).toMatchObject({ ok: true, to: 'REJECTED' });
  });

  it('moves nothing along the pipeline', () => {
    expect(decideStatusTransition('PENDING', 'REVIEWING', 'system')).toMatchObject({ ok: false, reason: 'NOT_PERMITTED_FOR_ACTOR' });
    expect(decideStatusTransition('PENDING', 'WITHDRAWN', 'system')).toMatchObject({ ok: false, reason: 'NOT_PERMITTED_FOR_ACTOR' });
  });
});

describe('final statuses', () => {
  it('are HIRED, REJECTED and WITHDRAWN', () => {
    expect(applicationStatuses.filter(isFinalStatus)).toEqual(['HIRED', 'REJECTED', 'WITHDRAWN']);
  });

  it('change for nobody, and the refusal names the status', () => {
    for (const from of ['HIRED', 'REJECTED', 'WITHDRAWN'] as const) {
      for (const to of applicationStatuses) {
        for (const actor of ['applicant', 'employer', 'system'] as const) {
          const decision = decideStatusTransition(from, to, actor);
          expect(decision).toMatchObject({ ok: false, reason: 'FINAL_STATUS', errorCode: 'CONFLICT' });
          expect(decision.ok || decision.message).toContain(from);
        }
      }
    }
  });
});

describe('listNextStatuses', () => {
  it('agrees with decideStatusTransition for every status and actor', () => {
    for (const from of applicationStatuses) {
      for (const actor of ['applicant', 'employer', 'system'] as const) {
        const allowed = applicationStatuses.filter((to) => decideStatusTransition(from, to, actor).ok);
        expect(new Set(listNextStatuses(from, actor))).toEqual(new Set(allowed));
      }
    }
  });

  it('lists the employer side’s options in pipeline order', () => {
    expect(listNextStatuses('SHORTLISTED', 'employer')).toEqual(['INTERVIEWING', 'OFFERED', 'HIRED', 'REJECTED']);
    expect(listNextStatuses('HIRED', 'employer')).toEqual([]);
  });
});

describe('stored status values', () => {
  it('round-trip in lower case, as the seed stores them', () => {
    for (const status of applicationStatuses) expect(statusFromColumn(statusColumn(status))).toBe(status);
    expect(statusColumn('SHORTLISTED')).toBe('shortlisted');
  });

  it('refuse a value outside the list', () => {
    expect(() => statusFromColumn('archived')).toThrow(/unknown application status/);
    expect(() => statusFromColumn('' as ApplicationStatus)).toThrow();
  });
});
