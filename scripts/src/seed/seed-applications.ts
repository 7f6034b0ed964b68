// Applications in the demo data (and the benchmarks' bulk of them), written through the
// applications service's own rules: a job seeker applies (one per job, open jobs only, history and
// event in the same transaction), the job's employer moves the application along the pipeline or
// rejects it, the seeker withdraws. Those rules read applications_db's copies of jobs, company
// members and users, which the running applications service keeps from jobs' and users' events;
// so the seed first waits until those copies hold what it is about to use.
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Viewer } from '@jobplatform/auth';
import type { Logger } from '@jobplatform/config';
import { AppError, loadSubgraphEnv, openSubgraphDomain } from '@jobplatform/service-runtime';
import { applicationsSubgraph, type ApplicationsDomain } from '../../../subgraphs/applications/src/server.js';
import type { ApplicationStatus } from '../../../subgraphs/applications/src/application-status.js';
import type { Random } from './random.js';
import { asViewer, inParallel, retryExpiredTransaction } from './seed-platform.js';
import { cvPdf, noteText } from './demo-files.js';
import { coverLetterSentences, statusNotes } from './vocabulary.js';

export type SeedApplicationsDomain = Pick<ApplicationsDomain, 'db' | 'applications' | 'interviews' | 'attachments'>;

export type SeedApplications = {
  domain: SeedApplicationsDomain;
  /** Where local storage's upload URLs point (PUBLIC_ORIGIN). */
  publicOrigin: string;
  close(): Promise<void>;
};

/**
 * The applications domain over its database, without HTTP or NATS: its outbox is published by the
 * running service. `settings` are the service's own (APPLICATIONS_BLOB_DIR, APPLICATIONS_S3_*,
 * PUBLIC_ORIGIN): attachment bytes must go to the blob store the running service reads.
 */
export async function openSeedApplications(
  options: { applicationsDatabaseUrl: string; logLevel: string; poolSize: number; settings?: NodeJS.ProcessEnv },
  logger: Logger,
): Promise<SeedApplications> {
  const env = loadSubgraphEnv('applications', applicationsSubgraph.env, {
    NODE_ENV: 'test',
    LOG_LEVEL: options.logLevel,
    // Its upload URLs are used by the seed itself, at once: a key of its own signs them.
    APPLICATIONS_UPLOAD_SIGNING_SECRET: randomBytes(32).toString('base64url'),
    ...options.settings,
    APPLICATIONS_DATABASE_URL: options.applicationsDatabaseUrl,
    APPLICATIONS_DATABASE_POOL_SIZE: String(options.poolSize),
  });
  const opened = await openSubgraphDomain(applicationsSubgraph, env, { logger });
  return { domain: opened.domain, publicOrigin: env.own.PUBLIC_ORIGIN, close: opened.close };
}

/** What the seed is about to use, which applications_db must have heard of first. */
export type ReplicaNeeds = {
  /** Jobs with their state in jobs_db: the copy must agree (a job closed since it was created counts as closed). */
  jobs: { id: bigint; isActive: boolean }[];
  /** Job seekers: the users copy (who may apply) and the applicant contacts (what the employer side sees). */
  seekers: bigint[];
  /** Employers acting for their companies: the company members copy. */
  members: { companyId: bigint; userId: bigint }[];
};

type Missing = { jobs: number; seekers: number; contacts: number; members: number };

async function countMissing(db: SeedApplicationsDomain['db'], needs: ReplicaNeeds): Promise<Missing> {
  const [jobs, seekers, contacts, members] = await Promise.all([
    db.$queryRaw<{ n: number }[]>`
      SELECT count(*)::int AS n FROM unnest(${needs.jobs.map((job) => job.id)}::bigint[], ${needs.jobs.map((job) => job.isActive)}::boolean[]) AS w(id, is_active)
      LEFT JOIN job_replicas r ON r.id = w.id
      WHERE r.id IS NULL OR r.is_active <> w.is_active`,
    db.$queryRaw<{ n: number }[]>`
      SELECT count(*)::int AS n FROM unnest(${needs.seekers}::bigint[]) AS w(id)
      WHERE NOT EXISTS (SELECT 1 FROM user_replicas r WHERE r.id = w.id)`,
    db.$queryRaw<{ n: number }[]>`
      SELECT count(*)::int AS n FROM unnest(${needs.seekers}::bigint[]) AS w(id)
      WHERE NOT EXISTS (SELECT 1 FROM applicant_contacts c WHERE c.user_id = w.id)`,
    db.$queryRaw<{ n: number }[]>`
      SELECT count(*)::int AS n FROM unnest(${needs.members.map((m) => m.companyId)}::bigint[], ${needs.members.map((m) => m.userId)}::bigint[]) AS w(company_id, user_id)
      WHERE NOT EXISTS (SELECT 1 FROM company_member_replicas m WHERE m.company_id = w.company_id AND m.user_id = w.user_id AND m.is_member)`,
  ]);
  return { jobs: jobs[0]!.n, seekers: seekers[0]!.n, contacts: contacts[0]!.n, members: members[0]!.n };
}

const describeMissing = (missing: Missing) =>
  `${missing.jobs} jobs, ${missing.seekers} job seekers, ${missing.contacts} applicant contacts and ${missing.members} company members not there yet`;

/**
 * Waits until applications_db's copies hold every job (in its current state), job seeker and
 * company member in `needs`. They arrive as events: jobs' and users' relays publish them, the
 * applications service consumes them. Fails after `timeoutMs` saying what is missing.
 */
export async function waitForApplicationsReplicas(
  db: SeedApplicationsDomain['db'],
  needs: ReplicaNeeds,
  options: { timeoutMs: number; say?: (line: string) => void },
): Promise<void> {
  const started = Date.now();
  let saidAt = started;
  for (;;) {
    const missing = await countMissing(db, needs);
    if (missing.jobs + missing.seekers + missing.contacts + missing.members === 0) return;
    if (Date.now() - started > options.timeoutMs) {
      throw new Error(
        `applications_db still has ${describeMissing(missing)} after ${Math.round(options.timeoutMs / 1000)} s. ` +
          'The applications service copies them from the events of jobs and users: is the platform running (npm start)?',
      );
    }
    if (Date.now() - saidAt >= 10_000) {
      options.say?.(`waiting for the applications service's copies of jobs and users: ${describeMissing(missing)}`);
      saidAt = Date.now();
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

export type PlannedApplication = {
  seeker: Viewer;
  jobId: bigint;
  coverLetter?: string;
  expectedSalary?: number;
  /** Days from today. */
  availableInDays?: number;
};

export type ExistingApplication = { id: bigint; jobId: bigint; applicantId: bigint; status: string };

const pairKey = (jobId: bigint, applicantId: bigint) => `${jobId}|${applicantId}`;

/** The applications the seekers have made already, by job and applicant. */
export async function findApplications(db: SeedApplicationsDomain['db'], seekerIds: bigint[]): Promise<Map<string, ExistingApplication>> {
  const rows = await db.application.findMany({ where: { applicantId: { in: seekerIds } }, select: { id: true, jobId: true, applicantId: true, status: true } });
  return new Map(rows.map((row) => [pairKey(row.jobId, row.applicantId), row]));
}

/** A refusal because the job no longer takes applications (closed, deleted, deadline passed). */
const isJobRefusal = (error: unknown) =>
  error instanceof AppError && error.code === 'BAD_USER_INPUT' && (error.details.fields ?? []).some((problem) => problem.field === 'input.jobId');

const isoDay = (daysFromToday: number) => new Date(Date.now() + daysFromToday * 86_400_000).toISOString().slice(0, 10);

/**
 * Applies for each plan that has no application yet, `concurrency` at a time, through
 * applyToJob's rules. A job that no longer takes applications is skipped; any other refusal fails.
 */
export async function submitApplications(
  domain: SeedApplicationsDomain,
  plans: PlannedApplication[],
  options: { concurrency: number; existing: Map<string, ExistingApplication>; say?: (line: string) => void },
): Promise<{ applications: Map<string, ExistingApplication>; added: number; skipped: number }> {
  const applications = new Map(options.existing);
  const missing = plans.filter((plan) => !applications.has(pairKey(plan.jobId, BigInt(plan.seeker.userId))));
  let added = 0;
  let skipped = 0;
  await inParallel(missing, options.concurrency, async (plan) => {
    try {
      const row = await retryExpiredTransaction(() =>
        domain.applications.apply(plan.seeker, {
          jobId: plan.jobId.toString(),
          ...(plan.coverLetter !== undefined ? { coverLetter: plan.coverLetter } : {}),
          ...(plan.expectedSalary !== undefined ? { expectedSalary: plan.expectedSalary } : {}),
          ...(plan.availableInDays !== undefined ? { availabilityDate: isoDay(plan.availableInDays) } : {}),
        }),
      );
      applications.set(pairKey(row.jobId, row.applicantId), { id: row.id, jobId: row.jobId, applicantId: row.applicantId, status: row.status });
      added += 1;
      if (added % 2000 === 0) options.say?.(`applications: ${added} of ${missing.length}`);
    } catch (error) {
      if (!isJobRefusal(error)) throw error;
      skipped += 1;
    }
  });
  return { applications, added, skipped };
}

/**
 * Where an application goes after PENDING, as its employer (or, for WITHDRAWN, its applicant)
 * moves it: each path is a prefix of the pipeline, possibly ending in REJECTED or WITHDRAWN.
 */
const paths: { weight: number; steps: ApplicationStatus[] }[] = [
  { weight: 35, steps: [] },
  { weight: 18, steps: ['REVIEWING'] },
  { weight: 10, steps: ['REVIEWING', 'SHORTLISTED'] },
  { weight: 8, steps: ['REVIEWING', 'SHORTLISTED', 'INTERVIEWING'] },
  { weight: 4, steps: ['REVIEWING', 'SHORTLISTED', 'INTERVIEWING', 'OFFERED'] },
  { weight: 3, steps: ['REVIEWING', 'SHORTLISTED', 'INTERVIEWING', 'OFFERED', 'HIRED'] },
  { weight: 6, steps: ['REJECTED'] },
  { weight: 6, steps: ['REVIEWING', 'REJECTED'] },
  { weight: 3, steps: ['REVIEWING', 'SHORTLISTED', 'INTERVIEWING', 'REJECTED'] },
  { weight: 5, steps: ['WITHDRAWN'] },
  { weight: 2, steps: ['REVIEWING', 'WITHDRAWN'] },
];
const totalWeight = paths.reduce((sum, path) => sum + path.weight, 0);

export function drawPath(random: Random): ApplicationStatus[] {
  let at = random.next() * totalWeight;
  for (const path of paths) {
    at -= path.weight;
    if (at < 0) return path.steps;
  }
  return [];
}

/** The steps of `path` still to take from `status` (stored, lower case); none when the application went elsewhere. */
export function stepsLeft(path: ApplicationStatus[], status: string): ApplicationStatus[] {
  const taken = ['PENDING', ...path].indexOf(status.toUpperCase() as ApplicationStatus);
  return taken === -1 ? [] : path.slice(taken);
}

/**
 * The interview that moves an application to INTERVIEWING (scheduling does that), days ahead at a
 * whole hour; then moved to another day, or called off and booked again, or left as it is.
 */
export type PlannedInterview = {
  interviewType: 'PHONE' | 'VIDEO' | 'IN_PERSON';
  inDays: number;
  hourUtc: number;
  durationMinutes: number;
  location: string | null;
  followUp: 'none' | 'reschedule' | 'cancel_and_book_again';
};

/** An application and the path drawn for it, with the employer's note for each step (null: none). */
export type PlannedMoves = {
  application: ExistingApplication;
  employer: Viewer;
  seeker: Viewer;
  path: ApplicationStatus[];
  notes: (string | null)[];
  /** How INTERVIEWING is reached; a plain status change when absent. */
  interview?: PlannedInterview;
};

const atHour = (inDays: number, hourUtc: number) => {
  const day = new Date(Date.now() + inDays * 86_400_000);
  day.setUTCHours(hourUtc, 0, 0, 0);
  return day.toISOString();
};

/** Schedules the planned interview, which moves the application to INTERVIEWING, and its follow-up. Returns how many interviews it booked. */
async function holdInterviews(domain: SeedApplicationsDomain, employer: Viewer, applicationId: bigint, plan: PlannedInterview): Promise<number> {
  const book = (inDays: number) =>
    retryExpiredTransaction(() =>
      domain.interviews.schedule(employer, {
        applicationId: applicationId.toString(),
        interviewType: plan.interviewType,
        scheduledAt: atHour(inDays, plan.hourUtc),
        durationMinutes: plan.durationMinutes,
        location: plan.location,
      }),
    );
  const interview = await book(plan.inDays);
  if (plan.followUp === 'reschedule') {
    await retryExpiredTransaction(() => domain.interviews.reschedule(employer, interview.id.toString(), atHour(plan.inDays + 2, plan.hourUtc), null));
  } else if (plan.followUp === 'cancel_and_book_again') {
    await retryExpiredTransaction(() => domain.interviews.cancel(employer, interview.id.toString(), 'The interviewer is away that day; a new time follows.'));
    await book(plan.inDays + 7);
    return 2;
  }
  return 1;
}

/**
 * Takes the steps each application has left, in order per application, `concurrency` applications
 * at a time: the employer's status changes (INTERVIEWING by scheduling the planned interview), the
 * applicant's withdrawal. Returns the status changes and interviews made.
 */
export async function moveApplications(
  domain: SeedApplicationsDomain,
  moves: PlannedMoves[],
  options: { concurrency: number },
): Promise<{ statusChanges: number; interviews: number }> {
  let statusChanges = 0;
  let interviews = 0;
  await inParallel(moves, options.concurrency, async ({ application, employer, seeker, path, notes, interview }) => {
    for (const step of stepsLeft(path, application.status)) {
      const index = path.indexOf(step);
      if (step === 'INTERVIEWING' && interview) {
        // Awaited first: `interviews += await …` reads the total before the await and loses the
        // interviews other applications booked meanwhile.
        const booked = await holdInterviews(domain, employer, application.id, interview);
        interviews += booked;
        application.status = 'interviewing';
      } else {
        const row = await retryExpiredTransaction(() =>
          step === 'WITHDRAWN'
            ? domain.applications.withdraw(seeker, application.id.toString())
            : domain.applications.updateStatus(employer, application.id.toString(), step, notes[index] ?? null),
        );
        application.status = row.status;
      }
      statusChanges += 1;
    }
  });
  return { statusChanges, interviews };
}

/** A file an applicant attaches: its name, type and bytes. */
export type PlannedFile = { fileName: string; fileType: 'PDF' | 'TXT'; bytes: Buffer };

/**
 * Attaches the files to applications that have none yet and are not final, as their applicants do:
 * createAttachmentUpload, then the bytes to the upload URL (the upload route's own handling for
 * local storage, a PUT for an S3 presigned URL). Returns how many files were attached.
 */
export async function attachFiles(
  opened: Pick<SeedApplications, 'domain' | 'publicOrigin'>,
  items: { application: ExistingApplication; seeker: Viewer; files: PlannedFile[] }[],
  options: { concurrency: number },
): Promise<number> {
  const { domain, publicOrigin } = opened;
  const ids = items.map((item) => item.application.id);
  const attached = new Set(
    (await domain.db.applicationAttachment.findMany({ where: { applicationId: { in: ids } }, select: { applicationId: true } })).map((row) => row.applicationId),
  );
  const todo = items.filter((item) => !attached.has(item.application.id) && !finalStatuses.has(item.application.status));
  let added = 0;
  await inParallel(todo, options.concurrency, async ({ application, seeker, files }) => {
    for (const file of files) {
      const upload = await retryExpiredTransaction(() =>
        domain.attachments.createUpload(seeker, { applicationId: application.id.toString(), fileName: file.fileName, fileType: file.fileType, fileSize: file.bytes.length }),
      );
      const localPrefix = `${publicOrigin}/uploads/`;
      if (upload.uploadUrl.startsWith(localPrefix)) {
        const outcome = await domain.attachments.acceptUpload(upload.uploadUrl.slice(localPrefix.length), { body: Readable.from([file.bytes]), contentLength: file.bytes.length });
        if (!outcome.ok) throw new Error(`attaching ${file.fileName} to application ${application.id}: ${outcome.code}: ${outcome.message}`);
      } else {
        const response = await fetch(upload.uploadUrl, {
          method: 'PUT',
          headers: { 'content-type': upload.attachment.fileType, 'content-length': String(file.bytes.length) },
          body: file.bytes,
        });
        if (!response.ok) throw new Error(`uploading ${file.fileName} for application ${application.id}: HTTP ${response.status}`);
      }
      added += 1;
    }
  });
  return added;
}

const finalStatuses = new Set(['hired', 'rejected', 'withdrawn']);

export type DemoApplicationsOptions = {
  seekers: { viewer: Viewer; name: string }[];
  /** Every job of the data set, oldest first, with its owner and whether jobs_db has it open. */
  jobs: { id: bigint; companyId: bigint; employerId: bigint; isActive: boolean; title: string }[];
  random: Random;
  concurrency: number;
  replicaTimeoutMs: number;
  say: (line: string) => void;
};

export type DemoApplicationsSummary = {
  applications: number;
  /** What this run wrote. */
  added: { applications: number; statusChanges: number; interviews: number; attachments: number };
  /** Planned applications whose job no longer takes any (closed since, or its deadline passed). */
  skipped: number;
};

type DemoPlan = PlannedApplication & Pick<PlannedMoves, 'path' | 'notes' | 'interview'> & { files: PlannedFile[] };

function drawInterview(random: Random, path: ApplicationStatus[]): PlannedInterview | undefined {
  // Held, or still to be held, where the path stops at INTERVIEWING or is rejected from there;
  // an offer or a hire moves on without one (an interview cannot be completed before its time).
  const at = path.indexOf('INTERVIEWING');
  if (at === -1 || (at !== path.length - 1 && path[at + 1] !== 'REJECTED')) return undefined;
  const interviewType = random.pick(['PHONE', 'VIDEO', 'VIDEO', 'IN_PERSON'] as const);
  const roll = random.next();
  return {
    interviewType,
    inDays: random.int(2, 21),
    hourUtc: random.int(8, 16),
    durationMinutes: random.pick([30, 45, 60, 60, 90]),
    location: interviewType === 'IN_PERSON' ? 'Head office, meeting room 2' : interviewType === 'VIDEO' ? 'Video call (link in the invitation)' : null,
    followUp: roll < 0.2 ? 'reschedule' : roll < 0.3 ? 'cancel_and_book_again' : 'none',
  };
}

function drawFiles(random: Random, seekerName: string, jobTitle: string): PlannedFile[] {
  if (!random.chance(0.4)) return [];
  const slug = seekerName.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  const cv: PlannedFile = {
    fileName: `cv-${slug}.pdf`,
    fileType: 'PDF',
    bytes: cvPdf([`Curriculum vitae: ${seekerName}`, `Applying for: ${jobTitle}`, `${random.int(1, 12)} years of experience`]),
  };
  if (!random.chance(0.3)) return [cv];
  return [cv, { fileName: 'references.txt', fileType: 'TXT', bytes: noteText([`References for ${seekerName}`, 'Available on request from my previous employers.']) }];
}

/**
 * Each seeker applies to a few of the data set's jobs (drawn from all of them, so that the draw
 * does not depend on which are open today; the closed ones are skipped), attaches files to some
 * applications, then each application takes the path drawn for it, INTERVIEWING by an interview
 * where one is planned. Everything is drawn before anything is written.
 */
export async function seedDemoApplications(opened: Pick<SeedApplications, 'domain' | 'publicOrigin'>, options: DemoApplicationsOptions): Promise<DemoApplicationsSummary> {
  const { domain } = opened;
  const { random, jobs, seekers } = options;
  const jobById = new Map(jobs.map((job) => [job.id, job]));
  const plans: DemoPlan[] = [];
  for (const seeker of seekers) {
    for (const job of random.sample(jobs, random.int(0, 8))) {
      const path = drawPath(random);
      const interview = drawInterview(random, path);
      plans.push({
        seeker: seeker.viewer,
        jobId: job.id,
        coverLetter: random.sample(coverLetterSentences, random.int(2, 3)).join(' '),
        ...(random.chance(0.6) ? { expectedSalary: random.int(30, 140) * 1000 } : {}),
        ...(random.chance(0.5) ? { availableInDays: random.int(14, 90) } : {}),
        path,
        notes: path.map((step) => (statusNotes[step] && random.chance(0.7) ? random.pick(statusNotes[step]) : null)),
        ...(interview ? { interview } : {}),
        files: drawFiles(random, seeker.name, job.title),
      });
    }
  }
  // Only what will be used: open jobs' copies and their owners' memberships.
  const planned = [...new Set(plans.map((plan) => plan.jobId))].map((id) => jobById.get(id)!);
  const seekerIds = seekers.map((seeker) => BigInt(seeker.viewer.userId));
  await waitForApplicationsReplicas(
    domain.db,
    {
      jobs: planned.map(({ id, isActive }) => ({ id, isActive })),
      seekers: seekerIds,
      members: [
        ...new Map(planned.filter((job) => job.isActive).map((job) => [`${job.companyId}|${job.employerId}`, { companyId: job.companyId, userId: job.employerId }])).values(),
      ],
    },
    { timeoutMs: options.replicaTimeoutMs, say: options.say },
  );

  const existing = await findApplications(domain.db, seekerIds);
  const submitted = await submitApplications(domain, plans, { concurrency: options.concurrency, existing, say: options.say });
  const made = plans.flatMap((plan) => {
    const application = submitted.applications.get(pairKey(plan.jobId, BigInt(plan.seeker.userId)));
    return application ? [{ plan, application }] : [];
  });
  // Files first: nothing can be attached to an application once it is final.
  const attachments = await attachFiles(
    opened,
    made.filter(({ plan }) => plan.files.length > 0).map(({ plan, application }) => ({ application, seeker: plan.seeker, files: plan.files })),
    { concurrency: options.concurrency },
  );
  const moves: PlannedMoves[] = made
    .filter(({ plan, application }) => stepsLeft(plan.path, application.status).length > 0)
    .map(({ plan, application }) => ({
      application,
      employer: asViewer(jobById.get(plan.jobId)!.employerId, 'employer'),
      seeker: plan.seeker,
      path: plan.path,
      notes: plan.notes,
      ...(plan.interview ? { interview: plan.interview } : {}),
    }));
  const moved = await moveApplications(domain, moves, { concurrency: options.concurrency });
  return {
    applications: submitted.applications.size,
    added: { applications: submitted.added, statusChanges: moved.statusChanges, interviews: moved.interviews, attachments },
    skipped: submitted.skipped,
  };
}
