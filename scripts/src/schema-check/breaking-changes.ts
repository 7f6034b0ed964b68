import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { CriticalityLevel, DiffRule, diff, type Change } from '@graphql-inspector/core';
import type { GraphQLSchema } from 'graphql';
import { z } from 'zod';
import type { SchemaProblem } from '../schema/source-location.js';
import type { ClientOperation } from './operations.js';

export type PreviousSupergraph = { found: true; ref: string; commit: string; sdl: string } | { found: false; ref: string; reason: string };

function runGit(root: string, args: string[]): string | undefined {
  try {
    return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 * 1024 * 1024 });
  } catch {
    return undefined;
  }
}

/**
 * The supergraph to compare with. With an explicit ref (CI passes the merge base of a pull request)
 * that one; otherwise HEAD while the supergraph has uncommitted changes (a developer checking a change
 * before committing it), else HEAD~1 (CI checking the commit it was given).
 */
export function readPreviousSupergraph(root: string, supergraphFile: string, baseRef?: string): PreviousSupergraph {
  if (runGit(root, ['rev-parse', '--is-inside-work-tree'])?.trim() !== 'true') {
    return { found: false, ref: baseRef ?? 'HEAD~1', reason: 'not a git checkout' };
  }
  let ref = baseRef;
  if (!ref) {
    const committed = runGit(root, ['show', `HEAD:${supergraphFile}`]);
    const current = existsSync(`${root}/${supergraphFile}`) ? readFileSync(`${root}/${supergraphFile}`, 'utf8') : undefined;
    ref = committed !== undefined && committed !== current ? 'HEAD' : 'HEAD~1';
  }
  const commit = runGit(root, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`])?.trim();
  if (!commit) {
    const shallow = runGit(root, ['rev-parse', '--is-shallow-repository'])?.trim() === 'true';
    return { found: false, ref, reason: shallow ? `${ref} is not in this shallow clone (fetch more history)` : `${ref} does not exist (first commit)` };
  }
  const sdl = runGit(root, ['show', `${commit}:${supergraphFile}`]);
  if (sdl === undefined) return { found: false, ref, reason: `${supergraphFile} does not exist at ${ref}` };
  return { found: true, ref, commit: commit.slice(0, 10), sdl };
}

const acknowledgementsSchema = z.object({
  description: z.string().optional(),
  acknowledged: z.array(
    z.object({
      type: z.string().min(1),
      path: z.string().min(1),
      reason: z.string().trim().min(15, 'give the reason: who is affected and why it is safe to ship'),
    }),
  ),
});
export type Acknowledgement = z.infer<typeof acknowledgementsSchema>['acknowledged'][number];

export function loadAcknowledgements(file: string, displayName: string): { acknowledgements: Acknowledgement[]; problems: SchemaProblem[] } {
  if (!existsSync(file)) return { acknowledgements: [], problems: [] };
  const text = readFileSync(file, 'utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { acknowledgements: [], problems: [{ file: displayName, code: 'ACKNOWLEDGEMENTS_INVALID_JSON', message: (error as Error).message }] };
  }
  const parsed = acknowledgementsSchema.safeParse(json);
  if (!parsed.success) {
    return {
      acknowledgements: [],
      problems: parsed.error.issues.map((issue) => ({ file: displayName, code: 'ACKNOWLEDGEMENTS_INVALID', message: `${issue.path.join('.')}: ${issue.message}` })),
    };
  }
  return { acknowledgements: parsed.data.acknowledged, problems: [] };
}

export type ClassifiedChange = {
  type: string;
  path: string;
  message: string;
  level: 'breaking' | 'dangerous' | 'safe';
  /** Set on breaking changes listed in the acknowledgements file. */
  acknowledgement?: Acknowledgement;
  /** Client operations that use what the change touches (judged against the previous schema). */
  usedBy: ClientOperation[];
};

function levelOf(change: Change): ClassifiedChange['level'] {
  if (change.criticality.level === CriticalityLevel.Breaking) return 'breaking';
  if (change.criticality.level === CriticalityLevel.Dangerous) return 'dangerous';
  return 'safe';
}

/** The operations that use a coordinate, or the type that holds it when the change is to an input field. */
function findUsage(coordinatePath: string, usage: Map<string, ClientOperation[]>): ClientOperation[] {
  const exact = usage.get(coordinatePath);
  if (exact) return exact;
  const parts = coordinatePath.split('.');
  for (let length = parts.length - 1; length >= 1; length -= 1) {
    const found = usage.get(parts.slice(0, length).join('.'));
    if (found) return found;
  }
  return [];
}

export async function compareApiSchemas(
  previous: GraphQLSchema,
  next: GraphQLSchema,
  acknowledgements: Acknowledgement[],
  usage: Map<string, ClientOperation[]>,
): Promise<ClassifiedChange[]> {
  const changes = await diff(previous, next, [DiffRule.simplifyChanges]);
  return changes.map((change) => {
    const level = levelOf(change);
    const path = change.path ?? '';
    const acknowledgement = level === 'breaking' ? acknowledgements.find((entry) => entry.type === change.type && entry.path === path) : undefined;
    return { type: change.type, path, message: change.message, level, acknowledgement, usedBy: level === 'safe' ? [] : findUsage(path, usage) };
  });
}
