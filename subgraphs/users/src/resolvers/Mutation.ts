import { requireViewer } from '@jobplatform/service-runtime';
import type { MutationResolvers } from '../generated/graphql.js';
import type { UsersContext } from '../context.js';

const origin = (ctx: UsersContext) => ({ clientIp: ctx.clientIp, userAgent: ctx.userAgent });

export const Mutation: MutationResolvers = {
  register: async (_p, { input }, ctx) => {
    const signedIn = await ctx.accounts.register(input, origin(ctx));
    ctx.signedInAs = signedIn.user.id;
    return signedIn;
  },
  login: async (_p, { email, password }, ctx) => {
    const signedIn = await ctx.accounts.login(email, password, origin(ctx));
    ctx.signedInAs = signedIn.user.id;
    return signedIn;
  },
  refreshToken: (_p, { refreshToken }, ctx) => ctx.accounts.refresh(refreshToken, origin(ctx)),
  logout: (_p, { refreshToken }, ctx) => ctx.accounts.logout(refreshToken, origin(ctx)),
  verifyEmail: (_p, { token }, ctx) => ctx.accounts.verifyEmail(token, origin(ctx)),
  requestEmailVerification: (_p, _a, ctx) => ctx.accounts.requestEmailVerification(BigInt(requireViewer(ctx).userId), origin(ctx)),
  requestPasswordReset: (_p, { email }, ctx) => ctx.accounts.requestPasswordReset(email, origin(ctx)),
  resetPassword: (_p, { token, newPassword }, ctx) => ctx.accounts.resetPassword(token, newPassword, origin(ctx)),
  changePassword: (_p, { currentPassword, newPassword }, ctx) => {
    const viewer = requireViewer(ctx);
    return ctx.accounts.changePassword(BigInt(viewer.userId), viewer.sessionId, currentPassword, newPassword, origin(ctx));
  },
  updateProfile: (_p, { input }, ctx) => ctx.accounts.updateProfile(BigInt(requireViewer(ctx).userId), input, origin(ctx)),
  deleteMyAccount: (_p, { password }, ctx) => ctx.accounts.requestAccountDeletion(BigInt(requireViewer(ctx).userId), password, origin(ctx)),
};
