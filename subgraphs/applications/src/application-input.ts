import { z } from 'zod';
import { calendarDateSchema, toCalendarDate, type FieldProblem } from '@jobplatform/service-runtime';

/** Rules for applying to a job: who may apply, to which job, and what an application may hold. */

export const MAX_COVER_LETTER_CHARACTERS = 10_000;
/** DECIMAL(10,2). */
export const MAX_EXPECTED_SALARY = 99_999_999.99;

/** The `ApplyToJobInput` as GraphQL hands it over; `availabilityDate` may arrive parsed by the Date scalar. */
export type ApplyToJobInput = {
  jobId: string;
  coverLetter?: string | null;
  expectedSalary?: number | null;
  availabilityDate?: string | Date | null;
};

/** What is stored: the salary as a DECIMAL(10,2) string ("85000.00"), the date as YYYY-MM-DD. */
export type ApplicationValues = {
  jobId: bigint;
  coverLetter: string | null;
  expectedSalary: string | null;
  availabilityDate: string | null;
};

/** The job as this service's jobs replica knows it. */
export type JobOpening = {
  isActive: boolean;
  /** Last day to apply as YYYY-MM-DD (UTC), or null for no deadline. */
  applicationDeadline: string | null;
  /** Set once jobs reported the job deleted. */
  deletedAt?: Date | null;
};

/** The would-be applicant as the users replica knows them. */
export type ApplicantAccount = {
  userType: 'job_seeker' | 'employer' | 'admin' | null;
  isActive: boolean;
};

export type ApplyRefusal = { errorCode: 'FORBIDDEN'; message: string };

/** A GraphQL ID that can be a BIGINT primary key, or undefined. */
export function parseId(id: unknown): bigint | undefined {
  return typeof id === 'string' && /^\d{1,18}$/.test(id) ? BigInt(id) : undefined;
}

/** Characters as a reader counts them (code points), not UTF-16 units: an emoji is one. */
export const characterCount = (text: string) => [...text].length;

const applyInputSchema = (today: string) =>
  z.object({
    jobId: z
      .string({ error: 'must be a job id' })
      .refine((id) => parseId(id) !== undefined, 'is not a valid job id')
      .transform((id) => parseId(id)!),
    coverLetter: z
      .string()
      .trim()
      .refine((text) => characterCount(text) <= MAX_COVER_LETTER_CHARACTERS, `must be at most ${MAX_COVER_LETTER_CHARACTERS.toLocaleString('en-US')} characters`)
      .transform((text) => (text === '' ? null : text))
      .nullish(),
    expectedSalary: z
      .number()
      .finite('must be a number')
      .min(0, 'must not be negative')
      .max(MAX_EXPECTED_SALARY, 'must be at most 99,999,999.99')
      .refine((value) => Math.abs(Math.round(value * 100) - value * 100) < 1e-6, 'must have at most two decimals')
      .transform((value) => value.toFixed(2))
      .nullish(),
    availabilityDate: calendarDateSchema.refine((date) => date >= today, 'must not be in the past').nullish(),
  });

/**
 * Only an active job seeker account applies. `account` is undefined when the users replica does not
 * know the account yet (it registered seconds ago): refused too, with a message that says to retry.
 */
export function checkApplicantMayApply(account: ApplicantAccount | undefined): ApplyRefusal | undefined {
  if (!account) return { errorCode: 'FORBIDDEN', message: 'Your account is not known to the applications service yet; try again in a few seconds.' };
  if (!account.isActive) return { errorCode: 'FORBIDDEN', message: 'This account is deactivated and cannot apply to jobs.' };
  if (account.userType !== 'job_seeker') return { errorCode: 'FORBIDDEN', message: 'Only job seeker accounts can apply to jobs.' };
  return undefined;
}

/**
 * Whether the job takes applications on the day of `now`: it exists, is open, and its deadline (the
 * last day to apply, inclusive) has not passed. Problems are reported on `input.jobId`.
 */
export function checkJobAcceptsApplications(job: JobOpening | null | undefined, now: Date): FieldProblem[] {
  const field = 'input.jobId';
  if (!job || job.deletedAt) return [{ field, message: 'is not an existing job' }];
  if (!job.isActive) return [{ field, message: 'is closed to applications' }];
  if (job.applicationDeadline !== null && job.applicationDeadline < toCalendarDate(now)) {
    return [{ field, message: `stopped taking applications after its deadline, ${job.applicationDeadline}` }];
  }
  return [];
}

/**
 * Validates an application's fields and the job it is for. `job` is the replica row of the job that
 * `input.jobId` names (the caller looks it up with parseId), or undefined when there is none. Every
 * problem is returned at once, each with its field path, so a form can mark all of them.
 */
export function validateApplyInput(
  input: unknown,
  context: { now: Date; job: JobOpening | null | undefined },
): { ok: true; values: ApplicationValues } | { ok: false; fields: FieldProblem[] } {
  const parsed = applyInputSchema(toCalendarDate(context.now)).safeParse(input);
  const fields: FieldProblem[] = parsed.success ? [] : parsed.error.issues.map((issue) => ({ field: ['input', ...issue.path.map(String)].join('.'), message: issue.message }));
  if (!fields.some((problem) => problem.field === 'input.jobId')) fields.push(...checkJobAcceptsApplications(context.job, context.now));
  if (!parsed.success || fields.length > 0) return { ok: false, fields };
  const { jobId, coverLetter, expectedSalary, availabilityDate } = parsed.data;
  return { ok: true, values: { jobId, coverLetter: coverLetter ?? null, expectedSalary: expectedSalary ?? null, availabilityDate: availabilityDate ?? null } };
}

/** The message for a second application to the same job (the UNIQUE of job and applicant). */
export const alreadyAppliedMessage = 'You have already applied to this job; an applicant can apply to a job once, even after withdrawing.';
