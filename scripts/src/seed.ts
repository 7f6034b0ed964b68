/**
 * npm run seed: a repeatable demo data set (fixed random seed) written through the services' own
 * rules, into the databases of `npm start` by default (USERS_DATABASE_URL, JOBS_DATABASE_URL, NATS_URL).
 *   --jobs N         jobs to post (default 2000; 100000 for the benchmarks)
 *   --companies N    companies, each with its own employer account (default 60)
 *   --seed N         random seed (default 20261124)
 *   --concurrency N  jobs written side by side (default 8)
 */
import { parseArgs } from 'node:util';
import { EnvError } from '@jobplatform/config';
import { loadSeedEnv } from './seed/seed-env.js';
import { seedPlatform } from './seed/seed-platform.js';

const positiveInt = (name: string, value: string, max: number) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    console.error(`--${name} must be a whole number from 1 to ${max}`);
    process.exit(2);
  }
  return n;
};

try {
  const { values } = parseArgs({
    options: {
      jobs: { type: 'string', default: '2000' },
      companies: { type: 'string', default: '60' },
      seed: { type: 'string', default: '20261124' },
      concurrency: { type: 'string', default: '8' },
    },
  });
  const env = loadSeedEnv();
  const summary = await seedPlatform({
    usersDatabaseUrl: env.USERS_DATABASE_URL,
    jobsDatabaseUrl: env.JOBS_DATABASE_URL,
    natsUrl: env.NATS_URL,
    jobs: positiveInt('jobs', values.jobs, 1_000_000),
    companies: positiveInt('companies', values.companies, 10_000),
    seed: positiveInt('seed', values.seed, 2 ** 31),
    concurrency: positiveInt('concurrency', values.concurrency, 64),
    logLevel: env.LOG_LEVEL,
    say: (line) => console.log(`  ${line}`),
  });
  console.log(
    `✔ seeded ${summary.companies} companies, ${summary.categories} categories, ${summary.skills} skills and ${summary.jobs} jobs in ${summary.seconds} s.\n` +
      `  Employers sign in as employer1@seed.example … employer${summary.employers}@seed.example with the password "${summary.employerPassword}".`,
  );
} catch (error) {
  console.error(error instanceof EnvError ? error.message : error);
  process.exit(1);
}
