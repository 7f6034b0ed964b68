import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import type { SchemaProblem } from '../schema/source-location.js';

export const sdlLintConfigPath = fileURLToPath(new URL('./eslint.config.js', import.meta.url));

export type LintFinding = SchemaProblem & { severity: 'error' | 'warning' };

/**
 * Lints subgraph SDL files with @graphql-eslint and the federation rules, using only this folder's
 * config (never a root ESLint config). `cwd` must contain the files: ESLint ignores files outside it.
 */
export async function lintSubgraphSdls(files: string[], cwd: string, displayName: (file: string) => string): Promise<LintFinding[]> {
  if (files.length === 0) return [];
  const eslint = new ESLint({ cwd, overrideConfigFile: sdlLintConfigPath, errorOnUnmatchedPattern: false });
  const results = await eslint.lintFiles(files);
  return results.flatMap((result) =>
    result.messages.map((message) => ({
      file: displayName(result.filePath),
      line: message.line,
      column: message.column,
      code: message.ruleId ?? 'GRAPHQL_PARSE_FAILED',
      message: message.message.replace(/\s*\n\s*/g, ' '),
      severity: message.severity === 2 ? ('error' as const) : ('warning' as const),
    })),
  );
}
