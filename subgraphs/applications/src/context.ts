import DataLoader from 'dataloader';
import { bigintKeys, createByIdLoader, createGroupedLoader, type RequestContext } from '@jobplatform/service-runtime';
import {
  createJobListingLoader,
  createOwnedCountLoader,
  createOwnedPageLoader,
  createUsernameLoader,
  type JobListing,
  type OwnedCountKey,
  type OwnedPageKey,
  type PageSideReads,
} from './application-pages.js';
import type { ApplicantContactRow, ApplicationAttachmentRow, ApplicationRow, ApplicationStatusHistoryRow, ApplicationsDb, JobReplicaRow } from './db.js';
import type { ApplicationsDomain } from './server.js';
import type { ViewerStanding } from './visibility.js';

export type { ApplicantContactRow } from './db.js';

/** A job's replica row (null when the job is unknown here) and who the signed-in user is (undefined when signed out). */
export type JobAccess = { standing: ViewerStanding | undefined; job: JobReplicaRow | null };

export type ApplicationsLoaders = {
  applicationById: DataLoader<bigint, ApplicationRow | null, string>;
  /** Each application's history, oldest first. */
  historyByApplicationId: DataLoader<bigint, ApplicationStatusHistoryRow[], string>;
  /** The jobs replica's row of a job: whose it is, whether it is open. */
  jobById: DataLoader<bigint, JobReplicaRow | null, string>;
  /**
   * jobById and viewerStanding together, for Job.applications: one statement reads both when the
   * standing is not read yet (and primes both loaders).
   */
  jobAccess: DataLoader<bigint, JobAccess, string>;
  jobApplications: DataLoader<OwnedPageKey, ApplicationRow[], string>;
  jobApplicationCount: DataLoader<OwnedCountKey, number, string>;
  userApplications: DataLoader<OwnedPageKey, ApplicationRow[], string>;
  userApplicationCount: DataLoader<OwnedCountKey, number, string>;
  /** The signed-in user's application to each job (null when none, or when signed out). */
  viewerApplicationByJobId: DataLoader<bigint, ApplicationRow | null, string>;
  /** Job seekers' email and names from the applicant contacts replica. */
  applicantContactById: DataLoader<bigint, ApplicantContactRow | null, string>;
  /** Usernames as shown, from the users replica (null: no row). */
  usernameById: DataLoader<bigint, string | null, string>;
  /** What Application.job shows of a job (title, location, company name) from the jobs and companies replicas. */
  jobListingById: DataLoader<bigint, JobListing | null, string>;
  /** Who the signed-in user is to this service: role and the companies they act for (undefined when signed out). */
  viewerStanding: () => Promise<ViewerStanding | undefined>;
};

export type ApplicationsContext = RequestContext & ApplicationsDomain & { loaders: ApplicationsLoaders };

/** The companies `userId` acts for now, per the company members replica. */
export async function loadViewerStanding(db: Pick<ApplicationsDb, 'companyMemberReplica'>, viewer: { userId: string; role: ViewerStanding['role'] }): Promise<ViewerStanding> {
  const rows = await db.companyMemberReplica.findMany({ where: { userId: BigInt(viewer.userId), isMember: true }, select: { companyId: true } });
  return { userId: viewer.userId, role: viewer.role, memberOfCompanyIds: new Set(rows.map((row) => row.companyId.toString())) };
}

/** A once() whose value may also arrive from another statement that read it (prime). */
function primableOnce<T>(load: () => Promise<T>) {
  let pending: Promise<T> | undefined;
  return {
    get: () => (pending ??= load()),
    started: () => pending !== undefined,
    prime: (value: T) => void (pending ??= Promise.resolve(value)),
  };
}

type JobAccessRow = {
  memberOf: string[];
  id: bigint | null;
  companyId: bigint;
  employerId: bigint;
  title: string;
  location: string | null;
  companyName: string | null;
  isActive: boolean;
  applicationDeadline: Date | null;
  deletedAt: Date | null;
  version: bigint;
};

/** Loaders of the request kept elsewhere in the domain, which a page's statement also fills. */
export type RequestListPrimers = {
  /** Application.attachments' loader of this request (attachments.ts). */
  primeAttachments: (applicationId: bigint, attachments: ApplicationAttachmentRow[]) => void;
};

/** Per-request loaders: every entity reference and list field batches into one query per kind. */
export function createLoaders(db: ApplicationsDb, viewer: RequestContext['viewer'], primers: RequestListPrimers): ApplicationsLoaders {
  const applicationById = createByIdLoader((ids) => db.application.findMany({ where: { id: { in: ids } } }));
  const jobById = createByIdLoader((ids) => db.jobReplica.findMany({ where: { id: { in: ids } } }));
  const applicantContactById = createByIdLoader(
    (ids) => db.applicantContact.findMany({ where: { userId: { in: ids } }, select: { userId: true, email: true, firstName: true, lastName: true } }),
    (row) => row.userId,
  );
  const usernameById = createUsernameLoader(db);
  const jobListingById = createJobListingLoader(db);
  const userApplicationCount = createOwnedCountLoader(db, 'applicant');
  const jobApplicationCount = createOwnedCountLoader(db, 'job');
  const primeApplication = (application: ApplicationRow) => void applicationById.prime(application.id, application);
  const primeApplicantContact = (applicantId: bigint, contact: ApplicantContactRow | null) => void applicantContactById.prime(applicantId, contact);
  const sideReads = (counts: DataLoader<OwnedCountKey, number, string>): PageSideReads => ({
    primeApplication,
    primeApplicantContact,
    primeUsername: (userId, username) => void usernameById.prime(userId, username),
    primeJobListing: (jobId, listing) => void jobListingById.prime(jobId, listing),
    primeAttachments: primers.primeAttachments,
    primeCount: (key, count) => void counts.prime(key, count),
  });
  const standing = primableOnce(async () => (viewer ? loadViewerStanding(db, viewer) : undefined));

  const jobAccess = new DataLoader<bigint, JobAccess, string>(async (jobIds) => {
    if (!viewer || standing.started()) {
      const [viewerStanding, jobs] = await Promise.all([standing.get(), Promise.all(jobIds.map((id) => jobById.load(id)))]);
      return jobs.map((job) => ({ standing: viewerStanding, job }));
    }
    // The viewer's memberships ride along with the job rows: one row even when no job matches.
    const rows = await db.$queryRaw<JobAccessRow[]>`
      SELECT m.member_of AS "memberOf", j.id, j.company_id AS "companyId", j.employer_id AS "employerId", j.title,
        j.location, j.company_name AS "companyName", j.is_active AS "isActive", j.application_deadline AS "applicationDeadline", j.deleted_at AS "deletedAt", j.version
      FROM (SELECT ARRAY(SELECT company_id::text FROM company_member_replicas WHERE user_id = ${BigInt(viewer.userId)} AND is_member) AS member_of) AS m
      LEFT JOIN job_replicas j ON j.id = ANY(${[...jobIds]}::bigint[])`;
    const viewerStanding: ViewerStanding = { userId: viewer.userId, role: viewer.role, memberOfCompanyIds: new Set(rows[0]!.memberOf) };
    standing.prime(viewerStanding);
    const found = new Map<bigint, JobReplicaRow>();
    for (const { memberOf: _memberOf, id, ...rest } of rows) {
      if (id === null) continue;
      const job: JobReplicaRow = { id: BigInt(id), ...rest };
      found.set(job.id, job);
      jobById.prime(job.id, job);
    }
    return jobIds.map((id) => ({ standing: viewerStanding, job: found.get(id) ?? null }));
  }, bigintKeys);

  return {
    applicationById,
    historyByApplicationId: createGroupedLoader(
      (ids) => db.applicationStatusHistory.findMany({ where: { applicationId: { in: ids } }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] }),
      (row) => row.applicationId,
    ),
    jobById,
    jobAccess,
    jobApplications: createOwnedPageLoader(db, 'job', sideReads(jobApplicationCount)),
    jobApplicationCount,
    userApplications: createOwnedPageLoader(db, 'applicant', sideReads(userApplicationCount)),
    userApplicationCount,
    viewerApplicationByJobId: new DataLoader<bigint, ApplicationRow | null, string>(async (jobIds) => {
      if (!viewer) return jobIds.map(() => null);
      const rows = await db.application.findMany({ where: { applicantId: BigInt(viewer.userId), jobId: { in: [...jobIds] } } });
      rows.forEach(primeApplication);
      const byJob = new Map(rows.map((row) => [row.jobId, row]));
      return jobIds.map((id) => byJob.get(id) ?? null);
    }, bigintKeys),
    applicantContactById,
    usernameById,
    jobListingById,
    viewerStanding: standing.get,
  };
}
