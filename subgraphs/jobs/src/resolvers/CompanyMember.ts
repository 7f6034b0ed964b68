import type { CompanyMemberResolvers, CompanyMemberRole } from '../generated/graphql.js';

export const CompanyMember: CompanyMemberResolvers = {
  user: (member) => ({ id: member.userId.toString() }),
  role: (member) => member.role.toUpperCase() as CompanyMemberRole,
  joinedAt: (member) => member.createdAt,
};
