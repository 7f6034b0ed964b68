import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import type { SchemaProblem } from '../schema/source-location.js';

/**
 * schema/contract-coverage.json: which contract operations validate. It only ever grows: an
 * operation recorded here that stops validating fails the check, so coverage can only rise.
 */
const coverageFileSchema = z.object({
  description: z.string().optional(),
  total: z.number().int().nonnegative(),
  validating: z.number().int().nonnegative(),
  operations: z.array(z.string()),
});
export type CoverageFile = z.infer<typeof coverageFileSchema>;

export type CoverageRatchet = {
  recorded: string[];
  /** Recorded operations that no longer validate: a client is broken. */
  regressions: string[];
  /** Validating now, not yet recorded. */
  gained: string[];
  /** Recorded but gone from the contract (the clients stopped sending them). */
  retired: string[];
  problems: SchemaProblem[];
};

const description = 'Contract operations known to validate against the supergraph. Written by npm run schema:check; an operation listed here must keep validating.';

export function readCoverageFile(file: string, displayName: string): { recorded: string[]; problems: SchemaProblem[] } {
  if (!existsSync(file)) return { recorded: [], problems: [] };
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    return { recorded: [], problems: [{ file: displayName, code: 'COVERAGE_INVALID_JSON', message: (error as Error).message }] };
  }
  const parsed = coverageFileSchema.safeParse(json);
  if (!parsed.success) {
    return {
      recorded: [],
      problems: [{ file: displayName, code: 'COVERAGE_INVALID', message: parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ') }],
    };
  }
  return { recorded: parsed.data.operations, problems: [] };
}

export function compareCoverage(recorded: string[], allOperations: string[], validating: string[]): Omit<CoverageRatchet, 'problems'> {
  const existing = new Set(allOperations);
  const valid = new Set(validating);
  const recordedSet = new Set(recorded);
  return {
    recorded,
    regressions: recorded.filter((name) => existing.has(name) && !valid.has(name)),
    gained: validating.filter((name) => !recordedSet.has(name)),
    retired: recorded.filter((name) => !existing.has(name)),
  };
}

/** The new floor: everything validating now, plus recorded regressions so they are not forgotten. */
export function writeCoverageFile(file: string, total: number, validating: string[], regressions: string[]): void {
  const operations = [...new Set([...validating, ...regressions])].sort();
  const content: CoverageFile = { description, total, validating: validating.length, operations };
  writeFileSync(file, `${JSON.stringify(content, null, 2)}\n`);
}
