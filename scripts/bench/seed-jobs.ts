// The jobs data set of the benchmarks (bench:jobs, bench:applications): the seed's companies and
// jobs, written through the jobs service's rules, then published by the jobs relay before anything
// is measured.
import { DEFAULT_SEED, seedPlatform, type SeedSummary } from '../src/seed/seed-platform.js';
import { waitForOutbox, type BenchStack } from './bench-stack.js';

export async function seedBenchJobs(stack: BenchStack, jobs: number): Promise<SeedSummary> {
  console.log(`seeding ${jobs} jobs…`);
  const summary = await seedPlatform({
    usersDatabaseUrl: stack.env.USERS_DATABASE_URL!,
    jobsDatabaseUrl: stack.env.JOBS_DATABASE_URL!,
    natsUrl: stack.natsUrlOf('users'),
    jobs,
    companies: 60,
    seed: DEFAULT_SEED,
    concurrency: 8,
    logLevel: 'warn',
    say: (line) => console.log(`  ${line}`),
  });
  console.log(`seeded in ${summary.seconds} s`);
  // The seed wrote an event per change; the jobs relay publishes them meanwhile. Measure after.
  await waitForOutbox(stack.env.JOBS_DATABASE_URL!, 'jobs');
  return summary;
}
