import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient, type Prisma } from './generated/prisma/client.js';

export type JobsDb = InstanceType<typeof PrismaClient>;
export type {
  Company as CompanyRow,
  CompanyMember as CompanyMemberRow,
  Job as JobRow,
  JobCategory as JobCategoryRow,
  Skill as SkillRow,
} from './generated/prisma/client.js';

export type JobsDbOptions = {
  poolSize?: number;
  /** Called with every SQL statement the client sends (tests count them). */
  onQuery?: (event: Prisma.QueryEvent) => void;
};

export function createJobsDb(databaseUrl: string, options: JobsDbOptions = {}): JobsDb {
  const adapter = new PrismaPg({ connectionString: databaseUrl, max: options.poolSize ?? 20 });
  if (!options.onQuery) return new PrismaClient({ adapter });
  const db = new PrismaClient({ adapter, log: [{ emit: 'event', level: 'query' }] });
  db.$on('query', options.onQuery);
  return db as unknown as JobsDb;
}
