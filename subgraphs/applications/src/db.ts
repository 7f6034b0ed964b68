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
