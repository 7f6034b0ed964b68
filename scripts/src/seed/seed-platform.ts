// Fills users_db and jobs_db with a repeatable demo data set, through each service's own write
// paths: accounts are registered by the users service's account rules, companies, categories and
// jobs go through the jobs service's rules (validation, ownership, events in the same transaction).
// A data set is named by its random seed. Running a seed again adds only what it lacks (nothing,
// after a complete run); another seed adds its own accounts and companies beside the first.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { Viewer } from '@jobplatform/auth';
import { createLogger, type Logger } from '@jobplatform/config';
import { loadSubgraphEnv } from '@jobplatform/service-runtime';
import { startUsersService, usersSubgraph, type UsersDomain, type UsersService } from '../../../subgraphs/users/src/server.js';
import { jobsSubgraph, openJobsDomain, type JobsDomain } from '../../../subgraphs/jobs/src/server.js';
import { createRandom, type Random } from './random.js';
import { openSeedApplications, seedDemoApplications, type DemoApplicationsSummary } from './seed-applications.js';
import { seedAnalyticsHistory, type AnalyticsSeedOptions } from './seed-analytics.js';
import { waitForSearchIndex, type SearchSeedOptions } from './seed-search.js';
import { categoryTree, companyNameParts, currencyOf, descriptionSentences, firstNames, industries, lastNames, locations, skills, titlesByCategory } from './vocabulary.js';

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
  /**
   * Job seekers who apply to the data set's jobs through the applications service's rules, into
   * this database. The running applications service must be copying jobs' and users' events into it.
   */
  applications?: ApplicationsSeedOptions;
  /** Wait until the running search service has indexed the data set's jobs, in this database. */
  search?: SearchSeedOptions;
  /** A year of client activity on the data set's jobs in analytics_db, once the running analytics service has copied them. */
  analytics?: AnalyticsSeedOptions;
};

export type ApplicationsSeedOptions = {
  applicationsDatabaseUrl: string;
  seekers: number;
  /** How long to wait for applications_db's copies of the jobs and accounts the seed uses (default 120 s). */
  replicaTimeoutMs?: number;
  /** The applications service's own settings where they differ from its defaults: where attachment bytes go (APPLICATIONS_BLOB_DIR, APPLICATIONS_S3_*, PUBLIC_ORIGIN). */
  settings?: NodeJS.ProcessEnv;
};

export type ApplicationsSeedSummary = DemoApplicationsSummary & {
  seekers: number;
  added: DemoApplicationsSummary['added'] & { seekers: number };
  /** The seekers' sign-in emails, seeker 1 first. */
  seekerEmails: string[];
  seekerPassword: string;
};

export type SeedAdded = { accounts: number; categories: number; companies: number; jobs: number };

export type SeedSummary = {
  sampleJobId: string;
  /** The data set's size, whether this run wrote it or found it. */
  employers: number;
  companies: number;
  categories: number;
  jobs: number;
  skills: number;
  /** What this run wrote: all zero when the seed's data set was complete already. */
  added: SeedAdded;
  /** The employers' sign-in emails, employer 1 first. */
  employerEmails: string[];
  employerPassword: string;
  /** Present when the seed was asked for applications. */
  applications?: ApplicationsSeedSummary;
  seconds: number;
};

/** Every seeded employer signs in with this password (employer1@seed.example, employer2@…). */
export const SEED_EMPLOYER_PASSWORD = 'seed employer password';

/** Every seeded job seeker signs in with this password (seeker1@seed.example, seeker2@…). */
export const SEED_SEEKER_PASSWORD = 'seed seeker password';

/** The seed of `npm run seed` and the benchmarks. Its accounts carry no suffix: employer1@seed.example. */
export const DEFAULT_SEED = 20261124;

export type Account = { username: string; email: string };

/** A seed's accounts, named apart from every other seed's so that data sets sit side by side. */
export function seedAccounts(seed: number, employers: number): { admin: Account; employers: Account[] } {
  const suffix = seed === DEFAULT_SEED ? '' : `_s${seed}`;
  return {
    admin: { username: `seed_admin${suffix}`, email: `seed-admin${suffix}@seed.example` },
    employers: Array.from({ length: employers }, (_, i) => ({ username: `employer${i + 1}${suffix}`, email: `employer${i + 1}${suffix}@seed.example` })),
  };
}

export type SeedUsers = Pick<UsersDomain, 'db' | 'accounts'>;
/** A seed's job seekers, named apart from every other seed's as its employers are. */
export function seekerAccounts(seed: number, seekers: number): Account[] {
  const suffix = seed === DEFAULT_SEED ? '' : `_s${seed}`;
  return Array.from({ length: seekers }, (_, i) => ({ username: `seeker${i + 1}${suffix}`, email: `seeker${i + 1}${suffix}@seed.example` }));
}

type Users = SeedUsers;
type Jobs = JobsDomain;
export type SeedOrigin = { clientIp: undefined; userAgent: string };
type Origin = SeedOrigin;
/** A category below a top-level one, where the seed lists jobs (with its top-level one now and then). */
export type LeafCategory = { id: string; name: string; rootId: string };
type SeedCompany = { id: string; name: string; owner: Viewer; location: string };

/** How the seed acts as a user: through the services' rules, with the rights of that user. */
export const asViewer = (userId: bigint, role: Viewer['role']): Viewer => ({ userId: userId.toString(), role, tokenId: 'seed', sessionId: undefined });

export const seedOrigin: SeedOrigin = { clientIp: undefined, userAgent: 'seed' };

/** Runs `work` over the items, at most `concurrency` at a time. */
export async function inParallel<T>(items: T[], concurrency: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
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

/** Prisma's error for a transaction that ran past its timeout; it was rolled back. */
const isExpiredTransaction = (error: unknown) => typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'P2028';

/**
 * Runs a write again when its transaction expired before committing (Prisma's 5 s limit), which a
 * machine busy with other work causes now and then; the rolled-back write is simply made again.
 */
export async function retryExpiredTransaction<T>(write: () => Promise<T>, attempts = 4): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await write();
    } catch (error) {
      if (!isExpiredTransaction(error) || attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
    }
  }
}

/** The ids of those of the accounts that exist already, by email. */
async function findAccounts(users: Users, accounts: Account[]): Promise<Map<string, bigint>> {
  const rows = await users.db.user.findMany({ where: { email: { in: accounts.map((a) => a.email) } }, select: { id: true, email: true } });
  return new Map(rows.map((row) => [row.email, row.id]));
}

/** The admin that builds the category tree and verifies companies. Its password is thrown away: it exists to act, not to sign in. */
async function ensureAdmin(users: Users, admin: Account, origin: Origin): Promise<{ viewer: Viewer; added: number }> {
  const found = (await findAccounts(users, [admin])).get(admin.email);
  if (found !== undefined) return { viewer: asViewer(found, 'admin'), added: 0 };
  const created = await users.accounts.createAdmin({ ...admin, password: randomBytes(18).toString('base64url') }, origin);
  return { viewer: asViewer(created.id, 'admin'), added: 1 };
}

export type AccountProfile = { userType: 'EMPLOYER' | 'JOB_SEEKER'; password: string; firstName?: string; lastName?: string };

/**
 * Registers, through the users service's account rules, those of the accounts whose email is not
 * taken yet; returns every account as a viewer, in the order given.
 */
export async function ensureAccounts(
  users: Users,
  accounts: Account[],
  profileOf: (index: number) => AccountProfile,
  options: { concurrency: number; origin?: Origin; say?: (line: string) => void },
): Promise<{ viewers: Viewer[]; added: number }> {
  const found = await findAccounts(users, accounts);
  const viewers: Viewer[] = [];
  let added = 0;
  await inParallel(accounts, options.concurrency, async (account, i) => {
    const profile = profileOf(i);
    const role = profile.userType === 'EMPLOYER' ? 'employer' : 'job_seeker';
    const id = found.get(account.email);
    if (id !== undefined) {
      viewers[i] = asViewer(id, role);
      return;
    }
    // Registering commits the account, then signs it in: if only the sign-in expired, the account is there.
    let attempts = 0;
    const userId = await retryExpiredTransaction(async () => {
      attempts += 1;
      const known = attempts > 1 ? (await findAccounts(users, [account])).get(account.email) : undefined;
      return known ?? (await users.accounts.register({ ...account, ...profile }, options.origin ?? seedOrigin)).user.id;
    });
    viewers[i] = asViewer(userId, role);
    added += 1;
    if (added % 2000 === 0) options.say?.(`accounts: ${added} registered`);
  });
  return { viewers, added };
}

/** One employer per company, its owner; registered unless the email is taken already. */
async function ensureEmployers(users: Users, accounts: Account[], firstNames: string[], origin: Origin): Promise<{ employers: Viewer[]; added: number }> {
  const { viewers, added } = await ensureAccounts(
    users,
    accounts,
    (i) => ({ password: SEED_EMPLOYER_PASSWORD, firstName: firstNames[i], lastName: `Employer${i + 1}`, userType: 'EMPLOYER' }),
    { concurrency: 4, origin },
  );
  return { employers: viewers, added };
}

/** The vocabulary's category tree. Category names are unique platform-wide: one that exists is used as it is. */
async function ensureCategoryTree(jobs: Jobs, admin: Viewer): Promise<{ leaves: LeafCategory[]; added: number }> {
  const byName = new Map((await jobs.db.jobCategory.findMany({ select: { id: true, name: true } })).map((c) => [c.name.toLowerCase(), c.id.toString()]));
  let added = 0;
  const ensure = async (input: { name: string; description?: string; parentId?: string }) => {
    const found = byName.get(input.name.toLowerCase());
    if (found) return found;
    const created = await jobs.categories.create(admin, input);
    added += 1;
    return created.id.toString();
  };
  const leaves: LeafCategory[] = [];
  for (const root of categoryTree) {
    const rootId = await ensure({ name: root.name, description: root.description });
    for (const child of root.children) leaves.push({ id: await ensure({ name: child, parentId: rootId }), name: child, rootId });
  }
  return { leaves, added };
}

/**
 * Company i is the one employer i owns. Each company's details are drawn whether it exists or not,
 * so the random stream, and the jobs drawn after it, are the same on every run. A new company
 * whose name another company already has is numbered ("Blue Labs 2").
 */
async function ensureCompanies(jobs: Jobs, random: Random, owners: Viewer[], admin: Viewer): Promise<{ companies: SeedCompany[]; added: number }> {
  const ownerships = await jobs.db.companyMember.findMany({
    where: { userId: { in: owners.map((owner) => BigInt(owner.userId)) }, role: 'owner' },
    orderBy: { id: 'asc' },
    select: { userId: true, company: { select: { id: true, name: true } } },
  });
  const owned = new Map<string, { id: bigint; name: string }>();
  for (const { userId, company } of ownerships) if (!owned.has(userId.toString())) owned.set(userId.toString(), company);
  const taken = new Set((await jobs.db.company.findMany({ select: { name: true } })).map((c) => c.name.toLowerCase()));

  const companies: SeedCompany[] = [];
  const usedNames = new Set<string>();
  let added = 0;
  for (const owner of owners) {
    let drawn = `${random.pick(companyNameParts.first)} ${random.pick(companyNameParts.second)}`;
    while (usedNames.has(drawn)) drawn = `${drawn} ${random.int(2, 99)}`;
    usedNames.add(drawn);
    const location = random.pick(locations);
    const industry = random.pick(industries);
    const size = random.pick(['STARTUP', 'SMALL', 'MEDIUM', 'LARGE']);
    const foundedYear = random.int(1950, 2023);
    const verify = random.chance(0.6);
    const existing = owned.get(owner.userId);
    if (existing) {
      companies.push({ id: existing.id.toString(), name: existing.name, owner, location });
      continue;
    }
    let name = drawn;
    for (let n = 2; taken.has(name.toLowerCase()); n += 1) name = `${drawn} ${n}`;
    taken.add(name.toLowerCase());
    const company = await jobs.companies.create(owner, {
      name,
      description: `${name} builds things people rely on.`,
      website: `https://${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}.example`,
      industry,
      size,
      foundedYear,
      location,
    });
    if (verify) await jobs.companies.verify(admin, company.id.toString());
    companies.push({ id: company.id.toString(), name, owner, location });
    added += 1;
  }
  return { companies, added };
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

/**
 * One job's content, drawn in a fixed order from the random stream: the seed's jobs, and the search
 * benchmark's read model drawn the same way over the seed's companies, categories and skills.
 */
export function drawJob<Company extends { id: string; name: string; location: string }>(
  random: Random,
  companies: readonly Company[],
  leaves: readonly LeafCategory[],
  today: Date,
) {
  const company = random.pick(companies);
  const category = random.pick(leaves);
  const title = random.pick(titlesByCategory[category.name] ?? ['Specialist']);
  const experienceLevel = /Senior|Lead|Head/.test(title) ? 'SENIOR' : random.pick(['ENTRY', 'MID', 'MID', 'SENIOR', 'EXECUTIVE']);
  const location = random.chance(0.7) ? company.location : random.pick(locations);
  const salaryCurrency = currencyOf(location);
  const deadlineDays = random.chance(0.6) ? random.int(7, 120) : undefined;
  return {
    company,
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
}

/** Every job's content is drawn before any is written, so concurrency never changes the data set. */
function planJobs(random: Random, companies: SeedCompany[], leaves: LeafCategory[], count: number) {
  const today = new Date();
  return Array.from({ length: count }, () => {
    const { company, close, input } = drawJob(random, companies, leaves, today);
    return { viewer: company.owner, close, input };
  });
}

type JobPlan = ReturnType<typeof planJobs>[number];

/**
 * Writes the plans that the companies lack: a company holding k jobs is taken to hold its first k
 * plans, so a run that stopped part-way is completed and a complete one is left as it is.
 */
async function writeMissingJobs(jobs: Jobs, plans: JobPlan[], concurrency: number, say: (line: string) => void): Promise<number> {
  const companyIds = [...new Set(plans.map((plan) => BigInt(plan.input.companyId)))];
  const counts = await jobs.db.job.groupBy({ by: ['companyId'], where: { companyId: { in: companyIds } }, _count: { _all: true } });
  const present = new Map(counts.map((row) => [row.companyId.toString(), row._count._all]));
  const missing = plans.filter((plan) => {
    const left = present.get(plan.input.companyId) ?? 0;
    present.set(plan.input.companyId, left - 1);
    return left <= 0;
  });
  let written = 0;
  await inParallel(missing, concurrency, async (plan) => {
    const job = await retryExpiredTransaction(() => jobs.postings.create(plan.viewer, plan.input));
    if (plan.close) await retryExpiredTransaction(() => jobs.postings.close(plan.viewer, job.id.toString()));
    written += 1;
    if (written % 5000 === 0) say(`jobs: ${written} of ${missing.length}`);
  });
  return written;
}

/**
 * The users service in this process, on port 0 over the given database: the seed registers accounts
 * through its rules, and its relay publishes their events. `env` adds settings (e.g. a cheaper
 * ARGON2_* for accounts that only a benchmark signs in to).
 */
export function startSeedUsers(
  options: { usersDatabaseUrl: string; natsUrl: string; logLevel: string; env?: NodeJS.ProcessEnv },
  logger = createLogger('seed', options.logLevel as never),
): Promise<UsersService> {
  return startUsersService(
    loadSubgraphEnv('users', usersSubgraph.env, {
      NODE_ENV: 'test',
      LOG_LEVEL: options.logLevel,
      USERS_PORT: '0',
      USERS_DATABASE_URL: options.usersDatabaseUrl,
      NATS_URL: options.natsUrl,
      JWT_PRIVATE_KEY: generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      FIELD_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      ...options.env,
    }),
    { logger },
  );
}

/**
 * The seed's job seekers, registered unless there already, apply to the data set's jobs, attach
 * files, and their applications move along the pipeline, with interviews (seed-applications.ts).
 * Names are drawn before anything is written, so the random stream does not depend on what was there.
 */
async function addApplications(
  users: Users,
  jobs: Jobs,
  companies: SeedCompany[],
  random: Random,
  options: SeedOptions & { applications: ApplicationsSeedOptions },
  logger: Logger,
  say: (line: string) => void,
): Promise<ApplicationsSeedSummary> {
  const accounts = seekerAccounts(options.seed, options.applications.seekers);
  const names = accounts.map(() => ({ firstName: random.pick(firstNames), lastName: random.pick(lastNames) }));
  const { viewers, added: addedSeekers } = await ensureAccounts(users, accounts, (i) => ({ userType: 'JOB_SEEKER', password: SEED_SEEKER_PASSWORD, ...names[i] }), {
    concurrency: 4,
  });
  say(`users: ${viewers.length} job seekers${alreadyThere(viewers.length, addedSeekers)}`);

  const dataSetJobs = await jobs.db.job.findMany({
    where: { companyId: { in: companies.map((company) => BigInt(company.id)) } },
    orderBy: { id: 'asc' },
    select: { id: true, companyId: true, employerId: true, isActive: true, title: true },
  });
  const opened = await openSeedApplications(
    {
      applicationsDatabaseUrl: options.applications.applicationsDatabaseUrl,
      logLevel: options.logLevel,
      poolSize: options.concurrency + 2,
      ...(options.applications.settings ? { settings: options.applications.settings } : {}),
    },
    logger,
  );
  try {
    const summary = await seedDemoApplications(opened, {
      seekers: viewers.map((viewer, i) => ({ viewer, name: `${names[i]!.firstName} ${names[i]!.lastName}` })),
      jobs: dataSetJobs,
      random,
      concurrency: options.concurrency,
      replicaTimeoutMs: options.applications.replicaTimeoutMs ?? 120_000,
      say,
    });
    const { added } = summary;
    say(
      `applications: ${summary.applications}${alreadyThere(summary.applications, added.applications)}; ` +
        `made ${added.statusChanges} status changes, ${added.interviews} interviews and ${added.attachments} attachments` +
        `${summary.skipped > 0 ? `; ${summary.skipped} planned applications skipped: their jobs are closed or past their deadline` : ''}`,
    );
    return {
      ...summary,
      seekers: viewers.length,
      added: { ...added, seekers: addedSeekers },
      seekerEmails: accounts.map((account) => account.email),
      seekerPassword: SEED_SEEKER_PASSWORD,
    };
  } finally {
    await opened.close();
  }
}

/** `, 12 already there`, `, all already there`, or nothing when this run wrote them all. */
const alreadyThere = (total: number, added: number) => (added === 0 ? ', all already there' : total > added ? `, ${total - added} already there` : '');

export async function seedPlatform(options: SeedOptions): Promise<SeedSummary> {
  const started = performance.now();
  const say = options.say ?? (() => undefined);
  const random = createRandom(options.seed);
  const logger = createLogger('seed', options.logLevel as never);

  const users = await startSeedUsers({ usersDatabaseUrl: options.usersDatabaseUrl, natsUrl: options.natsUrl, logLevel: options.logLevel }, logger);
  // Every change also writes its event to jobs_db's outbox; the running jobs service publishes them.
  const jobsEnv = loadSubgraphEnv('jobs', jobsSubgraph.env, {
    NODE_ENV: 'test',
    LOG_LEVEL: options.logLevel,
    JOBS_DATABASE_URL: options.jobsDatabaseUrl,
    JOBS_DATABASE_POOL_SIZE: String(options.concurrency + 2),
  });
  const openedJobs = await openJobsDomain(jobsEnv, { logger }).catch(async (error: unknown) => {
    await users.close();
    throw error;
  });
  const jobs = openedJobs.domain;
  try {
    const origin: Origin = { clientIp: undefined, userAgent: 'seed' };
    const accounts = seedAccounts(options.seed, options.companies);
    const admin = await ensureAdmin(users.domain, accounts.admin, origin);
    // Drawn in order before any account is written: registrations finish in any order.
    const firstNames = accounts.employers.map(() => random.pick(['Ada', 'Lin', 'Sam', 'Noor', 'Kai', 'Mia', 'Omar', 'Eva']));
    const { employers, added: addedEmployers } = await ensureEmployers(users.domain, accounts.employers, firstNames, origin);
    say(`users: ${employers.length} employers and ${accounts.admin.email}${alreadyThere(employers.length + 1, addedEmployers + admin.added)}`);

    const { leaves, added: addedCategories } = await ensureCategoryTree(jobs, admin.viewer);
    const categories = categoryTree.length + leaves.length;
    say(`categories: ${categoryTree.length} top-level, ${leaves.length} below them${alreadyThere(categories, addedCategories)}`);

    const { companies, added: addedCompanies } = await ensureCompanies(jobs, random, employers, admin.viewer);
    say(`companies: ${companies.length}${alreadyThere(companies.length, addedCompanies)}`);

    const plans = planJobs(random, companies, leaves, options.jobs);
    const addedJobs = await writeMissingJobs(jobs, plans, options.concurrency, say);
    say(`jobs: ${plans.length}${alreadyThere(plans.length, addedJobs)}`);
    // What autovacuum does within minutes of a bulk load, done now so that the first queries see the
    // steady state: fresh statistics for the planner, and a visibility map that lets counts read
    // only the index (an index-only scan visits every row whose page is not marked all-visible).
    if (addedJobs > 0) await jobs.db.$executeRaw`VACUUM (ANALYZE)`;
    const middle = await jobs.db.job.findFirst({
      where: { companyId: { in: companies.map((company) => BigInt(company.id)) } },
      orderBy: { id: 'asc' },
      skip: Math.floor(plans.length / 2),
      select: { id: true },
    });

    const applications = options.applications
      ? await addApplications(users.domain, jobs, companies, random, { ...options, applications: options.applications }, logger, say)
      : undefined;
    if (options.search) {
      const dataSetJobs = await jobs.db.job.findMany({
        where: { companyId: { in: companies.map((company) => BigInt(company.id)) }, deletedAt: null },
        select: { id: true, isActive: true },
      });
      say(`search: ${await waitForSearchIndex(dataSetJobs, { ...options.search, say })} jobs indexed`);
    }
    if (options.analytics) {
      const dataSetJobs = await jobs.db.job.findMany({
        where: { companyId: { in: companies.map((company) => BigInt(company.id)) }, deletedAt: null },
        select: { id: true, companyId: true, title: true },
        orderBy: { id: 'asc' },
      });
      const history = await seedAnalyticsHistory(dataSetJobs, { ...options.analytics, seed: options.seed, logLevel: options.logLevel, say });
      say(history.alreadyThere ? 'analytics: the history of this seed is already there' : `analytics: ${history.events} client events of history`);
    }

    return {
      sampleJobId: middle?.id.toString() ?? '',
      employers: employers.length,
      companies: companies.length,
      categories,
      jobs: plans.length,
      skills: await jobs.db.skill.count(),
      added: { accounts: addedEmployers + admin.added, categories: addedCategories, companies: addedCompanies, jobs: addedJobs },
      employerEmails: accounts.employers.map((account) => account.email),
      employerPassword: SEED_EMPLOYER_PASSWORD,
      ...(applications ? { applications } : {}),
      seconds: Math.round((performance.now() - started) / 100) / 10,
    };
  } finally {
    await openedJobs.close();
    await users.close();
  }
}
