/** Resolves once something accepts TCP connections on host:port, or rejects after timeoutMs. */
export declare function waitForPort(port: number, host?: string, timeoutMs?: number): Promise<void>;
/** Asks the kernel for a port nobody uses right now (for tests that run side by side). */
export declare function findFreePort(): Promise<number>;
