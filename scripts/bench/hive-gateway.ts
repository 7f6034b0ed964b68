// Hive Gateway for the benchmarks that set our gateway beside it (bench:subscriptions,
// bench:gateway): installed at a pinned version into a cache folder of node_modules at the first
// run (not a project dependency, so CI's `npm ci` stays lean), started on a supergraph with a
// configuration file the benchmark writes, and its process's counters read from /proc.
import { execSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { findFreePort } from '@jobplatform/embedded-infra';
import { repoRoot } from '../src/dev-stack-env.js';
import { stopChild } from './bench-stack.js';

/** Where Hive Gateway and its optional packages are installed; its configuration files go there too, so that their imports resolve. */
const HIVE_PREFIX = path.join(repoRoot, 'node_modules/.cache/hive-gateway');

/**
 * Hive Router's runtime (its Rust query planner, a native addon, and the executor made for it), a
 * separate package. The version is pinned with the gateway's: 1.4.23 is the release current with
 * gateway 2.15.1.
 */
export const ROUTER_RUNTIME_PACKAGE = '@graphql-hive/router-runtime@1.4.23';

/** Packages installed beside the gateway: what the benchmarks' configuration files import. */
const EXTRA_PACKAGES = ['@nats-io/transport-node@3.4.0', ROUTER_RUNTIME_PACKAGE];

function installedVersion(name: string): string | undefined {
  const manifest = path.join(HIVE_PREFIX, 'node_modules', name, 'package.json');
  return existsSync(manifest) ? (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version : undefined;
}

/** Installs Hive Gateway at `version` and the extra packages into the cache folder, unless they are there; returns the CLI's path. */
export function installHive(version: string): string {
  const wanted = [`@graphql-hive/gateway@${version}`, ...EXTRA_PACKAGES];
  const missing = wanted.some((spec) => {
    const at = spec.lastIndexOf('@');
    return installedVersion(spec.slice(0, at)) !== spec.slice(at + 1);
  });
  if (missing) {
    console.log(`installing ${wanted.join(', ')} into ${path.relative(repoRoot, HIVE_PREFIX)}…`);
    mkdirSync(HIVE_PREFIX, { recursive: true });
    execSync(`npm install --prefix ${JSON.stringify(HIVE_PREFIX)} --no-save --no-audit --no-fund ${wanted.join(' ')}`, { stdio: 'inherit' });
  }
  return path.join(HIVE_PREFIX, 'node_modules/@graphql-hive/gateway/dist/bin.js');
}

/** Installs Hive Gateway at `version` if need be, then says why Hive Router's runtime does not load on this machine (its native addon is built for a few platforms only), or undefined when it does. */
export async function routerRuntimeProblem(version: string): Promise<string | undefined> {
  installHive(version);
  try {
    await import(pathToFileURL(path.join(HIVE_PREFIX, 'node_modules/@graphql-hive/router-runtime/dist/index.js')).href);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** The file URL of a built module of the project, for a configuration file to import (it runs outside the project's TypeScript loader). */
export const builtModuleUrl = (relativePath: string) => pathToFileURL(path.join(repoRoot, relativePath)).href;

export type HiveProcess = { pid: number; port: number; url: string; stop(): Promise<void> };

/**
 * Starts Hive Gateway (one process: `--fork 1`) serving `supergraphPath`, with `config` (the text of
 * an ES module exporting `gatewayConfig`) written as `<configName>.config.mjs` into the cache
 * folder, and waits up to two minutes for its /readiness.
 */
export async function startHive(options: { version: string; configName: string; config: string; supergraphPath: string; env?: NodeJS.ProcessEnv }): Promise<HiveProcess> {
  const bin = installHive(options.version);
  const configPath = path.join(HIVE_PREFIX, `${options.configName}.config.mjs`);
  await fs.writeFile(configPath, options.config);
  const port = await findFreePort();
  const child = spawn(process.execPath, [bin, 'supergraph', options.supergraphPath, '--config-path', configPath, '--port', String(port), '--host', '127.0.0.1', '--fork', '1'], {
    env: { ...process.env, NODE_ENV: 'production', ...options.env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const until = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Hive Gateway exited (${child.exitCode})`);
    const ok = await fetch(`http://127.0.0.1:${port}/readiness`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > until) {
      await stopChild(child);
      throw new Error('Hive Gateway was not ready within two minutes');
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return { pid: child.pid!, port, url: `http://127.0.0.1:${port}/graphql`, stop: () => stopChild(child) };
}

export type ProcessSample = { rssBytes: number; cpuSeconds: number };

/** Counters of a process by pid, from /proc: resident memory and CPU time (user + system). */
export async function procSample(pid: number): Promise<ProcessSample> {
  const status = await fs.readFile(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)![1]);
  const stat = (await fs.readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
  const ticks = Number(stat[11]) + Number(stat[12]);
  return { rssBytes: rssKb * 1024, cpuSeconds: ticks / 100 };
}

/**
 * CPU seconds used so far by a process and its children together (PostgreSQL's postmaster and the
 * backends it forked), from /proc: the live children's own, and the exited ones' as the parent's
 * cutime and cstime keep them (backends come and go with the services' pools).
 */
export async function processTreeCpuSeconds(pid: number): Promise<number> {
  let ticks = 0;
  for (const entry of await fs.readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await fs.readFile(`/proc/${entry}/stat`, 'utf8').catch(() => undefined);
    const fields = stat?.split(') ')[1]?.split(' ');
    if (!fields || (Number(entry) !== pid && Number(fields[1]) !== pid)) continue;
    ticks += Number(fields[11]) + Number(fields[12]);
    if (Number(entry) === pid) ticks += Number(fields[13]) + Number(fields[14]);
  }
  return ticks / 100;
}

/** The process listening on a local TCP port. */
export function pidOfPort(port: number): number {
  const line = execSync(`ss -ltnpH "sport = :${port}"`, { encoding: 'utf8' });
  const pid = /pid=(\d+)/.exec(line)?.[1];
  if (!pid) throw new Error(`no process found listening on port ${port}`);
  return Number(pid);
}
