// The search benchmark's data set (bench:search), all drawn from one random seed:
//  - the read model: jobs drawn as the seed draws its own (drawJob: titles by category, skills,
//    locations, salaries by level and currency, job types, 30 % remote, 10 % closed) over the
//    seed's companies, categories and skills in jobs_db, posted over the last 120 days, written
//    into search_db by the search service's own indexJob (what its consumer does for a job event);
//  - saved searches, saved through the service's saveSearch rules (compiled query and filter
//    columns), spread over many users;
//  - the searches the benchmark sends: two words of the same vocabulary, two filters, a page.
import { loadSubgraphEnv, openSubgraphDomain } from '@jobplatform/service-runtime';
import pg from 'pg';
import { searchSubgraph, type SearchDomain } from '../../subgraphs/search/src/server.js';
import { indexJob, type JobSnapshot } from '../../subgraphs/search/src/job-index.js';
import type { SaveSearchInput } from '../../subgraphs/search/src/saved-searches.js';
import { createRandom, type Random } from '../src/seed/random.js';
import { asViewer, drawJob, inParallel, type LeafCategory } from '../src/seed/seed-platform.js';
import { locations, skills as skillNames, titlesByCategory } from '../src/seed/vocabulary.js';
import type { SearchVariables } from './search-floor.js';

/** What jobs_db holds after the seed, which the drawn jobs refer to. */
export type SeedCatalogue = {
  companies: { id: string; name: string; location: string; employerId: string }[];
  leaves: LeafCategory[];
  categories: Map<string, { name: string; parentId: string | null }>;
  /** By lower-case name: jobs keeps one skill per name whatever its letter case. */
  skills: Map<string, { id: string; name: string }>;
};

export async function readSeedCatalogue(jobsDatabaseUrl: string): Promise<SeedCatalogue> {
  const db = new pg.Client({ connectionString: jobsDatabaseUrl });
  await db.connect();
  try {
    const { rows: companies } = await db.query<SeedCatalogue['companies'][number]>(
      `SELECT c.id::text, c.name, c.location, m.user_id::text AS "employerId" FROM companies c
       JOIN company_members m ON m.company_id = c.id AND m.role = 'owner' ORDER BY c.id`,
    );
    const { rows: categories } = await db.query<{ id: string; name: string; parentId: string | null }>(
      'SELECT id::text, name, parent_id::text AS "parentId" FROM job_categories ORDER BY id',
    );
    const { rows: skills } = await db.query<{ id: string; name: string }>('SELECT id::text, name FROM job_skills ORDER BY id');
    const catalogue: SeedCatalogue = {
      companies,
      leaves: categories.filter((c) => c.parentId !== null).map((c) => ({ id: c.id, name: c.name, rootId: c.parentId! })),
      categories: new Map(categories.map((c) => [c.id, { name: c.name, parentId: c.parentId }])),
      skills: new Map(skills.map((s) => [s.name.toLowerCase(), s])),
    };
    const missing = skillNames.filter((name) => !catalogue.skills.has(name.toLowerCase()));
    if (missing.length > 0) throw new Error(`jobs_db lacks ${missing.length} of the vocabulary's skills (${missing.slice(0, 5).join(', ')}…): seed more jobs`);
    return catalogue;
  } finally {
    await db.end();
  }
}

const amount = (value: number | null) => (value === null ? null : value.toFixed(2));

/** A job as jobs' events describe it, drawn by the seed's rules; posted up to 120 days before `today`. */
export function drawJobSnapshot(random: Random, catalogue: SeedCatalogue, id: string, today: Date, companies = catalogue.companies): JobSnapshot {
  const { company, close, input } = drawJob(random, companies, catalogue.leaves, today);
  const createdAt = new Date(today.getTime() - Math.floor(random.next() * 120 * 86_400_000)).toISOString();
  const { categoryIds, skills, ...fields } = input;
  return {
    ...fields,
    id,
    companyName: company.name,
    employerId: company.employerId,
    jobType: input.jobType.toLowerCase() as JobSnapshot['jobType'],
    experienceLevel: input.experienceLevel.toLowerCase() as JobSnapshot['experienceLevel'],
    salaryMin: amount(input.salaryMin),
    salaryMax: amount(input.salaryMax),
    isActive: !close,
    categories: categoryIds.map((categoryId) => ({ id: categoryId, ...catalogue.categories.get(categoryId)! })),
    skills: skills.map((skill) => ({ ...catalogue.skills.get(skill.name.toLowerCase())!, isRequired: skill.isRequired })),
    createdAt,
    updatedAt: createdAt,
  };
}

/** The search domain (its Prisma client and rules) over search_db, in this process. */
export function openSearchDomain(searchDatabaseUrl: string, poolSize: number) {
  return openSubgraphDomain(
    searchSubgraph,
    loadSubgraphEnv('search', searchSubgraph.env, { NODE_ENV: 'test', LOG_LEVEL: 'warn', SEARCH_DATABASE_URL: searchDatabaseUrl, SEARCH_DATABASE_POOL_SIZE: String(poolSize) }),
  );
}

/**
 * Writes `count` drawn jobs with ids from `firstId` into the read model, through indexJob (each
 * batch of 100 in one transaction, `concurrency` at a time), then has PostgreSQL vacuum and
 * analyse search_db, as autovacuum would after a bulk load.
 */
export async function fillSearchIndex(
  domain: SearchDomain,
  catalogue: SeedCatalogue,
  options: { count: number; firstId: bigint; seed: number; concurrency: number; say: (line: string) => void },
): Promise<void> {
  const random = createRandom(options.seed);
  const today = new Date();
  const batches: JobSnapshot[][] = [];
  for (let i = 0; i < options.count; i += 100) {
    batches.push(Array.from({ length: Math.min(100, options.count - i) }, (_, k) => drawJobSnapshot(random, catalogue, String(options.firstId + BigInt(i + k)), today)));
  }
  let written = 0;
  await inParallel(batches, options.concurrency, async (batch) => {
    await domain.db.$transaction(
      async (tx) => {
        for (const job of batch) await indexJob(tx, job, { version: Date.parse(job.updatedAt), deleted: false });
      },
      { timeout: 60_000 },
    );
    written += batch.length;
    if (written % 10_000 === 0) options.say(`search index: ${written} of ${options.count} jobs written`);
  });
  await domain.db.$executeRawUnsafe('VACUUM (ANALYZE)');
}

const JOB_TYPES = ['FULL_TIME', 'PART_TIME', 'CONTRACT', 'INTERNSHIP', 'FREELANCE'];
const LEVELS = ['ENTRY', 'MID', 'SENIOR', 'EXECUTIVE'];
const STOP_WORDS = new Set(['and', 'of', 'fp&a', 'ml', 'ops', 'ui', 'ux', 'qa', 'bi', 'hr', 'seo', 'api']);

/** Words people type: the words of job titles, one-word skills and cities. */
function vocabulary() {
  const titles = [...new Set(Object.values(titlesByCategory).flat())];
  const titleWords = [...new Set(titles.flatMap((title) => title.toLowerCase().split(' ')).filter((word) => word.length > 2 && !STOP_WORDS.has(word)))];
  const skillWords = skillNames.filter((name) => /^[A-Za-z]{3,}$/.test(name)).map((name) => name.toLowerCase());
  const cities = [...new Set(locations.map((location) => location.split(',')[0]!))];
  return { titles, titleWords, skillWords, cities };
}

/** A query of one or two words: a title's own two words, or a title word with a skill or a city. */
function drawQuery(random: Random, words: ReturnType<typeof vocabulary>, wordCount: 1 | 2): string {
  if (wordCount === 1) return random.pick([...words.titleWords, ...words.skillWords]);
  const shape = random.next();
  if (shape < 0.3) {
    const twoWords = words.titles.map((title) => title.toLowerCase().split(' ')).filter((parts) => parts.length >= 2);
    return random.pick(twoWords).slice(0, 2).join(' ');
  }
  return `${random.pick(words.titleWords)} ${shape < 0.8 ? random.pick(words.skillWords) : random.pick(words.cities)}`;
}

type Filter = SearchVariables['filter'];
type FilterKind = 'jobTypes' | 'experienceLevels' | 'isRemote' | 'location' | 'categoryIds' | 'skillIds' | 'salary' | 'postedWithinDays';

function drawFilter(random: Random, catalogue: SeedCatalogue, words: ReturnType<typeof vocabulary>, kind: FilterKind): Filter {
  switch (kind) {
    case 'jobTypes':
      return { jobTypes: random.sample(JOB_TYPES, random.int(1, 2)) };
    case 'experienceLevels':
      return { experienceLevels: random.sample(LEVELS, random.int(1, 2)) };
    case 'isRemote':
      return { isRemote: random.chance(0.8) };
    case 'location':
      return { location: random.pick(words.cities) };
    case 'categoryIds':
      return { categoryIds: [random.pick([...catalogue.categories.keys()])] };
    case 'skillIds':
      return { skillIds: random.sample([...catalogue.skills.values()], random.int(1, 2)).map((skill) => skill.id) };
    case 'salary':
      return { salaryCurrency: random.pick(['EUR', 'EUR', 'USD', 'GBP']), salaryMin: random.int(3, 10) * 10_000 };
    case 'postedWithinDays':
      return { postedWithinDays: random.pick([7, 14, 30, 60]) };
  }
}

const drawFilters = (random: Random, catalogue: SeedCatalogue, words: ReturnType<typeof vocabulary>, kinds: readonly FilterKind[], count: number): Filter =>
  Object.assign({}, ...random.sample(kinds, count).map((kind) => drawFilter(random, catalogue, words, kind))) as Filter;

const SEARCH_FILTERS: FilterKind[] = ['jobTypes', 'experienceLevels', 'isRemote', 'location', 'categoryIds', 'skillIds', 'salary', 'postedWithinDays'];

/** Draws first-page searches one after another: a two-word query and two filters each, 20 a page. */
export function createSearchDrawer(catalogue: SeedCatalogue, seed: number): () => SearchVariables {
  const random = createRandom(seed);
  const words = vocabulary();
  return () => ({ query: drawQuery(random, words, 2), filter: drawFilters(random, catalogue, words, SEARCH_FILTERS, 2), first: 20 });
}

/** A saved search has no posting date: a new job was just posted. */
const SAVED_FILTERS = SEARCH_FILTERS.filter((kind) => kind !== 'postedWithinDays');
const FREQUENCIES = ['INSTANT', 'INSTANT', 'INSTANT', 'DAILY', 'DAILY', 'DAILY', 'DAILY', 'WEEKLY', 'WEEKLY', 'NEVER'] as const;

/**
 * Saves `count` searches through the service's rules (saveSearch: validated, compiled, at most 50
 * a user), round robin over `users` users with ids from `firstUserId`: 10 % filter-only (two or
 * three filters), the rest one or two words with up to two filters; 30 % alert at once, 40 %
 * daily, 20 % weekly, 10 % never.
 */
export async function saveSearches(
  domain: SearchDomain,
  catalogue: SeedCatalogue,
  options: { count: number; users: number; firstUserId: bigint; seed: number; concurrency: number; say: (line: string) => void },
): Promise<void> {
  const random = createRandom(options.seed);
  const words = vocabulary();
  const inputs = Array.from({ length: options.count }, (_, i): { userId: bigint; input: SaveSearchInput } => {
    const filterOnly = random.chance(0.1);
    const query = filterOnly ? '' : drawQuery(random, words, random.chance(0.5) ? 1 : 2);
    const filters = drawFilters(random, catalogue, words, SAVED_FILTERS, filterOnly ? random.int(2, 3) : random.int(0, 2));
    return {
      userId: options.firstUserId + BigInt(i % options.users),
      input: { name: query || `Saved search ${i + 1}`, query, filters, alertFrequency: random.pick(FREQUENCIES) },
    };
  });
  let saved = 0;
  await inParallel(inputs, options.concurrency, async ({ userId, input }) => {
    await domain.savedSearches.save(asViewer(userId, 'job_seeker'), input);
    saved += 1;
    if (saved % 10_000 === 0) options.say(`saved searches: ${saved} of ${options.count}`);
  });
  await domain.db.$executeRawUnsafe('VACUUM (ANALYZE) saved_searches');
}
