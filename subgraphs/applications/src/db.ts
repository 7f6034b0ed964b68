import type { Prisma, PrismaClient } from './generated/prisma/client.js';

export type ApplicationsDb = InstanceType<typeof PrismaClient>;
export type Tx = Prisma.TransactionClient;
export type {
  Application as ApplicationRow,
  ApplicationAttachment as ApplicationAttachmentRow,
  ApplicationStatusHistory as ApplicationStatusHistoryRow,
  Interview as InterviewRow,
  JobReplica as JobReplicaRow,
} from './generated/prisma/client.js';

/** Job seekers' email and names, as the applicant contacts replica holds them. */
export type ApplicantContactRow = { userId: bigint; email: string; firstName: string | null; lastName: string | null };
