import { createQueryAdmission } from './query-admission.js';

/** Work that ends when the test says so. */
function gate() {
  let open: () => void = () => undefined;
  let fail: (error: Error) => void = () => undefined;
  const done = new Promise<void>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  return { done, open, fail };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

it('runs at most its limit at once, admits the waiting in arrival order, and frees a slot however the work ends', async () => {
  const admission = createQueryAdmission(2);
  const gates = [gate(), gate(), gate(), gate()];
  const started: number[] = [];
  const runs = gates.map((g, i) =>
    admission
      .run(async () => {
        started.push(i);
        await g.done;
        return i;
      })
      .catch((error: Error) => error.message),
  );
  await tick();
  expect(started).toEqual([0, 1]);
  expect(admission.load).toEqual({ running: 2, waiting: 2 });

  // A failed piece of work frees its slot too: the first in line starts.
  gates[1]!.fail(new Error('statement failed'));
  await tick();
  expect(started).toEqual([0, 1, 2]);
  expect(admission.load).toEqual({ running: 2, waiting: 1 });

  gates[0]!.open();
  await tick();
  expect(started).toEqual([0, 1, 2, 3]);
  gates[2]!.open();
  gates[3]!.open();
  expect(await Promise.all(runs)).toEqual([0, 'statement failed', 2, 3]);
  expect(admission.load).toEqual({ running: 0, waiting: 0 });
});

it('refuses a limit that would admit nothing', () => {
  expect(() => createQueryAdmission(0)).toThrow('at least 1');
});
