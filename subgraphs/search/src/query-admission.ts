/**
 * Admits at most `limit` pieces of work at once; the others wait in arrival order, and each slot a
 * piece of work frees (however it ends) goes straight to the next in line. searchJobs' statements
 * pass through one: a broad search keeps a core busy for tens of milliseconds, and PostgreSQL
 * serves fewer of them a second when it runs many at once on a few cores than when they queue here.
 */
export function createQueryAdmission(limit: number) {
  if (!Number.isInteger(limit) || limit < 1) throw new Error(`the admission limit must be a whole number of at least 1, not ${limit}`);
  let running = 0;
  const waiting: (() => void)[] = [];
  return {
    async run<T>(work: () => Promise<T>): Promise<T> {
      if (running < limit) running += 1;
      else await new Promise<void>((admit) => waiting.push(admit));
      try {
        return await work();
      } finally {
        const next = waiting.shift();
        if (next) next();
        else running -= 1;
      }
    },
    /** How many run now and how many wait (what the tests read). */
    get load() {
      return { running, waiting: waiting.length };
    },
  };
}
