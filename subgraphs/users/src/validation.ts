import { z } from 'zod';
import { calendarDateSchema, httpUrlSchema } from '@jobplatform/service-runtime';

/** Field rules shared by registration and profile updates. */
export const usernameSchema = z
  .string()
  .trim()
  .min(3, 'must be at least 3 characters')
  .max(150, 'must be at most 150 characters')
  .regex(/^[A-Za-z0-9._-]+$/, "may contain only letters, digits, '.', '-' and '_'");

export const emailSchema = z
  .string()
  .trim()
  .max(254, 'must be at most 254 characters')
  .pipe(z.email({ message: 'must be a valid email address' }))
  .transform((email) => email.toLowerCase());

const nameSchema = z.string().trim().max(150, 'must be at most 150 characters');

/** E.164: a plus sign, then up to 15 digits, the first not zero. */
export const phoneNumberSchema = z
  .string()
  .trim()
  .transform((v) => v.replace(/[\s()-]/g, ''))
  .pipe(z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 number such as +14155550123'));

/** A day, as the YYYY-MM-DD string that is stored (encrypted). */
export const dateOfBirthSchema = calendarDateSchema
  .refine((day) => new Date(`${day}T00:00:00Z`) < new Date(), 'must be in the past')
  .refine((day) => day >= '1900-01-01', 'must be after 1900');

export const registerInputSchema = z.object({
  username: usernameSchema,
  email: emailSchema,
  password: z.string(),
  firstName: nameSchema.nullish(),
  lastName: nameSchema.nullish(),
  userType: z.enum(['JOB_SEEKER', 'EMPLOYER']).nullish(),
});

export const updateProfileInputSchema = z
  .object({
    firstName: nameSchema.nullish(),
    lastName: nameSchema.nullish(),
    phoneNumber: phoneNumberSchema.nullish(),
    dateOfBirth: dateOfBirthSchema.nullish(),
    profilePicture: httpUrlSchema.nullish(),
    bio: z.string().max(2000, 'must be at most 2,000 characters').nullish(),
  })
  .refine((input) => Object.keys(input).length > 0, 'give at least one field to change');

/** A token from an email: never longer than what we issue, so junk is refused before any lookup. */
export const secretTokenSchema = z.string().trim().min(16, 'is not a valid token').max(128, 'is not a valid token');
