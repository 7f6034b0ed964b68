import { idSchema, parseId, requireId } from './ids.js';

it.each([
  ['42', 42n],
  ['999999999999999999', 999999999999999999n],
  ['abc', undefined],
  ['-1', undefined],
  ['1.5', undefined],
  ['', undefined],
  ['1000000000000000000', undefined],
])('parseId(%s) is %s', (id, expected) => {
  expect(parseId(id)).toBe(expected);
});

it('requireId refuses garbage as BAD_USER_INPUT naming the argument', () => {
  expect(requireId('42', 'userId')).toBe(42n);
  expect(() => requireId('abc', 'userId')).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT', details: { fields: [{ field: 'userId', message: 'is not a valid id' }] } }));
});

it('idSchema parses an id inside an input', () => {
  expect(idSchema.parse('7')).toBe(7n);
  expect(idSchema.safeParse('x').error!.issues[0]!.message).toBe('is not a valid id');
});
