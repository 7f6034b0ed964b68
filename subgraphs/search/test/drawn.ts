/**
 * A small deterministic generator for the tests that put drawn documents and queries to both
 * PostgreSQL and the service's own code, so that a failure can be replayed from its seed.
 */
export function randomFrom(seed: number) {
  let state = seed;
  const next = () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  return {
    int,
    pick,
    /** Up to `most` of the items, without repeats. */
    some: <T>(items: readonly T[], most: number): T[] => [...new Set(Array.from({ length: int(0, most) }, () => pick(items)))],
    chance: (p: number) => next() < p,
  };
}

export type Random = ReturnType<typeof randomFrom>;

/**
 * What people type, in websearch syntax: one to `most` words, quoted phrases, `or`, negated words
 * and phrases, a word twice, punctuation.
 */
export function drawWebsearch(random: Random, word: () => string, most = 5): string {
  const parts = Array.from({ length: random.int(1, most) }, () => {
    const first = word();
    switch (random.int(0, 9)) {
      case 0:
        return `"${first} ${word()}${random.int(0, 1) ? ` ${word()}` : ''}"`;
      case 1:
        return `-${first}`;
      case 2:
        return `${first} or`;
      case 3:
        return `-"${first} ${word()}"`;
      case 4:
        return `${first} ${first}`;
      case 5:
        return `${first}!`;
      default:
        return first;
    }
  });
  return parts.join(' ');
}
