import type { FieldProblem } from './errors.js';

/**
 * graphql-js refuses a variable before any resolver runs (a scalar that cannot parse it, a missing
 * input field), saying where in a sentence: `Variable "$input" got invalid value "31/12/2099" at
 * "input.applicationDeadline"; Date cannot represent an invalid date-string 31/12/2099.`
 * A quoted value is matched whole, so a `; ` inside it does not end it.
 */
const VARIABLE_ERROR = /^Variable "\$(\w+)" got invalid value (?:"(?:[^"\\]|\\.)*"|.*?)(?: at "(\1(?:\.\w+|\[\d+\])*)")?; (.+)$/s;

/**
 * The field such a refusal names, written as validateInput writes paths (`input.skills.0.name`), with
 * its reason; undefined for any other message.
 */
export function fieldProblemsOfVariableError(message: string): FieldProblem[] | undefined {
  const match = VARIABLE_ERROR.exec(message);
  if (!match) return undefined;
  const [, variable, path, reason] = match;
  return [{ field: (path ?? variable!).replace(/\[(\d+)\]/g, '.$1'), message: reason! }];
}
