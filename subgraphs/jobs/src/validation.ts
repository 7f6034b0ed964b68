import { z } from 'zod';
import { calendarDateSchema, httpUrlSchema, idSchema } from '@jobplatform/service-runtime';

/** Field rules for the jobs service's inputs. Enums arrive validated by GraphQL in upper case. */

const text = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `must be at most ${max.toLocaleString('en-US')} characters`);
const requiredText = (max: number) => text(max).min(1, 'must not be empty');
/** Optional text: blank becomes null, so "clear it" has one representation. */
const optionalText = (max: number) =>
  text(max)
    .transform((v) => (v === '' ? null : v))
    .nullish();

/** ISO 4217 codes as the runtime's ICU knows them (about 300, historic codes included). */
const iso4217 = new Set(Intl.supportedValuesOf('currency'));
export const currencySchema = z
  .string()
  .trim()
  .transform((v) => v.toUpperCase())
  .refine((v) => /^[A-Z]{3}$/.test(v) && iso4217.has(v), 'must be an ISO 4217 currency code such as USD or EUR');

/** DECIMAL(10,2): 0 to 99,999,999.99 with at most two decimals. */
export const moneySchema = z
  .number()
  .finite('must be a number')
  .min(0, 'must not be negative')
  .max(99_999_999.99, 'must be at most 99,999,999.99')
  .refine((v) => Math.abs(Math.round(v * 100) - v * 100) < 1e-6, 'must have at most two decimals');

/** A day that is today (UTC, YYYY-MM-DD) or later, as the YYYY-MM-DD string. */
export const deadlineSchema = (today: string) =>
  calendarDateSchema.refine((day) => day >= today, 'must not be in the past').refine((day) => day <= '9999-12-31', 'is too far in the future');

const lower = <T extends string>(value: T) => value.toLowerCase() as Lowercase<T>;

export const companySizes = ['STARTUP', 'SMALL', 'MEDIUM', 'LARGE'] as const;
export const jobTypes = ['FULL_TIME', 'PART_TIME', 'CONTRACT', 'INTERNSHIP', 'FREELANCE'] as const;
export const experienceLevels = ['ENTRY', 'MID', 'SENIOR', 'EXECUTIVE'] as const;

export const companyInputSchema = (now: Date) =>
  z.object({
    name: requiredText(255),
    description: optionalText(10_000),
    website: httpUrlSchema.nullish(),
    logo: httpUrlSchema.nullish(),
    industry: optionalText(100),
    size: z.enum(companySizes).transform(lower).nullish(),
    foundedYear: z.number().int('must be a whole year').min(1600, 'must be 1600 or later').max(now.getUTCFullYear(), 'must not be in the future').nullish(),
    location: optionalText(255),
  });
export type CompanyInput = z.infer<ReturnType<typeof companyInputSchema>>;

/** Skills by name, merged regardless of letter case (required if any mention is required). */
const skillsSchema = z
  .array(z.object({ name: requiredText(100), isRequired: z.boolean().nullish() }))
  .max(50, 'must list at most 50 skills')
  .transform((skills) => {
    const byKey = new Map<string, { name: string; isRequired: boolean }>();
    for (const skill of skills) {
      const name = skill.name.replace(/\s+/g, ' ');
      const key = name.toLowerCase();
      const seen = byKey.get(key);
      byKey.set(key, { name: seen?.name ?? name, isRequired: (seen?.isRequired ?? false) || skill.isRequired === true });
    }
    return [...byKey.values()];
  });
export type SkillInput = z.infer<typeof skillsSchema>[number];

const categoryIdsSchema = z
  .array(idSchema)
  .max(10, 'must list at most 10 categories')
  .transform((ids) => [...new Set(ids)]);

const salaryOrder = (input: { salaryMin?: number | null; salaryMax?: number | null }) =>
  input.salaryMin === null || input.salaryMin === undefined || input.salaryMax === null || input.salaryMax === undefined || input.salaryMin <= input.salaryMax;

export const createJobInputSchema = (today: string) =>
  z
    .object({
      companyId: idSchema,
      title: requiredText(255),
      description: requiredText(20_000),
      requirements: optionalText(20_000),
      responsibilities: optionalText(20_000),
      jobType: z.enum(jobTypes).transform(lower).nullish(),
      experienceLevel: z.enum(experienceLevels).transform(lower).nullish(),
      salaryMin: moneySchema.nullish(),
      salaryMax: moneySchema.nullish(),
      salaryCurrency: currencySchema.nullish(),
      location: optionalText(255),
      isRemote: z.boolean().nullish(),
      applicationDeadline: deadlineSchema(today).nullish(),
      categoryIds: categoryIdsSchema.nullish(),
      skills: skillsSchema.nullish(),
    })
    .refine(salaryOrder, { path: ['salaryMax'], message: 'must not be below salaryMin' });
export type CreateJobInput = z.infer<ReturnType<typeof createJobInputSchema>>;

/** Nullable only where the column is: title, description and the enums cannot be cleared. */
export const updateJobInputSchema = (today: string) =>
  z
    .object({
      title: requiredText(255).optional(),
      description: requiredText(20_000).optional(),
      requirements: optionalText(20_000),
      responsibilities: optionalText(20_000),
      jobType: z.enum(jobTypes).transform(lower).optional(),
      experienceLevel: z.enum(experienceLevels).transform(lower).optional(),
      salaryMin: moneySchema.nullish(),
      salaryMax: moneySchema.nullish(),
      salaryCurrency: currencySchema.optional(),
      location: optionalText(255),
      isRemote: z.boolean().optional(),
      applicationDeadline: deadlineSchema(today).nullish(),
      categoryIds: categoryIdsSchema.optional(),
      skills: skillsSchema.optional(),
    })
    .refine((input) => Object.values(input).some((v) => v !== undefined), 'give at least one field to change')
    .refine(salaryOrder, { path: ['salaryMax'], message: 'must not be below salaryMin' });
export type UpdateJobInput = z.infer<ReturnType<typeof updateJobInputSchema>>;

export const jobCategoryInputSchema = z.object({
  name: requiredText(100),
  description: optionalText(2000),
  parentId: idSchema.nullish(),
});
export type JobCategoryInput = z.infer<typeof jobCategoryInputSchema>;

export const jobFilterSchema = z
  .object({
    jobTypes: z.array(z.enum(jobTypes).transform(lower)).max(jobTypes.length).nullish(),
    experienceLevels: z.array(z.enum(experienceLevels).transform(lower)).max(experienceLevels.length).nullish(),
    isRemote: z.boolean().nullish(),
    location: optionalText(255),
    salaryMin: moneySchema.nullish(),
    salaryMax: moneySchema.nullish(),
    salaryCurrency: currencySchema.nullish(),
    categoryId: idSchema.nullish(),
    skillId: idSchema.nullish(),
    companyId: idSchema.nullish(),
    isActive: z.boolean().nullish(),
  })
  .refine(salaryOrder, { path: ['salaryMax'], message: 'must not be below salaryMin' });
export type JobFilter = z.infer<typeof jobFilterSchema>;

export const skillSearchSchema = z.string().trim().max(100, 'must be at most 100 characters');
