// npm run analytics:rollup -- --from 2026-01-01 --to 2026-01-31
// Builds the daily rollups (job_analytics, user_analytics, platform_analytics) of those UTC days
// again from the raw events in analytics_db (ANALYTICS_DATABASE_URL, by default the database of
// `npm start`): after a bug, a lost increment or a restore. Safe while the service runs: each chunk of
// days is rebuilt in one transaction that holds ingest's rollup writes back until it commits.
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { EnvError } from '@jobplatform/config';
import { AppError, calendarDateSchema, createPrismaClient, validateInput } from '@jobplatform/service-runtime';
import { loadRollupCliEnv } from '../analytics-settings.js';
import { PrismaClient } from '../generated/prisma/client.js';
import { rebuildRollups } from '../rollups.js';
import { daysOf } from '../statistics.js';

/** Days rebuilt per transaction, so that a year's repair holds ingest back a month at a time. */
const DAYS_PER_TRANSACTION = 31;

const argumentsSchema = z
  .object({ from: calendarDateSchema, to: calendarDateSchema })
  .refine((range) => range.from <= range.to, { path: ['from'], message: 'must not be after --to' });

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { from: { type: 'string' }, to: { type: 'string' } } });
  const range = validateInput(argumentsSchema, values);
  const db = createPrismaClient(PrismaClient, loadRollupCliEnv().ANALYTICS_DATABASE_URL, { poolSize: 2 });
  try {
    const days = daysOf(range);
    for (let start = 0; start < days.length; start += DAYS_PER_TRANSACTION) {
      const chunk = days.slice(start, start + DAYS_PER_TRANSACTION);
      const from = chunk[0]!;
      const to = chunk.at(-1)!;
      const rows = await db.$transaction((tx) => rebuildRollups(tx, from, to), { timeout: 10 * 60_000, maxWait: 60_000 });
      console.log(`${from} … ${to}: ${rows.jobRows} job, ${rows.userRows} employer and ${rows.platformRows} platform rollup rows`);
    }
  } finally {
    await db.$disconnect();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    if (error instanceof AppError || error instanceof EnvError) console.error(error.message);
    else console.error(error);
    console.error('usage: npm run analytics:rollup -- --from YYYY-MM-DD --to YYYY-MM-DD');
    process.exit(1);
  },
);
