import type { Role } from '@jobplatform/auth';
import type { StatusActor } from './application-status.js';

/**
 * Who may see an application and who may act on it. Two sides: the applicant, and the job's employer
 * side (the member of the company who posted the job, and the company's other members). Admins see
 * everything but take no part in a hiring decision, so every status change and interview names
 * someone on one of the two sides.
 */

/** The signed-in user as this service knows them. */
export type ViewerStanding = {
  userId: string;
  role: Role;
  /** Companies the viewer is a member of now, from the company members replica. */
  memberOfCompanyIds: ReadonlySet<string>;
};

/** Whose job it is, from the jobs replica. */
export type JobParties = { employerId: string; companyId: string };

export type ApplicationParties = JobParties & { applicantId: string };

/**
 * How the viewer stands to an application. The employer who posted the job counts only while still
 * a member of its company, as for changing the job in the jobs service: someone who left the company
 * no longer sees its candidates.
 */
export type ApplicationRelation = 'applicant' | 'employer' | 'company_member' | 'admin' | 'none';

export type JobRelation = Exclude<ApplicationRelation, 'applicant'>;

export function relationToJob(viewer: ViewerStanding, job: JobParties): JobRelation {
  if (viewer.memberOfCompanyIds.has(job.companyId)) return viewer.userId === job.employerId ? 'employer' : 'company_member';
  return viewer.role === 'admin' ? 'admin' : 'none';
}

export function relationToApplication(viewer: ViewerStanding, application: ApplicationParties): ApplicationRelation {
  if (viewer.userId === application.applicantId) return 'applicant';
  return relationToJob(viewer, application);
}

export type ApplicationAction =
  /** The application and everything on it: history, interviews, attachments' names. */
  | 'view'
  /** The applicant's email, first and last name. */
  | 'view_applicant_contact'
  /** A signed link to an attachment's bytes. */
  | 'download_attachments'
  | 'withdraw'
  /** Announce and delete attachments. */
  | 'manage_attachments'
  | 'change_status'
  /** Schedule, reschedule, cancel and complete interviews. */
  | 'manage_interviews';

const employerSide = ['employer', 'company_member'] as const satisfies readonly ApplicationRelation[];

const allowedRelations: Record<ApplicationAction, readonly ApplicationRelation[]> = {
  view: ['applicant', ...employerSide, 'admin'],
  view_applicant_contact: ['applicant', ...employerSide, 'admin'],
  // The bytes (a CV) go to the two sides only; an admin sees that a file exists.
  download_attachments: ['applicant', ...employerSide],
  withdraw: ['applicant'],
  manage_attachments: ['applicant'],
  change_status: employerSide,
  manage_interviews: employerSide,
};

const forbiddenMessages: Record<ApplicationAction, string> = {
  view: 'You may not see this application.',
  view_applicant_contact: "Only the applicant and the job's employer side see the applicant's contact details.",
  download_attachments: "Only the applicant and the job's employer side can download attachments.",
  withdraw: 'Only the applicant can withdraw an application.',
  manage_attachments: 'Only the applicant can add or remove attachments.',
  change_status: "Only the job's employer and the members of its company can change an application's status.",
  manage_interviews: "Only the job's employer and the members of its company can schedule and change interviews.",
};

export function isEmployerSide(relation: ApplicationRelation): boolean {
  return (employerSide as readonly ApplicationRelation[]).includes(relation);
}

export function mayActOnApplication(viewer: ViewerStanding, application: ApplicationParties, action: ApplicationAction): boolean {
  return allowedRelations[action].includes(relationToApplication(viewer, application));
}

/** The actor a status change is recorded under: the applicant's side or the employer's. */
export function statusActorOf(relation: 'applicant' | 'employer' | 'company_member'): StatusActor {
  return relation === 'applicant' ? 'applicant' : 'employer';
}

export type AccessRefusal = { ok: false; errorCode: 'NOT_FOUND' | 'FORBIDDEN'; message: string };

/**
 * Decides an action on an application. Someone who may not even see it is told it does not exist
 * (NOT_FOUND), so that ids cannot be probed; someone who sees it but may not do this gets FORBIDDEN
 * with who may.
 */
export function authorizeApplicationAction(
  viewer: ViewerStanding,
  application: ApplicationParties,
  action: ApplicationAction,
): { ok: true; relation: ApplicationRelation } | AccessRefusal {
  const relation = relationToApplication(viewer, application);
  if (!allowedRelations.view.includes(relation)) return { ok: false, errorCode: 'NOT_FOUND', message: 'There is no application with that id.' };
  if (!allowedRelations[action].includes(relation)) return { ok: false, errorCode: 'FORBIDDEN', message: forbiddenMessages[action] };
  return { ok: true, relation };
}

/** `Job.applications`: the job's employer side and admins. */
export function mayListJobApplications(viewer: ViewerStanding, job: JobParties): boolean {
  return relationToJob(viewer, job) !== 'none';
}

/** `User.applications`: the user themselves and admins. */
export function mayListUserApplications(viewer: Pick<ViewerStanding, 'userId' | 'role'>, userId: string): boolean {
  return viewer.userId === userId || viewer.role === 'admin';
}
