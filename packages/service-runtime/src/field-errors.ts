import { AppError, type FieldProblem } from './errors.js';

/**
 * BAD_USER_INPUT that names each field at fault in `extensions.fields`, so a client can mark them
 * on its form. The message lists them too, each field once with its problems:
 * `Invalid input. input.password: must be at least 10 characters, must not be the username`.
 */
export function invalidInput(problems: readonly FieldProblem[]): AppError {
  const byField = new Map<string, string[]>();
  for (const { field, message } of problems) byField.set(field, [...(byField.get(field) ?? []), message]);
  const summary = [...byField].map(([field, messages]) => (field ? `${field}: ${messages.join(', ')}` : messages.join(', '))).join('; ');
  return new AppError('BAD_USER_INPUT', `Invalid input. ${summary}`, { fields: [...problems] });
}

/** BAD_USER_INPUT for one field, e.g. `invalidField('input.companyId', 'is not an existing company')`. */
export function invalidField(field: string, message: string): AppError {
  return invalidInput([{ field, message }]);
}
