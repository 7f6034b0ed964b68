import DataLoader from 'dataloader';
import { decodeCursor, encodeCursor, parseId, toConnection, type Connection, type Edge } from '@jobplatform/service-runtime';
import { Prisma } from './generated/prisma/client.js';
import type { ApplicationRow, ApplicationsDb } from './db.js';

/** A job as this service knows it in the graph: the key that the jobs service resolves. */
export type JobReference = { id: string };
/**
 * A user as this service knows it in the graph: the key that the users service resolves, and the
 * application it was reached through when it is an applicant (Application.applicant provides the
 * applicant's contact details, to those who may see them on that application).
 */
export type UserReference = { id: string; reachedThrough?: ApplicationRow };

export type ApplicationPageEdge = Edge<ApplicationRow>;

/** One page of applications; the total is counted only when a client asks for it. */
export type ApplicationPage = Connection<ApplicationRow>;

/** Where a page starts: just after the application with this (created_at, id). Lists are newest first. */
export type ApplicationCursor = { createdAt: Date; id: bigint };

const encodeApplicationCursor = (application: ApplicationCursor) => encodeCursor([application.createdAt.toISOString(), application.id.toString()]);

/** Parses an `after` argument; anything but a cursor of an application list is BAD_USER_INPUT. */
export function decodeApplicationCursor(after: string | null | undefined): ApplicationCursor | undefined {
  return decodeCursor(after, (values) => {
    if (values.length !== 2) return undefined;
    const createdAt = new Date(values[0]!);
    const id = parseId(values[1]!);
    return Number.isNaN(createdAt.getTime()) || id === undefined ? undefined : { createdAt, id };
  });
}

/** Builds a page from up to size + 1 rows (the extra row only says that more follow). */
export function toApplicationPage(rows: ApplicationRow[], size: number, totalCount: () => Promise<number>): ApplicationPage {
  return toConnection(rows, size, encodeApplicationCursor, totalCount);
}

export const emptyApplicationPage = (): ApplicationPage => toApplicationPage([], 1, async () => 0);

/** The applications a list field shows for one owner (a job or an applicant); status is the stored value or null for all. */
export type OwnedPageKey = { ownerId: bigint; status: string | null; size: number; cursor: ApplicationCursor | undefined };
export type OwnedCountKey = { ownerId: bigint; status: string | null };

const ownerColumns = { job: Prisma.raw('job_id'), applicant: Prisma.raw('applicant_id') } as const;
export type ApplicationOwner = keyof typeof ownerColumns;

const pageShape = (key: Omit<OwnedPageKey, 'ownerId'>) => `${key.size}|${key.cursor ? encodeApplicationCursor(key.cursor) : ''}|${key.status ?? ''}`;

/**
 * Pages of applications for many owners at once (Job.applications over a list of posted jobs,
 * User.applications): one lateral query per distinct page shape, each owner's page read from the
 * (owner, status, created_at, id) indexes, then one query for the rows.
 */
export function createOwnedPageLoader(
  db: ApplicationsDb,
  owner: ApplicationOwner,
  primeApplication: (application: ApplicationRow) => void,
): DataLoader<OwnedPageKey, ApplicationRow[], string> {
  const column = ownerColumns[owner];
  return new DataLoader<OwnedPageKey, ApplicationRow[], string>(
    async (keys) => {
      const groups = new Map<string, OwnedPageKey[]>();
      for (const key of keys) {
        const shape = pageShape(key);
        const group = groups.get(shape);
        if (group) group.push(key);
        else groups.set(shape, [key]);
      }
      const idsByOwnerAndShape = new Map<string, bigint[]>();
      for (const [shape, group] of groups) {
        const { size, cursor, status } = group[0]!;
        const ownerIds = [...new Set(group.map((k) => k.ownerId))];
        const rows = await db.$queryRaw<{ owner_id: bigint; id: bigint }[]>`
          SELECT o.owner_id, a.id
          FROM unnest(${ownerIds}::bigint[]) AS o(owner_id)
          CROSS JOIN LATERAL (
            SELECT id FROM applications
            WHERE ${column} = o.owner_id
              AND (${status}::varchar IS NULL OR status = ${status}::varchar)
              AND (${cursor?.createdAt ?? null}::timestamptz IS NULL
                   OR (created_at, id) < (${cursor?.createdAt ?? null}::timestamptz, ${cursor?.id ?? null}::bigint))
            ORDER BY created_at DESC, id DESC
            LIMIT ${size + 1}
          ) AS a`;
        for (const row of rows) {
          const key = `${BigInt(row.owner_id)}|${shape}`;
          const ids = idsByOwnerAndShape.get(key);
          if (ids) ids.push(BigInt(row.id));
          else idsByOwnerAndShape.set(key, [BigInt(row.id)]);
        }
      }
      const allIds = [...new Set([...idsByOwnerAndShape.values()].flat())];
      const applications = allIds.length > 0 ? await db.application.findMany({ where: { id: { in: allIds } } }) : [];
      const byId = new Map(applications.map((application) => [application.id, application]));
      applications.forEach(primeApplication);
      return keys.map((key) =>
        (idsByOwnerAndShape.get(`${key.ownerId}|${pageShape(key)}`) ?? [])
          .map((id) => byId.get(id))
          .filter((application): application is ApplicationRow => application !== undefined),
      );
    },
    { cacheKeyFn: (key) => `${key.ownerId}|${pageShape(key)}` },
  );
}

/** Application counts for many owners at once: one grouped query per distinct status filter. */
export function createOwnedCountLoader(db: ApplicationsDb, owner: ApplicationOwner): DataLoader<OwnedCountKey, number, string> {
  const column = ownerColumns[owner];
  const keyOf = (ownerId: bigint, status: string | null) => `${ownerId}|${status ?? ''}`;
  return new DataLoader<OwnedCountKey, number, string>(
    async (keys) => {
      const counts = new Map<string, number>();
      for (const status of new Set(keys.map((k) => k.status))) {
        const ownerIds = [...new Set(keys.filter((k) => k.status === status).map((k) => k.ownerId))];
        const rows = await db.$queryRaw<{ owner_id: bigint; n: number }[]>`
          SELECT ${column} AS owner_id, count(*)::int AS n FROM applications
          WHERE ${column} = ANY(${ownerIds}::bigint[]) AND (${status}::varchar IS NULL OR status = ${status}::varchar)
          GROUP BY 1`;
        for (const row of rows) counts.set(keyOf(BigInt(row.owner_id), status), Number(row.n));
      }
      return keys.map((key) => counts.get(keyOf(key.ownerId, key.status)) ?? 0);
    },
    { cacheKeyFn: (key) => keyOf(key.ownerId, key.status) },
  );
}
