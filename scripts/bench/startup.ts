// npm run bench:startup — time from `npm start` to a gateway that answers /readyz, on a warm
// install (dependencies installed, build cached by turbo). Measures a first start (empty data
// folder: initdb, migrations, dev keys) and restarts that reuse the data, then stops cleanly.
// Uses the fixed ports of `npm start` (4000, 4001, ...), so nothing else may be running there.
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from '../src/dev-stack-env.js';
import { machineDescription } from './bench-stack.js';

const { values } = parseArgs({ options: { restarts: { type: 'string', default: '3' } } });

async function timeOneStart(dataDir: string): Promise<{ readyMs: number; stopMs: number }> {
  const started = performance.now();
  const child = spawn('npm', ['start'], { cwd: repoRoot, env: { ...process.env, JOBPLATFORM_DATA_DIR: dataDir }, stdio: 'ignore', detached: true });
  let readyMs = 0;
  while (readyMs === 0) {
    if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}`);
    try {
      if ((await fetch('http://127.0.0.1:4000/readyz')).ok) readyMs = performance.now() - started;
    } catch {
      // not yet
    }
    if (readyMs === 0) await new Promise((r) => setTimeout(r, 50));
    if (performance.now() - started > 120_000) throw new Error('not ready after 120 s');
  }
  const stopping = performance.now();
  process.kill(-child.pid!, 'SIGINT'); // the whole process group, as Ctrl-C in a terminal does
  // npm itself exits at once; the platform is stopped when PostgreSQL has removed its pid file.
  const pidFile = path.join(dataDir, 'postgres', 'postmaster.pid');
  while (
    await fs.access(pidFile).then(
      () => true,
      () => false,
    )
  ) {
    if (performance.now() - stopping > 60_000) throw new Error('PostgreSQL still running 60 s after Ctrl-C');
    await new Promise((r) => setTimeout(r, 20));
  }
  return { readyMs, stopMs: performance.now() - stopping };
}

const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'jobplatform-startup-'));
await fs.chmod(dataDir, 0o755);
try {
  const rows: string[] = [];
  const first = await timeOneStart(dataDir);
  rows.push(`| first start (empty data folder) | ${(first.readyMs / 1000).toFixed(1)} | ${(first.stopMs / 1000).toFixed(1)} |`);
  for (let i = 1; i <= Number(values.restarts); i += 1) {
    const run = await timeOneStart(dataDir);
    rows.push(`| restart ${i} (data reused) | ${(run.readyMs / 1000).toFixed(1)} | ${(run.stopMs / 1000).toFixed(1)} |`);
  }
  console.log(`\nMachine: ${machineDescription()}\n`);
  console.log(['| run | npm start → gateway ready (s) | Ctrl-C → all stopped (s) |', '|---|---:|---:|', ...rows].join('\n'));
} finally {
  await fs.rm(dataDir, { recursive: true, force: true });
}
