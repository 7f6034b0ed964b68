import { z } from 'zod';
import { devStackDatabaseUrl, envSchemas, parseEnv } from '@jobplatform/config';

/** The analytics service's own settings (read once at start, as env.own). */
export const analyticsSettings = z.object({
  /** Buffered events are written at least this often; 200 ms is the most a client event waits. */
  ANALYTICS_FLUSH_INTERVAL_MS: z.coerce.number().int().min(10).max(200).default(200),
  /** A buffer this full is written at once, without waiting for the interval. */
  ANALYTICS_FLUSH_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(2_000),
  /** Events held in memory at most (while the database is slow or away); more are refused. */
  ANALYTICS_BUFFER_LIMIT: z.coerce.number().int().min(100).default(100_000),
  /** Events one session may send per rate window. */
  ANALYTICS_RATE_LIMIT_PER_SESSION: z.coerce.number().int().min(1).default(600),
  /** Events one client address may send per rate window (a whole office may share one). */
  ANALYTICS_RATE_LIMIT_PER_ADDRESS: z.coerce.number().int().min(1).default(30_000),
  ANALYTICS_RATE_WINDOW_MS: z.coerce.number().int().min(1_000).default(60_000),
  /** Whole months of raw events kept; older monthly partitions are dropped (the rollups stay). */
  ANALYTICS_RETENTION_MONTHS: z.coerce.number().int().min(2).max(120).default(25),
  /** Monthly partitions made ahead of the current month. */
  ANALYTICS_PARTITIONS_AHEAD: z.coerce.number().int().min(1).max(24).default(3),
  /** How often partitions are made ahead, expired ones dropped and old view sessions swept. */
  ANALYTICS_MAINTENANCE_INTERVAL_MS: z.coerce
    .number()
    .int()
    .min(1_000)
    .default(60 * 60 * 1000),
});

export type AnalyticsSettings = z.infer<typeof analyticsSettings>;

const rollupCliSchema = z.object({
  ANALYTICS_DATABASE_URL: envSchemas.postgresUrl.default(() => devStackDatabaseUrl('analytics')),
});

export type RollupCliEnv = z.infer<typeof rollupCliSchema>;

/** The settings of `npm run analytics:rollup`: the database, by default the one of `npm start`. */
export function loadRollupCliEnv(source: NodeJS.ProcessEnv = process.env): RollupCliEnv {
  return parseEnv(rollupCliSchema, source);
}
