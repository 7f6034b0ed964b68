import type { SkillResolvers } from '../generated/graphql.js';

export const Skill: SkillResolvers = {
  id: (skill) => skill.id.toString(),
};
