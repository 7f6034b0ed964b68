export type EmbeddedPostgresOptions = {
    /** Folder that holds the cluster; initialised when empty, reused otherwise. */
    dataDir: string;
    port: number;
    user?: string;
    password?: string;
    /** When false, the folder is deleted on stop (tests). */
    persistent?: boolean;
    onLog?: (line: string) => void;
};
export type EmbeddedPostgresHandle = {
    /** Connection URL for one database of this cluster. */
    urlFor(database: string): string;
    /** Creates the database when it does not exist yet. */
    ensureDatabase(database: string): Promise<void>;
    dropDatabase(database: string): Promise<void>;
    /** Fast shutdown (SIGINT): open transactions roll back, the cluster is left consistent. */
    stop(): Promise<void>;
};
export declare function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle>;
