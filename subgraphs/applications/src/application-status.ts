/**
 * The hiring pipeline: which status an application may move to, and who may move it there.
 * Statuses are the API's enum values; the database stores them in lower case (statusColumn).
 */

export const applicationStatuses = ['PENDING', 'REVIEWING', 'SHORTLISTED', 'INTERVIEWING', 'OFFERED', 'HIRED', 'REJECTED', 'WITHDRAWN'] as const;
export type ApplicationStatus = (typeof applicationStatuses)[number];

/** The forward path. REJECTED and WITHDRAWN leave it from any status that is not final. */
export const pipelineStatuses = ['PENDING', 'REVIEWING', 'SHORTLISTED', 'INTERVIEWING', 'OFFERED', 'HIRED'] as const satisfies readonly ApplicationStatus[];

export const finalStatuses = ['HIRED', 'REJECTED', 'WITHDRAWN'] as const satisfies readonly ApplicationStatus[];

/**
 * Who asks for the change. `employer` is the job's employer side (the employer and the members of
 * its company); `system` is the platform itself, e.g. when the job closes.
 */
export type StatusActor = 'applicant' | 'employer' | 'system';

export type StatusRefusalReason = 'FINAL_STATUS' | 'NOT_PERMITTED_FOR_ACTOR' | 'ALREADY_IN_STATUS' | 'BACKWARD';

/**
 * Why a change is refused, with the error code to send: CONFLICT when the application's current
 * status is in the way (asking again later or for another status may work), FORBIDDEN when this
 * actor may never make the change.
 */
export type StatusRefusal = {
  ok: false;
  reason: StatusRefusalReason;
  errorCode: 'CONFLICT' | 'FORBIDDEN';
  message: string;
};

export type StatusDecision = { ok: true; from: ApplicationStatus; to: ApplicationStatus; isActive: boolean } | StatusRefusal;

export function isApplicationStatus(value: unknown): value is ApplicationStatus {
  return typeof value === 'string' && (applicationStatuses as readonly string[]).includes(value);
}

export function isFinalStatus(status: ApplicationStatus): boolean {
  return (finalStatuses as readonly ApplicationStatus[]).includes(status);
}

/** Position on the forward path, or -1 for REJECTED and WITHDRAWN. */
function pipelineIndex(status: ApplicationStatus): number {
  return (pipelineStatuses as readonly ApplicationStatus[]).indexOf(status);
}

/** The statuses `actor` may move an application in status `from` to, in pipeline order. */
export function listNextStatuses(from: ApplicationStatus, actor: StatusActor): ApplicationStatus[] {
  if (isFinalStatus(from)) return [];
  switch (actor) {
    case 'applicant':
      return ['WITHDRAWN'];
    case 'system':
      return ['REJECTED'];
    case 'employer':
      return [...pipelineStatuses.slice(pipelineIndex(from) + 1), 'REJECTED'];
  }
}

const refuse = (reason: StatusRefusalReason, message: string): StatusRefusal => ({
  ok: false,
  reason,
  errorCode: reason === 'NOT_PERMITTED_FOR_ACTOR' ? 'FORBIDDEN' : 'CONFLICT',
  message,
});

const listed = (statuses: readonly string[]) => (statuses.length <= 1 ? (statuses[0] ?? '') : `${statuses.slice(0, -1).join(', ')} or ${statuses[statuses.length - 1]}`);

/**
 * Decides whether `actor` may move an application from `from` to `to`. The checks run from the most
 * to the least fundamental, so the message names the real obstacle: a final status first, then what
 * the actor may do at all, then the direction.
 */
export function decideStatusTransition(from: ApplicationStatus, to: ApplicationStatus, actor: StatusActor): StatusDecision {
  if (isFinalStatus(from)) {
    return refuse('FINAL_STATUS', `The application is ${from}, which is final: its status can no longer change.`);
  }
  if (actor === 'applicant' && to !== 'WITHDRAWN') {
    return refuse('NOT_PERMITTED_FOR_ACTOR', 'An applicant can only withdraw their application (withdrawApplication); the employer side moves it along the pipeline.');
  }
  if (actor === 'employer' && to === 'WITHDRAWN') {
    return refuse('NOT_PERMITTED_FOR_ACTOR', 'Only the applicant can withdraw an application; to turn it down, set its status to REJECTED.');
  }
  if (actor === 'system' && to !== 'REJECTED') {
    return refuse('NOT_PERMITTED_FOR_ACTOR', 'The platform only rejects applications (for example when their job closes).');
  }
  if (to === from) {
    return refuse('ALREADY_IN_STATUS', `The application is already ${from}.`);
  }
  if (to !== 'REJECTED' && to !== 'WITHDRAWN' && pipelineIndex(to) < pipelineIndex(from)) {
    return refuse('BACKWARD', `An application only moves forward: it is ${from}, so it can move to ${listed(listNextStatuses(from, actor))}, not back to ${to}.`);
  }
  return { ok: true, from, to, isActive: !isFinalStatus(to) };
}

/** The value stored in applications.status and application_status_history.status. */
export function statusColumn(status: ApplicationStatus): Lowercase<ApplicationStatus> {
  return status.toLowerCase() as Lowercase<ApplicationStatus>;
}

/** Reads a stored status; throws on a value the CHECK constraint should have kept out. */
export function statusFromColumn(value: string): ApplicationStatus {
  const status = value.toUpperCase();
  if (!isApplicationStatus(status)) throw new Error(`unknown application status in the database: ${JSON.stringify(value)}`);
  return status;
}
