import { randomFraction, randomHex } from './random-bytes.js';

it('hands out fresh random bytes across refills of its buffer', () => {
  const ids = Array.from({ length: 2_000 }, () => randomHex(8)); // 16 KB: four refills
  expect(ids.every((id) => /^[0-9a-f]{16}$/.test(id))).toBe(true);
  expect(new Set(ids).size).toBe(ids.length);
  const fractions = Array.from({ length: 5_000 }, randomFraction);
  expect(fractions.every((f) => f >= 0 && f < 1)).toBe(true);
  expect(new Set(fractions).size).toBe(256); // every byte value turns up
});
