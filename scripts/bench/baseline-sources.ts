// A folder of the repository as it was at an earlier revision, for benchmarks that run an old
// implementation beside the current one in the same run (bench:events --baseline, bench:search
// --matching-baseline).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { repoRoot } from '../src/dev-stack-env.js';

/**
 * Extracts `folder` (a path from the repository root, such as packages/events/src) as it was at
 * `revision` into node_modules/.cache/<cacheName>/<commit>/<last part of folder>, so that its imports
 * of workspace packages resolve, and returns the short commit and that folder. Extracted once per commit.
 */
export async function sourcesAtRevision(revision: string, folder: string, cacheName: string): Promise<{ commit: string; dir: string }> {
  const commit = execFileSync('git', ['rev-parse', '--short', revision], { cwd: repoRoot, encoding: 'utf8' }).trim();
  const root = path.join(repoRoot, 'node_modules', '.cache', cacheName, commit);
  const dir = path.join(root, path.basename(folder));
  if (!existsSync(dir)) {
    await fs.mkdir(root, { recursive: true });
    const archive = execFileSync('git', ['archive', commit, folder], { cwd: repoRoot, maxBuffer: 64 * 1024 ** 2 });
    execFileSync('tar', ['-x', `--strip-components=${folder.split('/').length - 1}`, '-C', root], { input: archive });
  }
  return { commit, dir };
}
