import { statement, type LeanSql } from '@jobplatform/service-runtime';
import type { ApplicantContactRow, ApplicationAttachmentRow, ApplicationRow, ApplicationStatusHistoryRow, InterviewRow, JobReplicaRow } from './db.js';
import { Prisma } from './generated/prisma/client.js';

/**
 * The reads every request makes (applications, their history, the replicas' jobs and contacts),
 * over the kit's node-postgres client instead of Prisma's: each is one statement, and Prisma's
 * client costs about ten times node-postgres' CPU per statement. Rows come back under the Prisma
 * models' field names and types (bigint ids, Date times, a Decimal salary), so resolvers and rules
 * take them as they took Prisma's. Writes, and the reads inside their transactions, stay Prisma's.
 */

/** An application's columns from the alias `a`, named as the Prisma model names them. */
export const APPLICATION_COLUMNS = statement`a.id, a.job_id AS "jobId", a.applicant_id AS "applicantId", a.employer_id AS "employerId", a.status,
  a.cover_letter AS "coverLetter", a.expected_salary AS "expectedSalary", a.availability_date AS "availabilityDate",
  a.is_active AS "isActive", a.created_at AS "createdAt", a.updated_at AS "updatedAt"`;

/** A jobs replica row's columns from the alias `j`. */
export const JOB_REPLICA_COLUMNS = statement`j.id, j.company_id AS "companyId", j.employer_id AS "employerId", j.title, j.location,
  j.company_name AS "companyName", j.is_active AS "isActive", j.application_deadline AS "applicationDeadline", j.deleted_at AS "deletedAt", j.version`;

/** An application as node-postgres reads APPLICATION_COLUMNS: numeric comes back as text. */
export type LeanApplicationRow = Omit<ApplicationRow, 'expectedSalary'> & { expectedSalary: string | null };

/** The application with its salary as the Decimal of the same digits that Prisma gives. */
export function toApplicationRow(row: LeanApplicationRow): ApplicationRow {
  return {
    id: row.id,
    jobId: row.jobId,
    applicantId: row.applicantId,
    employerId: row.employerId,
    status: row.status,
    coverLetter: row.coverLetter,
    expectedSalary: row.expectedSalary === null ? null : new Prisma.Decimal(row.expectedSalary),
    availabilityDate: row.availabilityDate,
    isActive: row.isActive,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export type LeanReads = ReturnType<typeof createLeanReads>;

export function createLeanReads(sql: LeanSql) {
  return {
    async applicationsById(ids: readonly bigint[]): Promise<ApplicationRow[]> {
      const rows = await sql.rows<LeanApplicationRow>(statement`SELECT ${APPLICATION_COLUMNS} FROM applications a WHERE a.id = ANY(${ids}::bigint[])`);
      return rows.map(toApplicationRow);
    },

    /** The applications one applicant made to these jobs (at most one each). */
    async applicationsOfApplicant(applicantId: bigint, jobIds: readonly bigint[]): Promise<ApplicationRow[]> {
      const rows = await sql.rows<LeanApplicationRow>(
        statement`SELECT ${APPLICATION_COLUMNS} FROM applications a WHERE a.applicant_id = ${applicantId} AND a.job_id = ANY(${jobIds}::bigint[])`,
      );
      return rows.map(toApplicationRow);
    },

    /** Each application's history, oldest first. */
    historyOf(applicationIds: readonly bigint[]): Promise<ApplicationStatusHistoryRow[]> {
      return sql.rows(statement`
        SELECT id, application_id AS "applicationId", status, notes, changed_by AS "changedBy", actor_kind AS "actorKind", created_at AS "createdAt"
        FROM application_status_history WHERE application_id = ANY(${applicationIds}::bigint[]) ORDER BY created_at, id`);
    },

    /** Each application's attachments, oldest first. */
    attachmentsOf(applicationIds: readonly bigint[]): Promise<ApplicationAttachmentRow[]> {
      return sql.rows(statement`
        SELECT id, application_id AS "applicationId", file_name AS "fileName", file_type AS "fileType", file_size AS "fileSize",
          storage_key AS "storageKey", upload_status AS "uploadStatus", upload_expires_at AS "uploadExpiresAt",
          uploaded_at AS "uploadedAt", created_at AS "createdAt"
        FROM application_attachments WHERE application_id = ANY(${applicationIds}::bigint[]) ORDER BY created_at, id`);
    },

    /** Each application's interviews, earliest first. */
    interviewsOf(applicationIds: readonly bigint[]): Promise<InterviewRow[]> {
      return sql.rows(statement`
        SELECT id, application_id AS "applicationId", interview_type AS "interviewType", scheduled_at AS "scheduledAt",
          duration_minutes AS "durationMinutes", location, notes, status, cancellation_reason AS "cancellationReason",
          created_at AS "createdAt", updated_at AS "updatedAt"
        FROM interviews WHERE application_id = ANY(${applicationIds}::bigint[]) ORDER BY scheduled_at, id`);
    },

    jobsById(ids: readonly bigint[]): Promise<JobReplicaRow[]> {
      return sql.rows(statement`SELECT ${JOB_REPLICA_COLUMNS} FROM job_replicas j WHERE j.id = ANY(${ids}::bigint[])`);
    },

    /**
     * The jobs replica's rows of these jobs, each row also naming the companies `userId` acts for:
     * one row even when no job matches (its job columns null).
     */
    jobsWithMemberships(userId: bigint, jobIds: readonly bigint[]): Promise<({ memberOf: string[] } & Omit<JobReplicaRow, 'id'> & { id: bigint | null })[]> {
      return sql.rows(statement`
        SELECT m.member_of AS "memberOf", ${JOB_REPLICA_COLUMNS}
        FROM (SELECT ARRAY(SELECT company_id::text FROM company_member_replicas WHERE user_id = ${userId} AND is_member) AS member_of) AS m
        LEFT JOIN job_replicas j ON j.id = ANY(${jobIds}::bigint[])`);
    },

    /** The companies `userId` acts for now, per the company members replica. */
    async companiesOfMember(userId: bigint): Promise<string[]> {
      const rows = await sql.rows<{ companyId: string }>(statement`SELECT company_id::text AS "companyId" FROM company_member_replicas WHERE user_id = ${userId} AND is_member`);
      return rows.map((row) => row.companyId);
    },

    applicantContactsById(userIds: readonly bigint[]): Promise<ApplicantContactRow[]> {
      return sql.rows(statement`
        SELECT user_id AS "userId", email, first_name AS "firstName", last_name AS "lastName"
        FROM applicant_contacts WHERE user_id = ANY(${userIds}::bigint[])`);
    },
  };
}
