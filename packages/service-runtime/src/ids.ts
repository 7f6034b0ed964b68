import { z } from 'zod';
import { invalidField } from './field-errors.js';

/** Primary keys are BIGINT: digits only, and at most 18 of them so that any such string fits. */
const DATABASE_ID = /^\d{1,18}$/;

/** A GraphQL ID as a primary key, or undefined when it cannot be one (so nothing has that id). */
export function parseId(id: string): bigint | undefined {
  return DATABASE_ID.test(id) ? BigInt(id) : undefined;
}

/** A GraphQL ID argument as a primary key, or BAD_USER_INPUT naming `field` ("is not a valid id"). */
export function requireId(id: string, field: string): bigint {
  const parsed = parseId(id);
  if (parsed === undefined) throw invalidField(field, 'is not a valid id');
  return parsed;
}

/** The same rule inside an input schema, e.g. `companyId: idSchema`. */
export const idSchema = z
  .string()
  .regex(DATABASE_ID, 'is not a valid id')
  .transform((id) => BigInt(id));
