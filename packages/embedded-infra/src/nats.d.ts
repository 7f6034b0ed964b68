export type NatsServerOptions = {
    port: number;
    /** JetStream store folder. */
    storeDir: string;
    /** Monitoring port (/healthz, /varz); omit to disable. */
    monitorPort?: number;
    onLog?: (line: string) => void;
};
export type NatsServerHandle = {
    url: string;
    /** Stops with SIGTERM and waits for exit. */
    stop(): Promise<void>;
    /** Kills with SIGKILL, as a crash would (failure tests). */
    kill(): Promise<void>;
    /** Starts again on the same port and store after stop() or kill(). */
    restart(): Promise<void>;
};
export declare function natsInstallHint(): string;
export declare function findNatsServer(): string | undefined;
export declare function startNatsServer(options: NatsServerOptions): Promise<NatsServerHandle>;
