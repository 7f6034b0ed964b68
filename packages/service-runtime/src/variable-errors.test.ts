import { GraphQLError } from 'graphql';
import type { Logger } from '@jobplatform/config';
import { formatGraphQLError } from './errors.js';
import { fieldProblemsOfVariableError } from './variable-errors.js';

it.each([
  [
    'Variable "$input" got invalid value "31/12/2099" at "input.applicationDeadline"; Date cannot represent an invalid date-string 31/12/2099.',
    'input.applicationDeadline',
    'Date cannot represent an invalid date-string 31/12/2099.',
  ],
  ['Variable "$from" got invalid value "x"; Date cannot represent an invalid date-string x.', 'from', 'Date cannot represent an invalid date-string x.'],
  ['Variable "$input" got invalid value "a; b" at "input.skills[3].name"; String cannot represent "a; b".', 'input.skills.3.name', 'String cannot represent "a; b".'],
  [
    'Variable "$input" got invalid value { title: "x" }; Field "description" of required type "String!" was not provided.',
    'input',
    'Field "description" of required type "String!" was not provided.',
  ],
])('reads the field of %s', (message, field, reason) => {
  expect(fieldProblemsOfVariableError(message)).toEqual([{ field, message: reason }]);
});

it('reads nothing from other messages', () => {
  expect(fieldProblemsOfVariableError('Cannot query field "nope" on type "Query".')).toBeUndefined();
});

describe('formatGraphQLError', () => {
  const logger = { error: () => undefined } as unknown as Logger;
  const message = 'Variable "$input" got invalid value "2099-02-30" at "input.dateOfBirth"; Date cannot represent an invalid date-string 2099-02-30.';
  const fields = [{ field: 'input.dateOfBirth', message: 'Date cannot represent an invalid date-string 2099-02-30.' }];

  it("adds the field to Apollo Server's BAD_USER_INPUT for a refused variable", () => {
    const formatted = formatGraphQLError(logger)({ message, extensions: { code: 'BAD_USER_INPUT' } }, new GraphQLError(message));
    expect(formatted).toEqual({ message, extensions: { code: 'BAD_USER_INPUT', fields } });
  });

  it("makes the gateway's code-less refusal BAD_USER_INPUT with the field", () => {
    const formatted = formatGraphQLError(logger)({ message }, new GraphQLError(message));
    expect(formatted).toEqual({ message, extensions: { code: 'BAD_USER_INPUT', fields } });
  });
});
