import { createDeliveryBudget, createResultStream } from './delivery-queue.js';

describe('createDeliveryBudget', () => {
  it('hands out at most its slots until one is given back', () => {
    const budget = createDeliveryBudget(2);
    expect([budget.take(), budget.take(), budget.take()]).toEqual([true, true, false]);
    budget.give();
    expect(budget.take()).toBe(true);
    expect(budget.inUse).toBe(2);
  });
});

describe('createResultStream', () => {
  it('reports a value as taken only when the consumer comes back for the next, and the rest as untaken at the end', async () => {
    const taken: number[] = [];
    const untaken: number[][] = [];
    const stream = createResultStream<number>({ onTaken: (value) => taken.push(value), onEnd: (values) => untaken.push(values) });
    stream.push(1);
    stream.push(2);
    stream.push(3);
    expect(await stream.next()).toEqual({ value: 1, done: false });
    expect(taken).toEqual([]);
    expect(await stream.next()).toEqual({ value: 2, done: false });
    expect(taken).toEqual([1]);
    await stream.return!();
    expect(untaken).toEqual([[3, 2]]);
    expect(await stream.next()).toEqual({ value: undefined, done: true });
    stream.push(4);
    expect(untaken).toHaveLength(1);
  });

  it('wakes a waiting consumer on push and on end', async () => {
    const stream = createResultStream<string>({ onTaken: () => {}, onEnd: () => {} });
    const first = stream.next();
    stream.push('a');
    expect(await first).toEqual({ value: 'a', done: false });
    const second = stream.next();
    stream.end();
    expect(await second).toEqual({ value: undefined, done: true });
    expect(stream.ended).toBe(true);
  });
});
