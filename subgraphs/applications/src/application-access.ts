import type { ApplicationsContext } from './context.js';
import type { ApplicationRow, JobReplicaRow } from './db.js';
import { authorizeApplicationAction, mayListJobApplications, type ApplicationAction } from './visibility.js';

/** The parties of an application for visibility.ts: the applicant, and the job's side from the jobs replica. */
export const applicationPartiesOf = (application: ApplicationRow, job: JobReplicaRow) => ({
  applicantId: application.applicantId.toString(),
  employerId: job.employerId.toString(),
  companyId: job.companyId.toString(),
});

/** Whether the signed-in user may take `action` on `application` (reads batch per request). */
export async function viewerMay(ctx: ApplicationsContext, application: ApplicationRow, action: ApplicationAction): Promise<boolean> {
  const [standing, job] = await Promise.all([ctx.loaders.viewerStanding(), ctx.loaders.jobById.load(application.jobId)]);
  if (!standing || !job) return false;
  return authorizeApplicationAction(standing, applicationPartiesOf(application, job), action).ok;
}

/** The application when the signed-in user may see it, else null: ids cannot be probed. */
export async function visibleApplication(ctx: ApplicationsContext, application: ApplicationRow | null): Promise<ApplicationRow | null> {
  return application && (await viewerMay(ctx, application, 'view')) ? application : null;
}

/** Whether the signed-in user may list a job's applications: its employer side and admins. */
export async function viewerMayListJobApplications(ctx: ApplicationsContext, jobId: bigint): Promise<boolean> {
  const { standing, job } = await ctx.loaders.jobAccess.load(jobId);
  if (!standing || !job) return false;
  return mayListJobApplications(standing, { employerId: job.employerId.toString(), companyId: job.companyId.toString() });
}
