import DataLoader from 'dataloader';
import { bigintKeys, createByIdLoader, createGroupedLoader, once, type RequestContext } from '@jobplatform/service-runtime';
import { createOwnedCountLoader, createOwnedPageLoader, type OwnedCountKey, type OwnedPageKey } from './application-pages.js';
import type { ApplicationRow, ApplicationStatusHistoryRow, ApplicationsDb, JobReplicaRow } from './db.js';
import type { ApplicationsDomain } from './server.js';
import type { ViewerStanding } from './visibility.js';

export type ApplicantContactRow = { userId: bigint; email: string; firstName: string | null; lastName: string | null };

export type ApplicationsLoaders = {
  applicationById: DataLoader<bigint, ApplicationRow | null, string>;
  /** Each application's history, oldest first. */
  historyByApplicationId: DataLoader<bigint, ApplicationStatusHistoryRow[], string>;
  /** The jobs replica's row of a job: whose it is, whether it is open. */
  jobById: DataLoader<bigint, JobReplicaRow | null, string>;
  jobApplications: DataLoader<OwnedPageKey, ApplicationRow[], string>;
  jobApplicationCount: DataLoader<OwnedCountKey, number, string>;
  userApplications: DataLoader<OwnedPageKey, ApplicationRow[], string>;
  userApplicationCount: DataLoader<OwnedCountKey, number, string>;
  /** The signed-in user's application to each job (null when none, or when signed out). */
  viewerApplicationByJobId: DataLoader<bigint, ApplicationRow | null, string>;
  /** Job seekers' email and names from the applicant contacts replica. */
  applicantContactById: DataLoader<bigint, ApplicantContactRow | null, string>;
  /** Who the signed-in user is to this service: role and the companies they act for (undefined when signed out). */
  viewerStanding: () => Promise<ViewerStanding | undefined>;
};

export type ApplicationsContext = RequestContext & ApplicationsDomain & { loaders: ApplicationsLoaders };

/** The companies `userId` acts for now, per the company members replica. */
export async function loadViewerStanding(db: Pick<ApplicationsDb, 'companyMemberReplica'>, viewer: { userId: string; role: ViewerStanding['role'] }): Promise<ViewerStanding> {
  const rows = await db.companyMemberReplica.findMany({ where: { userId: BigInt(viewer.userId), isMember: true }, select: { companyId: true } });
  return { userId: viewer.userId, role: viewer.role, memberOfCompanyIds: new Set(rows.map((row) => row.companyId.toString())) };
}

/** Per-request loaders: every entity reference and list field batches into one query per kind. */
export function createLoaders(db: ApplicationsDb, viewer: RequestContext['viewer']): ApplicationsLoaders {
  const applicationById = createByIdLoader((ids) => db.application.findMany({ where: { id: { in: ids } } }));
  const primeApplication = (application: ApplicationRow) => void applicationById.prime(application.id, application);
  return {
    applicationById,
    historyByApplicationId: createGroupedLoader(
      (ids) => db.applicationStatusHistory.findMany({ where: { applicationId: { in: ids } }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] }),
      (row) => row.applicationId,
    ),
    jobById: createByIdLoader((ids) => db.jobReplica.findMany({ where: { id: { in: ids } } })),
    jobApplications: createOwnedPageLoader(db, 'job', primeApplication),
    jobApplicationCount: createOwnedCountLoader(db, 'job'),
    userApplications: createOwnedPageLoader(db, 'applicant', primeApplication),
    userApplicationCount: createOwnedCountLoader(db, 'applicant'),
    viewerApplicationByJobId: new DataLoader<bigint, ApplicationRow | null, string>(async (jobIds) => {
      if (!viewer) return jobIds.map(() => null);
      const rows = await db.application.findMany({ where: { applicantId: BigInt(viewer.userId), jobId: { in: [...jobIds] } } });
      rows.forEach(primeApplication);
      const byJob = new Map(rows.map((row) => [row.jobId, row]));
      return jobIds.map((id) => byJob.get(id) ?? null);
    }, bigintKeys),
    applicantContactById: createByIdLoader(
      (ids) => db.applicantContact.findMany({ where: { userId: { in: ids } }, select: { userId: true, email: true, firstName: true, lastName: true } }),
      (row) => row.userId,
    ),
    viewerStanding: once(async () => (viewer ? loadViewerStanding(db, viewer) : undefined)),
  };
}
