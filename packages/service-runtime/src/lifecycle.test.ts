import { createLifecycle } from './lifecycle.js';

it('closes parts once, last started first, however often close() is called', async () => {
  const closed: string[] = [];
  const lifecycle = createLifecycle();
  for (const name of ['database', 'nats', 'relay', 'http'])
    await lifecycle.start(
      name,
      () => name,
      () => void closed.push(name),
    );
  await Promise.all([lifecycle.close(), lifecycle.close()]);
  await lifecycle.close();
  expect(closed).toEqual(['http', 'relay', 'nats', 'database']);
});

it('keeps closing the other parts when one fails to close', async () => {
  const closed: string[] = [];
  const lifecycle = createLifecycle();
  await lifecycle.start(
    'a',
    () => 'a',
    () => void closed.push('a'),
  );
  await lifecycle.start(
    'b',
    () => 'b',
    () => {
      throw new Error('stuck');
    },
  );
  await lifecycle.start(
    'c',
    () => 'c',
    () => void closed.push('c'),
  );
  await lifecycle.close();
  expect(closed).toEqual(['c', 'a']);
});

it('refuses to start a part once closing has begun, and closes a part that finished opening meanwhile', async () => {
  const closed: string[] = [];
  const lifecycle = createLifecycle();
  let finishOpening!: () => void;
  const opening = lifecycle.start(
    'slow',
    () => new Promise<string>((resolve) => (finishOpening = () => resolve('slow'))),
    () => void closed.push('slow'),
  );
  const closing = lifecycle.close();
  finishOpening();
  await expect(opening).rejects.toThrow(/shutting down/);
  await closing;
  expect(closed).toEqual(['slow']);
  await expect(lifecycle.start('late', () => 'late')).rejects.toThrow(/cannot start late/);
});

it('gives up waiting at the deadline', async () => {
  const lifecycle = createLifecycle({ closeDeadlineMs: 100 });
  await lifecycle.start(
    'hangs',
    () => 'x',
    () => new Promise(() => undefined),
  );
  const started = Date.now();
  await lifecycle.close();
  expect(Date.now() - started).toBeLessThan(2_000);
});
