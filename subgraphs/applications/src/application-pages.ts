import DataLoader from 'dataloader';
import { shownUsername } from '@jobplatform/events';
import {
  bigintKeys,
  decodeCursor,
  emptyStatement,
  encodeCursor,
  parseId,
  SqlFragment,
  statement,
  toConnection,
  type Connection,
  type Edge,
  type LeanSql,
} from '@jobplatform/service-runtime';
import type { ApplicantContactRow, ApplicationAttachmentRow, ApplicationRow, InterviewRow } from './db.js';
import { APPLICATION_COLUMNS, toApplicationRow, type LeanApplicationRow } from './lean-reads.js';

/**
 * A job as this service knows it in the graph: the key that the jobs service resolves. Reached
 * through an application, its title, location and company name come from the jobs replica
 * (Application.job provides them).
 */
export type JobReference = { id: string };

/** What an application's job shows from the jobs and companies replicas; companyName null: not known here yet. */
export type JobListing = { id: bigint; title: string; location: string | null; companyId: bigint; companyName: string | null };

/** A company as Application.job's company: the key that the jobs service resolves, and its name from the replicas. */
export type CompanyReference = { id: string; name: string | null };

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

/**
 * The applications a list field shows for one owner (a job or an applicant); status is the stored
 * value or null for all. `reads` says what else the client selected, so that the page's statement
 * reads it too: the count, the applicants' contact details (which the resolvers still show only
 * to those who may see them), the applicants' usernames, the jobs' title, location and company name,
 * the applications' attachments (whose download links are still decided per application) and
 * their interviews.
 */
export type OwnedPageKey = { ownerId: bigint; status: string | null; size: number; cursor: ApplicationCursor | undefined; reads: PageReads };
export type OwnedCountKey = { ownerId: bigint; status: string | null };
export type PageReads = {
  totalCount: boolean;
  applicantContacts: boolean;
  applicantUsernames: boolean;
  jobListings: boolean;
  attachments: boolean;
  interviews: boolean;
};

/**
 * Where an owner's applications are: the column of applications that names it, and the table that
 * counts them by status (kept by triggers in the same transaction as every write; see the
 * migration 20261201161551_application_counts), so that a count costs the same for 10 or 100,000
 * applications.
 */
const owners = {
  job: { column: new SqlFragment(['job_id'], []), counts: new SqlFragment(['job_application_counts'], []) },
  applicant: { column: new SqlFragment(['applicant_id'], []), counts: new SqlFragment(['applicant_application_counts'], []) },
} as const;
export type ApplicationOwner = keyof typeof owners;

const pageShape = (key: Omit<OwnedPageKey, 'ownerId'>) =>
  `${key.size}|${key.cursor ? encodeApplicationCursor(key.cursor) : ''}|${key.status ?? ''}|${key.reads.totalCount ? 'n' : ''}${key.reads.applicantContacts ? 'c' : ''}${key.reads.applicantUsernames ? 'u' : ''}${key.reads.jobListings ? 'j' : ''}${key.reads.attachments ? 'a' : ''}${key.reads.interviews ? 'i' : ''}`;

/** What the loaders of a request learn from a page's statement besides the page. */
export type PageSideReads = {
  primeApplication: (application: ApplicationRow) => void;
  primeCount: (key: OwnedCountKey, count: number) => void;
  /** null: the applicant has no contact row. */
  primeApplicantContact: (applicantId: bigint, contact: ApplicantContactRow | null) => void;
  /** The username shown for a user (shownUsername); null when the users replica has no row. */
  primeUsername: (userId: bigint, username: string | null) => void;
  primeJobListing: (jobId: bigint, listing: JobListing | null) => void;
  /** The application's attachments, oldest first (none: an empty list). */
  primeAttachments: (applicationId: bigint, attachments: ApplicationAttachmentRow[]) => void;
  /** The application's interviews, earliest first (none: an empty list). */
  primeInterviews: (applicationId: bigint, interviews: InterviewRow[]) => void;
};

/** An attachment row as the page's statement gives it (json_build_object): ids as text, times as ISO text. */
type AttachmentJson = {
  id: string;
  applicationId: string;
  fileName: string;
  fileType: string;
  fileSize: number;
  storageKey: string;
  uploadStatus: string;
  uploadExpiresAt: string;
  uploadedAt: string | null;
  createdAt: string;
};

const attachmentOf = (json: AttachmentJson): ApplicationAttachmentRow => ({
  id: BigInt(json.id),
  applicationId: BigInt(json.applicationId),
  fileName: json.fileName,
  fileType: json.fileType,
  fileSize: json.fileSize,
  storageKey: json.storageKey,
  uploadStatus: json.uploadStatus,
  uploadExpiresAt: new Date(json.uploadExpiresAt),
  uploadedAt: json.uploadedAt === null ? null : new Date(json.uploadedAt),
  createdAt: new Date(json.createdAt),
});

/** Each page row's attachments as one JSON array, in the order of Application.attachments' own loader. */
const attachmentsColumn = statement`(
  SELECT COALESCE(json_agg(json_build_object(
    'id', t.id::text, 'applicationId', t.application_id::text, 'fileName', t.file_name, 'fileType', t.file_type,
    'fileSize', t.file_size, 'storageKey', t.storage_key, 'uploadStatus', t.upload_status,
    'uploadExpiresAt', t.upload_expires_at, 'uploadedAt', t.uploaded_at, 'createdAt', t.created_at
  ) ORDER BY t.created_at, t.id), '[]'::json)
  FROM application_attachments t WHERE t.application_id = a.id)`;

/** An interview row as the page's statement gives it (json_build_object): ids as text, times as ISO text. */
type InterviewJson = Omit<InterviewRow, 'id' | 'applicationId' | 'scheduledAt' | 'createdAt' | 'updatedAt'> & {
  id: string;
  applicationId: string;
  scheduledAt: string;
  createdAt: string;
  updatedAt: string;
};

const interviewOf = (json: InterviewJson): InterviewRow => ({
  ...json,
  id: BigInt(json.id),
  applicationId: BigInt(json.applicationId),
  scheduledAt: new Date(json.scheduledAt),
  createdAt: new Date(json.createdAt),
  updatedAt: new Date(json.updatedAt),
});

/** Each page row's interviews as one JSON array, in the order of Application.interviews' own loader. */
const interviewsColumn = statement`(
  SELECT COALESCE(json_agg(json_build_object(
    'id', i.id::text, 'applicationId', i.application_id::text, 'interviewType', i.interview_type, 'scheduledAt', i.scheduled_at,
    'durationMinutes', i.duration_minutes, 'location', i.location, 'notes', i.notes, 'status', i.status,
    'cancellationReason', i.cancellation_reason, 'createdAt', i.created_at, 'updatedAt', i.updated_at
  ) ORDER BY i.scheduled_at, i.id), '[]'::json)
  FROM interviews i WHERE i.application_id = a.id)`;

type PageStatementRow = LeanApplicationRow & {
  ownerId: bigint;
  /** null when the count was not asked for. */
  total: number | null;
  /** false when the owner has no application on this page (the row only carries the count). */
  onPage: boolean;
  contactUserId: bigint | null;
  contactEmail: string | null;
  contactFirstName: string | null;
  contactLastName: string | null;
  usernameUserId: bigint | null;
  username: string | null;
  /** null when the job listing was not asked for, or the job is not in the replica. */
  listingJobId: bigint | null;
  jobTitle: string | null;
  jobLocation: string | null;
  jobCompanyId: bigint | null;
  jobCompanyName: string | null;
  /** null when the attachments were not asked for. */
  attachments: AttachmentJson[] | null;
  /** null when the interviews were not asked for. */
  interviews: InterviewJson[] | null;
};

const jobListingOf = (jobId: bigint, row: PageStatementRow): JobListing => ({
  id: jobId,
  title: row.jobTitle!,
  location: row.jobLocation,
  companyId: BigInt(row.jobCompanyId!),
  companyName: row.jobCompanyName,
});

/**
 * What Application.job shows of many jobs at once, from the jobs replica: the company's name is the
 * companies replica's (which a rename updates) when it has the company, else the one the job's last
 * event carried.
 */
export function createJobListingLoader(sql: LeanSql): DataLoader<bigint, JobListing | null, string> {
  return new DataLoader<bigint, JobListing | null, string>(async (jobIds) => {
    const rows = await sql.rows<JobListing>(statement`
      SELECT j.id, j.title, j.location, j.company_id AS "companyId", COALESCE(c.name, j.company_name) AS "companyName"
      FROM job_replicas j LEFT JOIN company_replicas c ON c.id = j.company_id
      WHERE j.id = ANY(${jobIds}::bigint[])`);
    const found = new Map(rows.map((row) => [row.id, row]));
    return jobIds.map((id) => found.get(id) ?? null);
  }, bigintKeys);
}

/** Usernames as shown (shownUsername) from the users replica, many at once; null when it has no row for the user. */
export function createUsernameLoader(sql: LeanSql): DataLoader<bigint, string | null, string> {
  return new DataLoader<bigint, string | null, string>(async (userIds) => {
    const rows = await sql.rows<{ id: bigint; username: string | null }>(statement`SELECT id, username FROM user_replicas WHERE id = ANY(${userIds}::bigint[])`);
    const found = new Map(rows.map((row) => [row.id, shownUsername(row.id, row.username)]));
    return userIds.map((id) => found.get(id) ?? null);
  }, bigintKeys);
}

/**
 * Pages of applications for many owners at once (Job.applications over a list of posted jobs,
 * User.applications): one statement per distinct page shape, each owner's page read with its rows
 * from the (owner, status, created_at, id) indexes, and with it, when the client asked, the owner's
 * count, the applicants' contact rows and usernames, the jobs' title, location and company name, and
 * the applications' attachments and interviews. An owner whose page is empty still gives one row, for its count.
 */
export function createOwnedPageLoader(sql: LeanSql, owner: ApplicationOwner, side: PageSideReads): DataLoader<OwnedPageKey, ApplicationRow[], string> {
  const { column, counts } = owners[owner];
  return new DataLoader<OwnedPageKey, ApplicationRow[], string>(
    async (keys) => {
      const groups = new Map<string, OwnedPageKey[]>();
      for (const key of keys) {
        const shape = pageShape(key);
        const group = groups.get(shape);
        if (group) group.push(key);
        else groups.set(shape, [key]);
      }
      const pages = new Map<string, ApplicationRow[]>();
      for (const [shape, group] of groups) {
        const { size, cursor, status, reads } = group[0]!;
        const ownerIds = [...new Set(group.map((k) => k.ownerId))];
        const statusIs = status === null ? emptyStatement : statement`AND status = ${status}::varchar`;
        const rows = await sql.rows<PageStatementRow>(statement`
          SELECT o.owner_id AS "ownerId", ${reads.totalCount ? statement`c.total` : statement`NULL::int`} AS total, a.id IS NOT NULL AS "onPage",
            ${APPLICATION_COLUMNS},
            ${reads.applicantContacts ? statement`ac.user_id` : statement`NULL::bigint`} AS "contactUserId",
            ${reads.applicantContacts ? statement`ac.email` : statement`NULL::varchar`} AS "contactEmail",
            ${reads.applicantContacts ? statement`ac.first_name` : statement`NULL::varchar`} AS "contactFirstName",
            ${reads.applicantContacts ? statement`ac.last_name` : statement`NULL::varchar`} AS "contactLastName",
            ${reads.applicantUsernames ? statement`ur.id` : statement`NULL::bigint`} AS "usernameUserId",
            ${reads.applicantUsernames ? statement`ur.username` : statement`NULL::varchar`} AS username,
            ${reads.jobListings ? statement`jr.id` : statement`NULL::bigint`} AS "listingJobId",
            ${reads.jobListings ? statement`jr.title` : statement`NULL::varchar`} AS "jobTitle",
            ${reads.jobListings ? statement`jr.location` : statement`NULL::varchar`} AS "jobLocation",
            ${reads.jobListings ? statement`jr.company_id` : statement`NULL::bigint`} AS "jobCompanyId",
            ${reads.jobListings ? statement`COALESCE(cr.name, jr.company_name)` : statement`NULL::varchar`} AS "jobCompanyName",
            ${reads.attachments ? attachmentsColumn : statement`NULL::json`} AS attachments,
            ${reads.interviews ? interviewsColumn : statement`NULL::json`} AS interviews
          FROM unnest(${ownerIds}::bigint[]) AS o(owner_id)
          ${reads.totalCount ? statement`CROSS JOIN LATERAL (SELECT COALESCE(sum(total), 0)::int AS total FROM ${counts} WHERE ${column} = o.owner_id ${statusIs}) AS c` : emptyStatement}
          LEFT JOIN LATERAL (
            SELECT * FROM applications
            WHERE ${column} = o.owner_id ${statusIs}
              ${cursor ? statement`AND (created_at, id) < (${cursor.createdAt}::timestamptz, ${cursor.id}::bigint)` : emptyStatement}
            ORDER BY created_at DESC, id DESC
            LIMIT ${size + 1}
          ) AS a ON true
          ${reads.applicantContacts ? statement`LEFT JOIN applicant_contacts ac ON ac.user_id = a.applicant_id` : emptyStatement}
          ${reads.applicantUsernames ? statement`LEFT JOIN user_replicas ur ON ur.id = a.applicant_id` : emptyStatement}
          ${reads.jobListings ? statement`LEFT JOIN job_replicas jr ON jr.id = a.job_id LEFT JOIN company_replicas cr ON cr.id = jr.company_id` : emptyStatement}
          ORDER BY o.owner_id, a.created_at DESC, a.id DESC`);
        for (const row of rows) {
          const { ownerId } = row;
          const key = `${ownerId}|${shape}`;
          if (row.total !== null) side.primeCount({ ownerId, status }, Number(row.total));
          const page = pages.get(key) ?? [];
          pages.set(key, page);
          if (!row.onPage) continue;
          const application = toApplicationRow(row);
          page.push(application);
          side.primeApplication(application);
          if (reads.applicantContacts) {
            side.primeApplicantContact(
              application.applicantId,
              row.contactUserId === null ? null : { userId: application.applicantId, email: row.contactEmail!, firstName: row.contactFirstName, lastName: row.contactLastName },
            );
          }
          if (reads.applicantUsernames) side.primeUsername(application.applicantId, row.usernameUserId === null ? null : shownUsername(application.applicantId, row.username));
          if (reads.jobListings) side.primeJobListing(application.jobId, row.listingJobId === null ? null : jobListingOf(application.jobId, row));
          if (row.attachments !== null) side.primeAttachments(application.id, row.attachments.map(attachmentOf));
          if (row.interviews !== null) side.primeInterviews(application.id, row.interviews.map(interviewOf));
        }
      }
      return keys.map((key) => pages.get(`${key.ownerId}|${pageShape(key)}`) ?? []);
    },
    { cacheKeyFn: (key) => `${key.ownerId}|${pageShape(key)}` },
  );
}

/** Application counts for many owners at once, from the counts by status: one query per distinct status filter. */
export function createOwnedCountLoader(sql: LeanSql, owner: ApplicationOwner): DataLoader<OwnedCountKey, number, string> {
  const { column, counts: countsTable } = owners[owner];
  const keyOf = (ownerId: bigint, status: string | null) => `${ownerId}|${status ?? ''}`;
  return new DataLoader<OwnedCountKey, number, string>(
    async (keys) => {
      const counts = new Map<string, number>();
      for (const status of new Set(keys.map((k) => k.status))) {
        const ownerIds = [...new Set(keys.filter((k) => k.status === status).map((k) => k.ownerId))];
        const rows = await sql.rows<{ owner_id: bigint; n: number }>(statement`
          SELECT ${column} AS owner_id, sum(total)::int AS n FROM ${countsTable}
          WHERE ${column} = ANY(${ownerIds}::bigint[]) AND (${status}::varchar IS NULL OR status = ${status}::varchar)
          GROUP BY 1`);
        for (const row of rows) counts.set(keyOf(row.owner_id, status), row.n);
      }
      return keys.map((key) => counts.get(keyOf(key.ownerId, key.status)) ?? 0);
    },
    { cacheKeyFn: (key) => keyOf(key.ownerId, key.status) },
  );
}
