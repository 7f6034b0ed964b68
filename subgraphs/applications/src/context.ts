import DataLoader from 'dataloader';
import { bigintKeys, createByIdLoader, createGroupedLoader, type LeanSql, type RequestContext } from '@jobplatform/service-runtime';
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
import type { ApplicantContactRow, ApplicationAttachmentRow, ApplicationRow, ApplicationStatusHistoryRow, ApplicationsDb, InterviewRow, JobReplicaRow } from './db.js';
import type { LeanReads } from './lean-reads.js';
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
  return standingOf(
    viewer,
    rows.map((row) => row.companyId.toString()),
  );
}

const standingOf = (viewer: { userId: string; role: ViewerStanding['role'] }, companyIds: string[]): ViewerStanding => ({
  userId: viewer.userId,
  role: viewer.role,
  memberOfCompanyIds: new Set(companyIds),
});

/** A once() whose value may also arrive from another statement that read it (prime). */
function primableOnce<T>(load: () => Promise<T>) {
  let pending: Promise<T> | undefined;
  return {
    get: () => (pending ??= load()),
    started: () => pending !== undefined,
    prime: (value: T) => void (pending ??= Promise.resolve(value)),
  };
}

/** Loaders of the request kept elsewhere in the domain, which a page's statement also fills. */
export type RequestListPrimers = {
  /** Application.attachments' loader of this request (attachments.ts). */
  primeAttachments: (applicationId: bigint, attachments: ApplicationAttachmentRow[]) => void;
  /** Application.interviews' loader of this request (interviews.ts). */
  primeInterviews: (applicationId: bigint, interviews: InterviewRow[]) => void;
};

/**
 * Per-request loaders: every entity reference and list field batches into one query per kind, over
 * the service's node-postgres client (lean-reads.ts).
 */
export function createLoaders(sql: LeanSql, reads: LeanReads, viewer: RequestContext['viewer'], primers: RequestListPrimers): ApplicationsLoaders {
  const applicationById = createByIdLoader((ids) => reads.applicationsById(ids));
  const jobById = createByIdLoader((ids) => reads.jobsById(ids));
  const applicantContactById = createByIdLoader(
    (ids) => reads.applicantContactsById(ids),
    (row) => row.userId,
  );
  const usernameById = createUsernameLoader(sql);
  const jobListingById = createJobListingLoader(sql);
  const userApplicationCount = createOwnedCountLoader(sql, 'applicant');
  const jobApplicationCount = createOwnedCountLoader(sql, 'job');
  const primeApplication = (application: ApplicationRow) => void applicationById.prime(application.id, application);
  const primeApplicantContact = (applicantId: bigint, contact: ApplicantContactRow | null) => void applicantContactById.prime(applicantId, contact);
  const sideReads = (counts: DataLoader<OwnedCountKey, number, string>): PageSideReads => ({
    primeApplication,
    primeApplicantContact,
    primeUsername: (userId, username) => void usernameById.prime(userId, username),
    primeJobListing: (jobId, listing) => void jobListingById.prime(jobId, listing),
    primeAttachments: primers.primeAttachments,
    primeInterviews: primers.primeInterviews,
    primeCount: (key, count) => void counts.prime(key, count),
  });
  const standing = primableOnce(async () => (viewer ? standingOf(viewer, await reads.companiesOfMember(BigInt(viewer.userId))) : undefined));

  const jobAccess = new DataLoader<bigint, JobAccess, string>(async (jobIds) => {
    if (!viewer || standing.started()) {
      const [viewerStanding, jobs] = await Promise.all([standing.get(), Promise.all(jobIds.map((id) => jobById.load(id)))]);
      return jobs.map((job) => ({ standing: viewerStanding, job }));
    }
    // The viewer's memberships ride along with the job rows: one row even when no job matches.
    const rows = await reads.jobsWithMemberships(BigInt(viewer.userId), jobIds);
    const viewerStanding = standingOf(viewer, rows[0]!.memberOf);
    standing.prime(viewerStanding);
    const found = new Map<bigint, JobReplicaRow>();
    for (const { memberOf: _memberOf, id, ...rest } of rows) {
      if (id === null) continue;
      const job: JobReplicaRow = { id, ...rest };
      found.set(job.id, job);
      jobById.prime(job.id, job);
    }
    return jobIds.map((id) => ({ standing: viewerStanding, job: found.get(id) ?? null }));
  }, bigintKeys);

  return {
    applicationById,
    historyByApplicationId: createGroupedLoader(
      (ids) => reads.historyOf(ids),
      (row) => row.applicationId,
    ),
    jobById,
    jobAccess,
    jobApplications: createOwnedPageLoader(sql, 'job', sideReads(jobApplicationCount)),
    jobApplicationCount,
    userApplications: createOwnedPageLoader(sql, 'applicant', sideReads(userApplicationCount)),
    userApplicationCount,
    viewerApplicationByJobId: new DataLoader<bigint, ApplicationRow | null, string>(async (jobIds) => {
      if (!viewer) return jobIds.map(() => null);
      const rows = await reads.applicationsOfApplicant(BigInt(viewer.userId), jobIds);
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
