import DataLoader from 'dataloader';
import { decodeCursor, encodeCursor, parseId, toConnection, type Connection, type Edge } from '@jobplatform/service-runtime';
import { Prisma } from './generated/prisma/client.js';
import type { JobRow, JobsDb } from './db.js';

/** A user as the jobs service knows it: the key that the users service resolves. */
export type UserReference = { id: string };

export type JobPageEdge = Edge<JobRow>;

/** One page of a job list; the total is counted only when a client asks for it. */
export type JobPage = Connection<JobRow>;

/** Where a page starts: just after the job with this (created_at, id). Lists are newest first. */
export type JobCursor = { createdAt: Date; id: bigint };

const encodeJobCursor = (job: JobCursor) => encodeCursor([job.createdAt.toISOString(), job.id.toString()]);

/** Parses an `after` argument; anything but a cursor of a job list is BAD_USER_INPUT. */
export function decodeJobCursor(after: string | null | undefined): JobCursor | undefined {
  return decodeCursor(after, (values) => {
    if (values.length !== 2) return undefined;
    const createdAt = new Date(values[0]!);
    const id = parseId(values[1]!);
    return Number.isNaN(createdAt.getTime()) || id === undefined ? undefined : { createdAt, id };
  });
}

/** Builds a page from up to size + 1 rows (the extra row only says that more follow). */
export function toJobPage(rows: JobRow[], size: number, totalCount: () => Promise<number>): JobPage {
  return toConnection(rows, size, encodeJobCursor, totalCount);
}

/** The jobs a list field shows for one owner (a company or an employer). */
export type OwnedPageKey = { ownerId: bigint; size: number; cursor: JobCursor | undefined; isActive: boolean | null };
export type OwnedCountKey = { ownerId: bigint; isActive: boolean | null };

const ownerColumns = { company: Prisma.raw('company_id'), employer: Prisma.raw('employer_id') } as const;
export type JobOwner = keyof typeof ownerColumns;

/** TIMESTAMP(3) columns hold UTC without a zone; compare with the same. */
const asTimestamp = (date: Date) => date.toISOString().replace('Z', '');

/**
 * Pages of jobs for many owners at once (Company.jobs over a list of companies, User.postedJobs
 * over a list of users): one lateral query per distinct page shape, then one query for the rows.
 * Deleted jobs are in no page and no count (the owner indexes hold only the others).
 */
export function createOwnedPageLoader(db: JobsDb, owner: JobOwner, primeJob: (job: JobRow) => void): DataLoader<OwnedPageKey, JobRow[], string> {
  const column = ownerColumns[owner];
  return new DataLoader<OwnedPageKey, JobRow[], string>(
    async (keys) => {
      const groups = new Map<string, OwnedPageKey[]>();
      for (const key of keys) {
        const shape = `${key.size}|${key.cursor ? encodeJobCursor(key.cursor) : ''}|${key.isActive}`;
        groups.set(shape, [...(groups.get(shape) ?? []), key]);
      }
      const idsByKey = new Map<OwnedPageKey, bigint[]>();
      for (const group of groups.values()) {
        const { size, cursor, isActive } = group[0]!;
        const ownerIds = [...new Set(group.map((k) => k.ownerId))];
        const rows = await db.$queryRaw<{ owner_id: bigint; id: bigint }[]>`
          SELECT o.owner_id, j.id
          FROM unnest(${ownerIds}::bigint[]) AS o(owner_id)
          CROSS JOIN LATERAL (
            SELECT id, created_at FROM jobs
            WHERE ${column} = o.owner_id AND deleted_at IS NULL
              AND (${isActive}::boolean IS NULL OR is_active = ${isActive}::boolean)
              AND (${cursor ? asTimestamp(cursor.createdAt) : null}::timestamp(3) IS NULL
                   OR (created_at, id) < (${cursor ? asTimestamp(cursor.createdAt) : null}::timestamp(3), ${cursor?.id ?? null}::bigint))
            ORDER BY created_at DESC, id DESC
            LIMIT ${size + 1}
          ) AS j`;
        const byOwner = new Map<bigint, bigint[]>();
        for (const row of rows) byOwner.set(BigInt(row.owner_id), [...(byOwner.get(BigInt(row.owner_id)) ?? []), BigInt(row.id)]);
        for (const key of group) idsByKey.set(key, byOwner.get(key.ownerId) ?? []);
      }
      const allIds = [...new Set([...idsByKey.values()].flat())];
      const jobs = allIds.length > 0 ? await db.job.findMany({ where: { id: { in: allIds } } }) : [];
      const jobById = new Map(jobs.map((job) => [job.id, job]));
      jobs.forEach(primeJob);
      return keys.map((key) => (idsByKey.get(key) ?? []).map((id) => jobById.get(id)).filter((job): job is JobRow => job !== undefined));
    },
    { cacheKeyFn: (key) => `${key.ownerId}|${key.size}|${key.cursor ? encodeJobCursor(key.cursor) : ''}|${key.isActive}` },
  );
}

/** Job counts for many owners at once: one grouped query per distinct `isActive`. */
export function createOwnedCountLoader(db: JobsDb, owner: JobOwner): DataLoader<OwnedCountKey, number, string> {
  const column = ownerColumns[owner];
  return new DataLoader<OwnedCountKey, number, string>(
    async (keys) => {
      const counts = new Map<string, number>();
      for (const isActive of new Set(keys.map((k) => k.isActive))) {
        const ownerIds = [...new Set(keys.filter((k) => k.isActive === isActive).map((k) => k.ownerId))];
        const rows = await db.$queryRaw<{ owner_id: bigint; n: number }[]>`
          SELECT ${column} AS owner_id, count(*)::int AS n FROM jobs
          WHERE ${column} = ANY(${ownerIds}::bigint[]) AND deleted_at IS NULL AND (${isActive}::boolean IS NULL OR is_active = ${isActive}::boolean)
          GROUP BY 1`;
        for (const row of rows) counts.set(`${BigInt(row.owner_id)}|${isActive}`, Number(row.n));
      }
      return keys.map((key) => counts.get(`${key.ownerId}|${key.isActive}`) ?? 0);
    },
    { cacheKeyFn: (key) => `${key.ownerId}|${key.isActive}` },
  );
}
