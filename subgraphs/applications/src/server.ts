import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'graphql';
import { companyMemberReplicaHandlers, companyNameReplicaTable, userReplicaTable } from '@jobplatform/events';
import {
  openSubgraphDomain,
  startSubgraph,
  type LeanSql,
  type RunningSubgraph,
  type StartSubgraphOptions,
  type SubgraphDefinition,
  type SubgraphEnv,
} from '@jobplatform/service-runtime';
import type { StatusChangeHook } from './application-events.js';
import { createApplicationService, type ApplicationService } from './applications.js';
import { attachmentSettings, openBlobStore, uploadSigningSecret, type AttachmentSettings } from './attachment-settings.js';
import { createAttachmentService, type AttachmentService } from './attachments.js';
import { createLeanReads, type LeanReads } from './lean-reads.js';
import { createLoaders, type ApplicationsContext, type ApplicationsLoaders } from './context.js';
import type { ApplicationsDb } from './db.js';
import { PrismaClient } from './generated/prisma/client.js';
import { createInterviewService, type InterviewService } from './interviews.js';
import { rejectApplicationsOfClosedJob } from './job-closure.js';
import { applicantContactTable, jobReplicaTable } from './replicas.js';
import { resolvers } from './resolvers/index.js';
import { createUploadTokens } from './upload-tokens.js';
import { mountUploadRoutes } from './upload-route.js';
import { deleteStoredFilesAfterCommit, eraseUserFromApplications, type StoredFileDeleter } from './user-erasure.js';

/** The applications rules without the HTTP server: what the service, seeds and tests share. */
export type ApplicationsDomain = {
  db: ApplicationsDb;
  /** node-postgres on db's pool: the requests' reads (lean-reads.ts, the pages' statements). */
  sql: LeanSql;
  reads: LeanReads;
  applications: ApplicationService;
  attachments: AttachmentService;
  interviews: InterviewService;
  /** Run in the transaction of every status change (other parts of the domain register theirs). */
  statusChangeHooks: StatusChangeHook[];
};

/**
 * Closing a job with thousands of applications rejects them all, with an event each, in one
 * transaction: more time than Prisma's 5 s default, and JetStream must not redeliver meanwhile.
 */
const BULK_TRANSACTION_MS = 120_000;

/**
 * The applications subgraph: applications to jobs and their status history (with attachments and
 * interviews). Every change also writes its event to applications_db's outbox in the same
 * transaction; the relay publishes them (APPLICATIONS). Consumers, one set per replica of the service:
 * - applications-users-replica keeps user_replicas (who may apply) from users.user.*;
 * - applications-jobs-replica keeps job_replicas (open, deadline, employer, company, and the title,
 *   location and company name an application shows) from jobs.job.*;
 * - applications-companies-replica keeps company_replicas (companies' names, which a rename changes)
 *   from jobs.company.created/updated.v1;
 * - applications-applicant-contacts keeps job seekers' email and names from users.user.*;
 * - applications-company-members keeps company_member_replicas (the employer side of each company);
 * - applications-job-closure rejects the applications still open when their job closes;
 * - applications-user-erasure is applications' part of the account-erasure saga (user-erasure.ts).
 */
export const applicationsSubgraph: SubgraphDefinition<ApplicationsDb, ApplicationsDomain, ApplicationsContext, AttachmentSettings> = {
  name: 'applications',
  env: attachmentSettings,
  typeDefs: parse(readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8')),
  resolvers,
  PrismaClient,
  createDomain: ({ db, sql, env, logger, now }) => {
    const statusChangeHooks: StatusChangeHook[] = [];
    const reads = createLeanReads(sql);
    const interviews = createInterviewService({ db, reads, now, statusChangeHooks });
    statusChangeHooks.push(interviews.statusChangeHook);
    const attachments = createAttachmentService({
      db,
      reads,
      store: openBlobStore(env.own),
      tokens: createUploadTokens(uploadSigningSecret(env.own, logger)),
      publicOrigin: env.own.PUBLIC_ORIGIN,
      now,
      logger,
    });
    return { db, sql, reads, statusChangeHooks, applications: createApplicationService({ db, now, statusChangeHooks }), attachments, interviews };
  },
  createContext: (base, domain) => {
    // A page's statement also reads its applications' attachments and interviews when asked, into
    // the loaders that Application.attachments and Application.interviews use for this request: the
    // ones kept beside `loaders` (Apollo hands resolvers a copy of the context object, not this one).
    const loaders: ApplicationsLoaders = createLoaders(domain.sql, domain.reads, base.viewer, {
      primeAttachments: (applicationId, rows) => domain.attachments.primeFor(loaders, applicationId, rows),
      primeInterviews: (applicationId, rows) => void domain.interviews.loaderFor(loaders).prime(applicationId, rows),
    });
    return { ...base, ...domain, loaders };
  },
  // Local storage's upload and download URLs, which the gateway's /uploads proxy passes on.
  routes: (app, { attachments }) => mountUploadRoutes(app, attachments),
  events: {
    replicas: {
      'users-replica': userReplicaTable,
      'jobs-replica': jobReplicaTable,
      'companies-replica': companyNameReplicaTable,
      'applicant-contacts': applicantContactTable,
    },
    consumers: (domain, { logger, now }) => [
      {
        purpose: 'company-members',
        handlers: companyMemberReplicaHandlers,
      },
      {
        purpose: 'job-closure',
        transaction: { timeout: BULK_TRANSACTION_MS, maxWait: 10_000 },
        ackWaitMs: BULK_TRANSACTION_MS + 30_000,
        handlers: {
          'jobs.job.closed.v1': async (event, tx, context) => {
            const summary = await rejectApplicationsOfClosedJob(tx, event, { now: now(), traceparent: context.traceparent, hooks: domain.statusChangeHooks });
            if (summary.rejectedApplications > 0) logger.info({ jobId: event.data.job.id, ...summary }, 'job closed: its open applications rejected');
          },
          'jobs.job.deleted.v1': async (event, tx, context) => {
            const summary = await rejectApplicationsOfClosedJob(tx, event, { now: now(), traceparent: context.traceparent, hooks: domain.statusChangeHooks });
            if (summary.rejectedApplications > 0) logger.info({ jobId: event.data.job.id, ...summary }, 'job deleted: its open applications rejected');
          },
        },
      },
      {
        purpose: 'user-erasure',
        transaction: { timeout: BULK_TRANSACTION_MS, maxWait: 10_000 },
        ackWaitMs: BULK_TRANSACTION_MS + 30_000,
        handlers: {
          'users.user.deleted.v1': async (event, tx, context) => {
            const { summary, storageKeys } = await eraseUserFromApplications(tx, event, { traceparent: context.traceparent, now: now() });
            logger.info({ userId: event.data.userId, ...summary }, 'user erasure: applications part applied, committing with its batch');
            // The attachments part of the domain deletes the bytes, once the rows are gone for good.
            const attachments = (domain as { attachments?: { deleteStoredFiles?: StoredFileDeleter } }).attachments;
            deleteStoredFilesAfterCommit(domain.db, storageKeys, attachments?.deleteStoredFiles?.bind(attachments), { logger, timeoutMs: BULK_TRANSACTION_MS });
          },
        },
      },
    ],
  },
  parts: ({ attachments }, { env, logger }) => [
    {
      name: 'expired upload cleanup',
      async start() {
        let sweep: Promise<unknown> | undefined;
        const timer = setInterval(() => {
          sweep ??= attachments
            .removeExpiredUploads()
            .then((removed) => {
              if (removed.announcements + removed.leftovers > 0) logger.info(removed, 'expired uploads removed');
            })
            .catch((error: unknown) => logger.error({ err: error }, 'removing expired uploads failed'))
            .finally(() => (sweep = undefined));
        }, env.own.APPLICATIONS_UPLOAD_CLEANUP_INTERVAL_MS);
        timer.unref();
        return {
          async stop() {
            clearInterval(timer);
            await sweep;
          },
        };
      },
    },
  ],
  testEnv: () => ({
    APPLICATIONS_UPLOAD_SIGNING_SECRET: randomBytes(32).toString('base64url'),
    // A directory of its own per instance, so that tests never see each other's bytes.
    APPLICATIONS_BLOB_DIR: path.join(tmpdir(), 'jobplatform-test-attachments', randomUUID()),
  }),
};

export type ApplicationsService = RunningSubgraph<ApplicationsDb, ApplicationsDomain>;

/** Builds and starts the applications subgraph; index.ts runs it, tests start it on port 0. */
export function startApplicationsService(env: SubgraphEnv<AttachmentSettings>, options: StartSubgraphOptions<never> = {}): Promise<ApplicationsService> {
  return startSubgraph(applicationsSubgraph, env, options);
}

/** The applications domain over its database, without HTTP or NATS (seed, statement-count tests). */
export function openApplicationsDomain(env: SubgraphEnv<AttachmentSettings>, options: StartSubgraphOptions<never> = {}) {
  return openSubgraphDomain(applicationsSubgraph, env, options);
}
