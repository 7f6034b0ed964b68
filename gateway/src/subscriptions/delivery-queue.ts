/**
 * The events one connection has accepted and not yet written to its socket, across all its
 * subscriptions. An event takes a slot when it arrives and gives it back once its result has been
 * written (graphql-ws asks for the next result only after the previous one was sent) or once it is
 * dropped. No slot left means the client does not keep up: the connection is closed rather than
 * left to miss events silently, and the client reconnects and reads the current state.
 */
export type DeliveryBudget = {
  /** Takes a slot; false when none is left. */
  take(): boolean;
  give(): void;
  readonly inUse: number;
};

export function createDeliveryBudget(max: number): DeliveryBudget {
  let inUse = 0;
  return {
    take() {
      if (inUse >= max) return false;
      inUse += 1;
      return true;
    },
    give() {
      inUse = Math.max(0, inUse - 1);
    },
    get inUse() {
      return inUse;
    },
  };
}

/** The results of one subscription, pushed as they are resolved and pulled by graphql-ws. */
export type ResultStream<T> = AsyncIterableIterator<T> & {
  push(value: T): void;
  /** Ends the stream from the server's side; graphql-ws then sends `complete`. */
  end(): void;
  readonly ended: boolean;
};

/**
 * A push-pull stream. `onTaken` runs for a value once the consumer comes back for the next one (it
 * has been written), `onEnd` once when the stream ends from either side, with the values never taken.
 */
export function createResultStream<T>(hooks: { onTaken(value: T): void; onEnd(untaken: T[]): void }): ResultStream<T> {
  const buffered: T[] = [];
  let waiting: ((result: IteratorResult<T>) => void) | undefined;
  let handedOut: { value: T } | undefined;
  let ended = false;

  const finish = () => {
    if (ended) return;
    ended = true;
    const untaken = buffered.splice(0);
    if (handedOut) untaken.push(handedOut.value);
    handedOut = undefined;
    hooks.onEnd(untaken);
    waiting?.({ value: undefined, done: true });
    waiting = undefined;
  };

  const stream: ResultStream<T> = {
    push(value) {
      if (ended) return;
      if (waiting) {
        const resolve = waiting;
        waiting = undefined;
        handedOut = { value };
        resolve({ value, done: false });
      } else {
        buffered.push(value);
      }
    },
    end: finish,
    get ended() {
      return ended;
    },
    next() {
      if (handedOut) {
        const taken = handedOut.value;
        handedOut = undefined;
        hooks.onTaken(taken);
      }
      if (buffered.length > 0) {
        const value = buffered.shift()!;
        handedOut = { value };
        return Promise.resolve({ value, done: false });
      }
      if (ended) return Promise.resolve({ value: undefined, done: true });
      return new Promise((resolve) => {
        waiting = resolve;
      });
    },
    return() {
      finish();
      return Promise.resolve({ value: undefined, done: true });
    },
    [Symbol.asyncIterator]() {
      return stream;
    },
  };
  return stream;
}
