import { z } from 'zod';
import { idSchema, invalidField, validateInput } from '@jobplatform/service-runtime';

/** The longest query accepted, in characters once trimmed. */
export const MAX_QUERY_LENGTH = 200;

const jobTypes = ['FULL_TIME', 'PART_TIME', 'CONTRACT', 'INTERNSHIP', 'FREELANCE'] as const;
const experienceLevels = ['ENTRY', 'MID', 'SENIOR', 'EXECUTIVE'] as const;
const maxAmount = 99_999_999.99;

const idList = z.array(idSchema).max(20, 'must list at most 20 ids');

/** `JobSearchFilter` as the SDL has it; the rules a search and a saved search share. */
export const jobSearchFilterSchema = z
  .object({
    jobTypes: z.array(z.enum(jobTypes)).nullish(),
    experienceLevels: z.array(z.enum(experienceLevels)).nullish(),
    isRemote: z.boolean().nullish(),
    location: z.string().trim().max(255, 'must be at most 255 characters').nullish(),
    categoryIds: idList.nullish(),
    skillIds: idList.nullish(),
    companyIds: idList.nullish(),
    salaryMin: z.number().min(0, 'must not be negative').max(maxAmount, 'must be at most 99,999,999.99').nullish(),
    salaryMax: z.number().min(0, 'must not be negative').max(maxAmount, 'must be at most 99,999,999.99').nullish(),
    salaryCurrency: z
      .string()
      .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR')
      .nullish(),
    postedWithinDays: z.number().int().min(1, 'must be from 1 to 365').max(365, 'must be from 1 to 365').nullish(),
  })
  .superRefine((filter, ctx) => {
    if ((filter.salaryMin != null || filter.salaryMax != null) && filter.salaryCurrency == null) {
      ctx.addIssue({ code: 'custom', path: ['salaryCurrency'], message: 'is required with salaryMin or salaryMax: amounts in different currencies do not compare' });
    }
    if (filter.salaryMin != null && filter.salaryMax != null && filter.salaryMin > filter.salaryMax) {
      ctx.addIssue({ code: 'custom', path: ['salaryMax'], message: 'must not be below salaryMin' });
    }
  });

type ParsedFilter = z.output<typeof jobSearchFilterSchema>;

/** A filter as the SQL reads it: database values, empty lists for "any". */
export type JobFilter = {
  jobTypes: string[];
  experienceLevels: string[];
  isRemote: boolean | undefined;
  location: string | undefined;
  categoryIds: bigint[];
  skillIds: bigint[];
  companyIds: bigint[];
  salaryMin: number | undefined;
  salaryMax: number | undefined;
  salaryCurrency: string | undefined;
  postedWithinDays: number | undefined;
};

const lower = (values: readonly string[] | null | undefined) => [...new Set((values ?? []).map((value) => value.toLowerCase()))];
const orUndefined = <T>(value: T | null | undefined) => (value === null ? undefined : value);

function toJobFilter(parsed: ParsedFilter): JobFilter {
  return {
    jobTypes: lower(parsed.jobTypes),
    experienceLevels: lower(parsed.experienceLevels),
    isRemote: orUndefined(parsed.isRemote),
    location: parsed.location ? parsed.location : undefined,
    categoryIds: [...new Set(parsed.categoryIds ?? [])],
    skillIds: [...new Set(parsed.skillIds ?? [])],
    companyIds: [...new Set(parsed.companyIds ?? [])],
    salaryMin: orUndefined(parsed.salaryMin),
    salaryMax: orUndefined(parsed.salaryMax),
    salaryCurrency: orUndefined(parsed.salaryCurrency),
    postedWithinDays: orUndefined(parsed.postedWithinDays),
  };
}

/**
 * The filter fields that were given, as the client wrote them (null and empty lists dropped): what
 * history and saved searches keep, and give back as `filters`.
 */
export function filterAsGiven(filter: Record<string, unknown> | null | undefined): Record<string, unknown> {
  return Object.fromEntries(Object.entries(filter ?? {}).filter(([, value]) => value !== null && value !== undefined && !(Array.isArray(value) && value.length === 0)));
}

/**
 * Any text is a query: control characters (NUL would break PostgreSQL's text) become spaces and
 * runs of white space one space. What the full-text parser makes of operators and punctuation is
 * its business (websearch_to_tsquery never fails on syntax), so nothing else is refused.
 */
export function normaliseQuery(query: string | null | undefined, field = 'query'): string {
  const text = (query ?? '')
    // eslint-disable-next-line no-control-regex -- control characters are what it removes
    .replace(/[\u0000-\u001f\u007f]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (text.length > MAX_QUERY_LENGTH) throw invalidField(field, `must be at most ${MAX_QUERY_LENGTH} characters`);
  return text;
}

/** The key analytics counts a query under: lower case, so "React" and "react" are one query. */
export const analyticsKeyOf = (query: string) => query.toLowerCase();

export function parseJobFilter(filter: unknown, field = 'filter'): JobFilter {
  return toJobFilter(validateInput(jobSearchFilterSchema, filter ?? {}, field));
}

/** Whether a filter narrows anything. */
export const isEmptyFilter = (filter: JobFilter) =>
  filter.jobTypes.length === 0 &&
  filter.experienceLevels.length === 0 &&
  filter.isRemote === undefined &&
  filter.location === undefined &&
  filter.categoryIds.length === 0 &&
  filter.skillIds.length === 0 &&
  filter.companyIds.length === 0 &&
  filter.salaryMin === undefined &&
  filter.salaryMax === undefined &&
  filter.salaryCurrency === undefined &&
  filter.postedWithinDays === undefined;

/** `LIKE` pattern text that matches the value literally. */
export const escapeLike = (value: string) => value.replace(/[\\%_]/g, (char) => `\\${char}`);
