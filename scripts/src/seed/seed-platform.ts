// Fills users_db and jobs_db with a repeatable demo data set, through each service's own write
// paths: accounts are registered by the users service's account rules, companies, categories and
// jobs go through the jobs service's rules (validation, ownership, events in the same transaction).
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { Viewer } from '@jobplatform/auth';
import { createLogger } from '@jobplatform/config';
import { startUsersService } from '../../../subgraphs/users/src/server.js';
import { loadUsersEnv } from '../../../subgraphs/users/src/env.js';
import { createJobsDomain } from '../../../subgraphs/jobs/src/server.js';
import { createRandom, type Random } from './random.js';
import { categoryTree, companyNameParts, currencyOf, descriptionSentences, industries, locations, skills, titlesByCategory } from './vocabulary.js';

export type SeedOptions = {
  usersDatabaseUrl: string;
  jobsDatabaseUrl: string;
  /** For the users service the seed runs in-process: it publishes its outbox there. */
  natsUrl: string;
  jobs: number;
  companies: number;
  seed: number;
  /** Jobs written side by side. */
  concurrency: number;
  logLevel: string;
  /** Progress lines; silent when undefined. */
  say?: (line: string) => void;
};

export type SeedSummary = { sampleJobId: string; employers: number; companies: number; categories: number; jobs: number; skills: number; employerPassword: string; seconds: number };

/** Every seeded employer signs in with this password (employer1@seed.example, employer2@…). */
export const SEED_EMPLOYER_PASSWORD = 'seed employer password';

const SEED_ADMIN = { username: 'seed_admin', email: 'seed-admin@seed.example' };

async function inParallel<T>(items: T[], concurrency: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const index = next;
        next += 1;
        await work(items[index]!, index);
      }
    }),
  );
}

function jobDescription(random: Random, title: string, company: string): string {
  return [`${company} is hiring a ${title}.`, ...random.sample(descriptionSentences, random.int(2, 4))].join(' ');
}

function salaryRange(random: Random, level: string, currency: string): { salaryMin: number | null; salaryMax: number | null } {
  if (random.chance(0.15)) return { salaryMin: null, salaryMax: null };
  const base = { ENTRY: 35_000, MID: 55_000, SENIOR: 80_000, EXECUTIVE: 130_000 }[level] ?? 50_000;
  const scale = { JPY: 150, INR: 80, SEK: 10, DKK: 7, PLN: 4, CZK: 23 }[currency] ?? 1;
  const min = Math.round((base + random.int(0, 20) * 1000) * scale);
  return { salaryMin: min, salaryMax: Math.round(min * (1.1 + random.next() * 0.4)) };
}

export async function seedPlatform(options: SeedOptions): Promise<SeedSummary> {
  const started = performance.now();
  const say = options.say ?? (() => undefined);
  const random = createRandom(options.seed);
  const logger = createLogger('seed', options.logLevel as never);

  const users = await startUsersService(
    loadUsersEnv({
      NODE_ENV: 'test',
      LOG_LEVEL: options.logLevel,
      USERS_PORT: '0',
      USERS_DATABASE_URL: options.usersDatabaseUrl,
      NATS_URL: options.natsUrl,
      JWT_PRIVATE_KEY: generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      FIELD_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    }),
    { logger },
  );
  // Every change also writes its event to jobs_db's outbox; the running jobs service publishes them.
  const jobs = createJobsDomain(options.jobsDatabaseUrl, { poolSize: options.concurrency + 2 });
  try {
    if ((await jobs.db.company.count()) > 0) throw new Error('jobs_db already holds companies: seed an empty database (the data set is meant to be repeatable)');
    const origin = { clientIp: undefined, userAgent: 'seed' };

    // Accounts: one admin for the category tree, one employer per company (the company's owner).
    // The admin's password is thrown away: it exists to own the category tree, not to sign in.
    const admin = await users.accounts.createAdmin({ ...SEED_ADMIN, password: randomBytes(18).toString('base64url') }, origin);
    const adminViewer: Viewer = { userId: admin.id.toString(), role: 'admin', tokenId: 'seed', sessionId: undefined };
    const employers: Viewer[] = [];
    await inParallel(Array.from({ length: options.companies }, (_, i) => i), 4, async (i) => {
      const signedIn = await users.accounts.register(
        { username: `employer${i + 1}`, email: `employer${i + 1}@seed.example`, password: SEED_EMPLOYER_PASSWORD, firstName: random.pick(['Ada', 'Lin', 'Sam', 'Noor', 'Kai', 'Mia', 'Omar', 'Eva']), lastName: `Employer${i + 1}`, userType: 'EMPLOYER' },
        origin,
      );
      employers[i] = { userId: signedIn.user.id.toString(), role: 'employer', tokenId: 'seed', sessionId: undefined };
    });
    say(`users: ${employers.length} employers and ${SEED_ADMIN.email}`);

    const leafCategories: { id: string; name: string; rootId: string }[] = [];
    for (const root of categoryTree) {
      const created = await jobs.categories.create(adminViewer, { name: root.name, description: root.description });
      for (const child of root.children) {
        const leaf = await jobs.categories.create(adminViewer, { name: child, parentId: created.id.toString() });
        leafCategories.push({ id: leaf.id.toString(), name: child, rootId: created.id.toString() });
      }
    }
    say(`categories: ${categoryTree.length} top-level, ${leafCategories.length} below them`);

    const companies: { id: string; name: string; owner: Viewer; location: string }[] = [];
    const usedNames = new Set<string>();
    for (let i = 0; i < options.companies; i += 1) {
      let name = `${random.pick(companyNameParts.first)} ${random.pick(companyNameParts.second)}`;
      while (usedNames.has(name)) name = `${name} ${random.int(2, 99)}`;
      usedNames.add(name);
      const location = random.pick(locations);
      const owner = employers[i]!;
      const company = await jobs.companies.create(owner, {
        name,
        description: `${name} builds things people rely on.`,
        website: `https://${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}.example`,
        industry: random.pick(industries),
        size: random.pick(['STARTUP', 'SMALL', 'MEDIUM', 'LARGE']),
        foundedYear: random.int(1950, 2023),
        location,
      });
      if (random.chance(0.6)) await jobs.companies.verify(adminViewer, company.id.toString());
      companies.push({ id: company.id.toString(), name, owner, location });
    }
    say(`companies: ${companies.length}`);

    // Every job's content is drawn before any is written, so concurrency never changes the data set.
    const today = new Date();
    const plans = Array.from({ length: options.jobs }, () => {
      const company = random.pick(companies);
      const category = random.pick(leafCategories);
      const title = random.pick(titlesByCategory[category.name] ?? ['Specialist']);
      const experienceLevel = /Senior|Lead|Head/.test(title) ? 'SENIOR' : random.pick(['ENTRY', 'MID', 'MID', 'SENIOR', 'EXECUTIVE']);
      const location = random.chance(0.7) ? company.location : random.pick(locations);
      const salaryCurrency = currencyOf(location);
      const deadlineDays = random.chance(0.6) ? random.int(7, 120) : undefined;
      return {
        viewer: company.owner,
        close: random.chance(0.1),
        input: {
          companyId: company.id,
          title,
          description: jobDescription(random, title, company.name),
          requirements: `${random.int(1, 8)}+ years of relevant experience.`,
          responsibilities: random.pick(descriptionSentences),
          jobType: random.pick(['FULL_TIME', 'FULL_TIME', 'FULL_TIME', 'PART_TIME', 'CONTRACT', 'INTERNSHIP', 'FREELANCE']),
          experienceLevel,
          ...salaryRange(random, experienceLevel, salaryCurrency),
          salaryCurrency,
          location,
          isRemote: random.chance(0.3),
          applicationDeadline: deadlineDays === undefined ? null : new Date(today.getTime() + deadlineDays * 86_400_000).toISOString().slice(0, 10),
          categoryIds: random.chance(0.3) ? [category.id, category.rootId] : [category.id],
          skills: random.sample(skills, random.int(2, 7)).map((name, i) => ({ name, isRequired: i < 2 })),
        },
      };
    });
    let written = 0;
    await inParallel(plans, options.concurrency, async (plan) => {
      const job = await jobs.postings.create(plan.viewer, plan.input);
      if (plan.close) await jobs.postings.close(plan.viewer, job.id.toString());
      written += 1;
      if (written % 5000 === 0) say(`jobs: ${written} of ${plans.length}`);
    });
    say(`jobs: ${written}`);
    // What autovacuum does within minutes of a bulk load, done now so that the first queries see the
    // steady state: fresh statistics for the planner, and a visibility map that lets counts read
    // only the index (an index-only scan visits every row whose page is not marked all-visible).
    await jobs.db.$executeRaw`VACUUM (ANALYZE)`;
    const middle = await jobs.db.job.findFirst({ orderBy: { id: 'asc' }, skip: Math.floor(written / 2), select: { id: true } });

    return {
      sampleJobId: middle?.id.toString() ?? '',
      employers: employers.length,
      companies: companies.length,
      categories: categoryTree.length + leafCategories.length,
      jobs: written,
      skills: await jobs.db.skill.count(),
      employerPassword: SEED_EMPLOYER_PASSWORD,
      seconds: Math.round((performance.now() - started) / 100) / 10,
    };
  } finally {
    await jobs.db.$disconnect();
    await users.close();
  }
}
