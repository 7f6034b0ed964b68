import { AppError } from './errors.js';
import { invalidField, invalidInput } from './field-errors.js';

it('names one field in the message and in extensions.fields', () => {
  const error = invalidField('input.companyId', 'is not an existing company');
  expect(error).toBeInstanceOf(AppError);
  expect(error.toGraphQLError().toJSON()).toEqual({
    message: 'Invalid input. input.companyId: is not an existing company',
    extensions: { code: 'BAD_USER_INPUT', fields: [{ field: 'input.companyId', message: 'is not an existing company' }] },
  });
});

it('lists each field once with its problems, and every problem in fields', () => {
  const problems = [
    { field: 'password', message: 'must be at least 10 characters' },
    { field: 'input.title', message: 'must not be empty' },
    { field: 'password', message: 'must not be the username' },
    { field: '', message: 'give at least one field to change' },
  ];
  const error = invalidInput(problems);
  expect(error.message).toBe(
    'Invalid input. password: must be at least 10 characters, must not be the username; input.title: must not be empty; give at least one field to change',
  );
  expect(error.details.fields).toEqual(problems);
});
