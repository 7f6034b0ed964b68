/** Runs the cleanup once on SIGINT or SIGTERM, then exits; a second signal exits at once. */
export function onShutdownSignal(cleanup: () => Promise<void>, log: (message: string) => void = () => undefined): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1);
    stopping = true;
    log(`received ${signal}, shutting down`);
    cleanup().then(
      () => process.exit(0),
      (error: unknown) => {
        log(`shutdown failed: ${String(error)}`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
}
