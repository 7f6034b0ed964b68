import { z } from 'zod';
import { invalidInput } from './field-errors.js';

/**
 * Parses a mutation's arguments with a zod schema. A failure becomes one BAD_USER_INPUT error that
 * lists every problem with its field path (prefixed by the argument name, e.g. input.email), so a
 * client can mark each field of a form.
 */
export function validateInput<T extends z.ZodType>(schema: T, value: unknown, argumentName?: string): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const fields = result.error.issues.map((issue) => ({
    field: [...(argumentName ? [argumentName] : []), ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
  throw invalidInput(fields);
}

/** An absolute http(s) URL of at most 255 characters (the seed's VARCHAR(255) URL columns). */
export const httpUrlSchema = z
  .string()
  .trim()
  .max(255, 'must be at most 255 characters')
  .refine((value) => {
    try {
      return ['http:', 'https:'].includes(new URL(value).protocol);
    } catch {
      return false;
    }
  }, 'must be an http(s) URL');
