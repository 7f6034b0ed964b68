import type { ApplicationAttachmentResolvers } from '../generated/graphql.js';
import { viewerMay } from '../application-access.js';
import { fileTypeFromMime } from '../attachment-rules.js';

export const ApplicationAttachment: ApplicationAttachmentResolvers = {
  id: (attachment) => attachment.id.toString(),
  fileType: (attachment) => fileTypeFromMime(attachment.fileType)!,
  mimeType: (attachment) => attachment.fileType,
  uploadStatus: (attachment) => (attachment.uploadStatus === 'uploaded' ? 'UPLOADED' : 'PENDING'),
  url: async (attachment, _args, ctx) => {
    if (attachment.uploadStatus !== 'uploaded') return null;
    const application = await ctx.loaders.applicationById.load(attachment.applicationId);
    if (!application || !(await viewerMay(ctx, application, 'download_attachments'))) return null;
    return ctx.attachments.downloadUrl(attachment);
  },
};
