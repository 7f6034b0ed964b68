import type { Logger } from '@jobplatform/config';

/**
 * The parts of a running process (database pool, NATS connection, relay, consumers, HTTP server),
 * started in order and closed in reverse. A process that fails half way through start-up closes
 * what it had started, so nothing is left holding a connection or a timer.
 */
export type Lifecycle = {
  /**
   * Opens one part and remembers how to close it. Throws when the lifecycle is already closing:
   * a part opened then would never be closed.
   */
  start<T>(name: string, open: () => T | Promise<T>, close?: (value: T) => unknown): Promise<T>;
  /**
   * Closes every part once, last started first. Later and concurrent calls get the same promise.
   * A part that fails to close is logged and the others still close. When closing takes longer
   * than the deadline, the promise resolves anyway with the parts still closing named in the log,
   * so that a process can exit instead of hanging on a stuck connection.
   */
  close(): Promise<void>;
  /** Part names in start order, for logs and tests. */
  readonly started: readonly string[];
};

export type LifecycleOptions = {
  logger?: Logger;
  /** Overall deadline for close(). */
  closeDeadlineMs?: number;
};

export function createLifecycle(options: LifecycleOptions = {}): Lifecycle {
  const parts: { name: string; close: () => unknown }[] = [];
  let closing: Promise<void> | undefined;

  const closeAll = async () => {
    const pending = new Set<string>();
    const run = (async () => {
      for (const part of [...parts].reverse()) {
        pending.add(part.name);
        try {
          await part.close();
        } catch (error) {
          options.logger?.error({ err: error, part: part.name }, 'closing a part failed');
        } finally {
          pending.delete(part.name);
        }
      }
    })();
    if (!options.closeDeadlineMs) return run;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'deadline'>((resolve) => {
      timer = setTimeout(() => resolve('deadline'), options.closeDeadlineMs);
      timer.unref();
    });
    const outcome = await Promise.race([run.then(() => 'done' as const), deadline]);
    clearTimeout(timer);
    if (outcome === 'deadline') options.logger?.warn({ stillClosing: [...pending], deadlineMs: options.closeDeadlineMs }, 'shutdown deadline passed; exiting without waiting');
  };

  return {
    get started() {
      return parts.map((part) => part.name);
    },
    async start(name, open, close) {
      if (closing) throw new Error(`cannot start ${name}: the service is shutting down`);
      const value = await open();
      const part = { name, close: () => close?.(value) };
      if (closing) {
        // close() ran while this part was opening: it would be left open, so it closes now.
        await part.close();
        throw new Error(`cannot start ${name}: the service is shutting down`);
      }
      parts.push(part);
      return value;
    },
    close() {
      closing ??= closeAll();
      return closing;
    },
  };
}
