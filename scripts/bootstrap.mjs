#!/usr/bin/env node
// `npm start` and `npm test` land here. It uses only Node's standard library, because it runs
// before anything is installed: it installs what is missing, generates code, then hands over.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const [command, ...rest] = process.argv.slice(2);

function step(message) {
  console.log(`\x1b[1m▸ ${message}\x1b[0m`);
}

function run(cmd, args, options = {}) {
  const result = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...options });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

/**
 * Runs the long-lived last step (the dev stack, jest) and exits with its status. SIGINT and SIGTERM
 * sent to this process are passed on, so `kill <pid of npm start>` stops the platform as Ctrl-C does
 * instead of orphaning it.
 */
function handOver(cmd, args, options = {}) {
  const child = spawn(cmd, args, { cwd: root, stdio: 'inherit', ...options });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => child.kill(signal));
  }
  child.on('error', (error) => {
    console.error(error.message);
    process.exit(1);
  });
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 + (os.constants.signals[signal] ?? 0) : 1)));
}

function runOrExit(cmd, args, options) {
  const status = run(cmd, args, options);
  if (status !== 0) process.exit(status);
}

function checkNode() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major < 20 || (major === 20 && minor < 19)) {
    console.error(`Node.js 20.19 or newer is needed; this is ${process.version}.`);
    process.exit(1);
  }
}

/**
 * Installs when node_modules is missing or older than package-lock.json. npm install keeps the
 * locked versions; unlike npm ci it also fills in the platform binaries (swc, turbo) of a machine
 * whose platform the lock file does not list.
 */
function ensureDependencies() {
  const marker = path.join(root, 'node_modules', '.package-lock.json');
  const lock = path.join(root, 'package-lock.json');
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return;
  step('Installing dependencies (npm install)');
  runOrExit('npm', ['install', '--no-audit', '--no-fund']);
}

const natsDirs = [...(process.env.PATH ?? '').split(path.delimiter), '/usr/sbin', '/usr/local/sbin', '/usr/local/bin', '/usr/bin'];
const hasNatsServer = () => natsDirs.some((dir) => dir && existsSync(path.join(dir, 'nats-server')));

/** nats-server is a system binary: apt-get installs it on Debian as root; elsewhere we say how. */
function ensureNatsServer() {
  if (process.env.NATS_URL || hasNatsServer()) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (existsSync('/etc/debian_version') && isRoot) {
    step('Installing nats-server with apt-get');
    runOrExit('apt-get', ['update', '-qq']);
    runOrExit('apt-get', ['install', '-y', '-qq', 'nats-server'], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    if (hasNatsServer()) return;
  }
  console.error(
    [
      'nats-server is needed but was not found on PATH (nor in /usr/sbin).',
      'Install it with one of:',
      '  Debian/Ubuntu:  sudo apt-get update && sudo apt-get install -y nats-server',
      '  macOS:          brew install nats-server',
      '  other systems:  download a release from https://github.com/nats-io/nats-server/releases and put nats-server on PATH',
      'or set NATS_URL=nats://host:4222 to use a running server with JetStream enabled.',
    ].join('\n'),
  );
  process.exit(1);
}

checkNode();
ensureDependencies();
ensureNatsServer();
step('Generating Prisma clients and typed resolvers');
runOrExit('npx', ['turbo', 'run', 'generate', '--output-logs=errors-only']);

const tsx = ['--conditions=development', '--import', 'tsx'];
switch (command) {
  case 'start':
    step('Building');
    runOrExit('npx', ['turbo', 'run', 'build', '--output-logs=errors-only']);
    handOver(process.execPath, [...tsx, 'scripts/src/dev-stack.ts', ...rest]);
    break;
  case 'test':
    handOver(process.execPath, ['--experimental-vm-modules', '--no-warnings=ExperimentalWarning', 'node_modules/jest/bin/jest.js', ...rest], {
      env: { ...process.env, NODE_OPTIONS: [process.env.NODE_OPTIONS, '--max-old-space-size=4096'].filter(Boolean).join(' ') },
    });
    break;
  default:
    console.error(`usage: node scripts/bootstrap.mjs start|test (got ${command ?? 'nothing'}) on ${os.platform()}`);
    process.exit(2);
}
