/**
 * npm run seed: a repeatable demo data set (fixed random seed) written through the services' own
 * rules, into the databases of `npm start` by default (USERS_DATABASE_URL, JOBS_DATABASE_URL,
 * APPLICATIONS_DATABASE_URL, SEARCH_DATABASE_URL, ANALYTICS_DATABASE_URL, NATS_URL). Run it while the
 * platform runs: the applications part waits for the applications service to copy the seed's jobs and
 * accounts from their events, the search part until the search service has indexed the data set's
 * jobs, and the analytics part until analytics has copied them, then writes a year of client activity.
 * It adds to what is there: the same seed again adds only what is missing, another seed adds a
 * data set of its own (accounts employer1_s<seed>@seed.example, ...).
 *   --jobs N         jobs to post (default 2000; 100000 for the benchmarks)
 *   --companies N    companies, each with its own employer account (default 60)
 *   --seekers N      job seekers, each applying to up to 8 jobs, with status changes, interviews and
 *                    attached files (default 200; 0 for no applications)
 *   --seed N         random seed (default 20261124)
 *   --concurrency N  jobs written side by side (default 8)
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { EnvError } from '@jobplatform/config';
import { natsUrlWithCredentials } from '@jobplatform/events';
import { loadDevNatsPasswords } from './dev-keys.js';
import { repoRoot } from './dev-stack-env.js';
import { applicationsStorageSettings, loadSeedEnv } from './seed/seed-env.js';
import { DEFAULT_SEED, seedPlatform } from './seed/seed-platform.js';

const wholeNumber = (name: string, value: string, min: number, max: number) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    console.error(`--${name} must be a whole number from ${min} to ${max}`);
    process.exit(2);
  }
  return n;
};
const positiveInt = (name: string, value: string, max: number) => wholeNumber(name, value, 1, max);

try {
  const { values } = parseArgs({
    options: {
      jobs: { type: 'string', default: '2000' },
      companies: { type: 'string', default: '60' },
      seekers: { type: 'string', default: '200' },
      seed: { type: 'string', default: String(DEFAULT_SEED) },
      concurrency: { type: 'string', default: '8' },
    },
  });
  const env = loadSeedEnv();
  const seed = positiveInt('seed', values.seed, 2 ** 31);
  const seekers = wholeNumber('seekers', values.seekers, 0, 100_000);
  const summary = await seedPlatform({
    usersDatabaseUrl: env.USERS_DATABASE_URL,
    jobsDatabaseUrl: env.JOBS_DATABASE_URL,
    // The users service runs in this process: it connects to NATS as users.
    natsUrl: natsUrlWithCredentials(
      env.NATS_URL,
      'users',
      env.USERS_NATS_PASSWORD ?? (await loadDevNatsPasswords(env.JOBPLATFORM_DATA_DIR ?? path.join(repoRoot, '.data'), ['users'])).services.users!,
    ),
    jobs: positiveInt('jobs', values.jobs, 1_000_000),
    companies: positiveInt('companies', values.companies, 10_000),
    seed,
    concurrency: positiveInt('concurrency', values.concurrency, 64),
    logLevel: env.LOG_LEVEL,
    say: (line) => console.log(`  ${line}`),
    ...(seekers > 0 ? { applications: { applicationsDatabaseUrl: env.APPLICATIONS_DATABASE_URL, seekers, settings: applicationsStorageSettings() } } : {}),
    search: { searchDatabaseUrl: env.SEARCH_DATABASE_URL },
    analytics: { analyticsDatabaseUrl: env.ANALYTICS_DATABASE_URL },
  });
  const { added, applications } = summary;
  const addedApplications = applications ? Object.values(applications.added).reduce((sum, n) => sum + n, 0) : 0;
  console.log(
    added.accounts + added.categories + added.companies + added.jobs + addedApplications === 0
      ? `✔ the demo data of seed ${seed} is already there (${summary.companies} companies, ${summary.jobs} jobs): nothing added. Use another --seed to add a second data set.`
      : `✔ seed ${seed}: added ${added.accounts} accounts, ${added.companies} companies, ${added.categories} categories and ${added.jobs} jobs in ${summary.seconds} s ` +
          `(the data set: ${summary.companies} companies, ${summary.categories} categories, ${summary.jobs} jobs; ${summary.skills} skills in all).`,
  );
  if (applications && addedApplications > 0) {
    console.log(
      `  applications: added ${applications.added.seekers} job seekers, ${applications.added.applications} applications, ${applications.added.statusChanges} status changes, ` +
        `${applications.added.interviews} interviews and ${applications.added.attachments} attachments (the data set: ${applications.seekers} job seekers, ${applications.applications} applications).`,
    );
  }
  console.log(`  Employers sign in as ${summary.employerEmails[0]} … ${summary.employerEmails.at(-1)} with the password "${summary.employerPassword}".`);
  if (applications)
    console.log(`  Job seekers sign in as ${applications.seekerEmails[0]} … ${applications.seekerEmails.at(-1)} with the password "${applications.seekerPassword}".`);
} catch (error) {
  console.error(error instanceof EnvError ? error.message : error);
  process.exit(1);
}
