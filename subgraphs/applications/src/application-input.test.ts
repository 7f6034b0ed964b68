import { checkApplicantMayApply, checkJobAcceptsApplications, parseId, validateApplyInput, type JobOpening } from './application-input.js';

const now = new Date('2026-05-10T15:00:00Z');
const openJob: JobOpening = { isActive: true, applicationDeadline: null };
const validate = (input: Record<string, unknown>, job: JobOpening | undefined = openJob) => validateApplyInput({ jobId: '7', ...input }, { now, job });

describe('validateApplyInput', () => {
  it('accepts a full application and returns what is stored', () => {
    expect(validate({ coverLetter: '  I would love to.  ', expectedSalary: 85000.5, availabilityDate: '2026-06-01' })).toEqual({
      ok: true,
      values: { jobId: 7n, coverLetter: 'I would love to.', expectedSalary: '85000.50', availabilityDate: '2026-06-01' },
    });
  });

  it('accepts the job id alone; blank letters become null', () => {
    expect(validate({})).toEqual({ ok: true, values: { jobId: 7n, coverLetter: null, expectedSalary: null, availabilityDate: null } });
    expect(validate({ coverLetter: '   ', expectedSalary: null, availabilityDate: null })).toMatchObject({ ok: true, values: { coverLetter: null } });
  });

  it('accepts a salary of 0 and the largest DECIMAL(10,2)', () => {
    expect(validate({ expectedSalary: 0 })).toMatchObject({ ok: true, values: { expectedSalary: '0.00' } });
    expect(validate({ expectedSalary: 99_999_999.99 })).toMatchObject({ ok: true, values: { expectedSalary: '99999999.99' } });
  });

  it('refuses a negative, too large or too precise salary', () => {
    expect(validate({ expectedSalary: -1 })).toEqual({ ok: false, fields: [{ field: 'input.expectedSalary', message: 'must not be negative' }] });
    expect(validate({ expectedSalary: 100_000_000 })).toEqual({ ok: false, fields: [{ field: 'input.expectedSalary', message: 'must be at most 99,999,999.99' }] });
    expect(validate({ expectedSalary: 10.005 })).toEqual({ ok: false, fields: [{ field: 'input.expectedSalary', message: 'must have at most two decimals' }] });
  });

  it('counts the cover letter in characters as a reader does, up to 10,000', () => {
    expect(validate({ coverLetter: 'a'.repeat(10_000) })).toMatchObject({ ok: true });
    expect(validate({ coverLetter: '😀'.repeat(10_000) })).toMatchObject({ ok: true });
    expect(validate({ coverLetter: 'a'.repeat(10_001) })).toEqual({ ok: false, fields: [{ field: 'input.coverLetter', message: 'must be at most 10,000 characters' }] });
  });

  it('takes availability from today (UTC) on, as a string or a Date from the scalar', () => {
    expect(validate({ availabilityDate: '2026-05-10' })).toMatchObject({ ok: true, values: { availabilityDate: '2026-05-10' } });
    expect(validate({ availabilityDate: new Date('2026-07-01T00:00:00Z') })).toMatchObject({ ok: true, values: { availabilityDate: '2026-07-01' } });
    expect(validate({ availabilityDate: '2026-05-09' })).toEqual({ ok: false, fields: [{ field: 'input.availabilityDate', message: 'must not be in the past' }] });
    expect(validate({ availabilityDate: '2026-02-30' })).toEqual({ ok: false, fields: [{ field: 'input.availabilityDate', message: 'is not a real calendar date' }] });
    expect(validate({ availabilityDate: 'next week' })).toEqual({ ok: false, fields: [{ field: 'input.availabilityDate', message: 'must be a date as YYYY-MM-DD' }] });
    expect(validate({ availabilityDate: 20260601 })).toEqual({ ok: false, fields: [{ field: 'input.availabilityDate', message: 'must be a date as YYYY-MM-DD' }] });
  });

  it('reports every problem at once, job included', () => {
    const result = validate({ expectedSalary: -5, availabilityDate: '2020-01-01' }, { isActive: false, applicationDeadline: null });
    expect(result).toEqual({
      ok: false,
      fields: [
        { field: 'input.expectedSalary', message: 'must not be negative' },
        { field: 'input.availabilityDate', message: 'must not be in the past' },
        { field: 'input.jobId', message: 'is closed to applications' },
      ],
    });
  });

  it('refuses a job id that cannot exist without looking at the job', () => {
    expect(validateApplyInput({ jobId: 'abc' }, { now, job: undefined })).toEqual({ ok: false, fields: [{ field: 'input.jobId', message: 'is not a valid job id' }] });
  });
});

describe('checkJobAcceptsApplications', () => {
  it('takes applications for an open job up to and including its deadline day', () => {
    expect(checkJobAcceptsApplications(openJob, now)).toEqual([]);
    expect(checkJobAcceptsApplications({ isActive: true, applicationDeadline: '2026-05-10' }, now)).toEqual([]);
    expect(checkJobAcceptsApplications({ isActive: true, applicationDeadline: '2026-05-10' }, new Date('2026-05-10T23:59:59.999Z'))).toEqual([]);
  });

  it('refuses once the deadline day is over, naming the deadline', () => {
    expect(checkJobAcceptsApplications({ isActive: true, applicationDeadline: '2026-05-09' }, now)).toEqual([
      { field: 'input.jobId', message: 'stopped taking applications after its deadline, 2026-05-09' },
    ]);
  });

  it('refuses a closed, deleted or unknown job', () => {
    expect(checkJobAcceptsApplications({ isActive: false, applicationDeadline: null }, now)).toEqual([{ field: 'input.jobId', message: 'is closed to applications' }]);
    expect(checkJobAcceptsApplications({ isActive: true, applicationDeadline: null, deletedAt: now }, now)).toEqual([{ field: 'input.jobId', message: 'is not an existing job' }]);
    expect(checkJobAcceptsApplications(undefined, now)).toEqual([{ field: 'input.jobId', message: 'is not an existing job' }]);
  });
});

describe('checkApplicantMayApply', () => {
  it('lets an active job seeker apply', () => {
    expect(checkApplicantMayApply({ userType: 'job_seeker', isActive: true })).toBeUndefined();
  });

  it('refuses employers, admins, deactivated and not yet replicated accounts', () => {
    expect(checkApplicantMayApply({ userType: 'employer', isActive: true })).toEqual({ errorCode: 'FORBIDDEN', message: 'Only job seeker accounts can apply to jobs.' });
    expect(checkApplicantMayApply({ userType: 'admin', isActive: true })).toMatchObject({ errorCode: 'FORBIDDEN' });
    expect(checkApplicantMayApply({ userType: 'job_seeker', isActive: false })).toMatchObject({ errorCode: 'FORBIDDEN', message: expect.stringMatching(/deactivated/) });
    expect(checkApplicantMayApply({ userType: null, isActive: false })).toMatchObject({ errorCode: 'FORBIDDEN' });
    expect(checkApplicantMayApply(undefined)).toMatchObject({ errorCode: 'FORBIDDEN', message: expect.stringMatching(/try again/) });
  });
});

describe('helpers', () => {
  it('parses BIGINT ids and nothing else', () => {
    expect(parseId('42')).toBe(42n);
    for (const bad of ['', '-1', '1.5', '1e3', '9'.repeat(19), 42]) expect(parseId(bad)).toBeUndefined();
  });

  it('takes days in UTC: late evening west of Greenwich is already the next day', () => {
    const lateInChicago = new Date('2026-05-09T23:30:00-05:00');
    expect(checkJobAcceptsApplications({ isActive: true, applicationDeadline: '2026-05-09' }, lateInChicago)).toHaveLength(1);
  });
});
