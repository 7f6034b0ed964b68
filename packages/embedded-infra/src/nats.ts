import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { waitForPort } from './ports.js';

export type NatsServerOptions = {
  port: number;
  /** JetStream store folder. */
  storeDir: string;
  /** Monitoring port (/healthz, /varz); omit to disable. */
  monitorPort?: number;
  /**
   * A configuration file's text (users and permissions: natsServerConfig in @jobplatform/events),
   * written beside the store with mode 0600. The port, address and store given here override it.
   */
  config?: string;
  onLog?: (line: string) => void;
  /**
   * Run in a process group of its own, so that the terminal's Ctrl-C does not reach it and the
   * caller stops it when its turn comes (the dev stack: services first, then NATS, then PostgreSQL).
   */
  ownProcessGroup?: boolean;
};

export type NatsServerHandle = {
  url: string;
  /** Stops with SIGTERM and waits for exit. */
  stop(): Promise<void>;
  /** Kills with SIGKILL, as a crash would (failure tests). */
  kill(): Promise<void>;
  /** Starts again on the same port and store after stop() or kill(). */
  restart(): Promise<void>;
};

// Debian installs nats-server into /usr/sbin, which is not on every user's PATH.
const extraDirs = ['/usr/sbin', '/usr/local/sbin', '/usr/local/bin', '/usr/bin'];

export function natsInstallHint(): string {
  return [
    'nats-server was not found on PATH (nor in /usr/sbin).',
    'Install it with one of:',
    '  Debian/Ubuntu:  sudo apt-get update && sudo apt-get install -y nats-server',
    '  macOS:          brew install nats-server',
    '  any OS:         download a release from https://github.com/nats-io/nats-server/releases and put nats-server on PATH',
    'or point the platform at an existing server with NATS_URL=nats://host:4222 (JetStream enabled).',
  ].join('\n');
}

export function findNatsServer(): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), ...extraDirs].filter(Boolean);
  for (const dir of dirs) {
    const candidate = path.join(dir, 'nats-server');
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

export async function startNatsServer(options: NatsServerOptions): Promise<NatsServerHandle> {
  const binary = findNatsServer();
  if (!binary) throw new Error(natsInstallHint());
  await fs.mkdir(options.storeDir, { recursive: true });
  const configFile = path.join(options.storeDir, 'nats-server.conf');
  if (options.config !== undefined) {
    await fs.writeFile(configFile, options.config, { mode: 0o600 });
    await fs.chmod(configFile, 0o600); // an existing file keeps its mode otherwise
  }
  const log = options.onLog ?? (() => undefined);
  let child: ChildProcess | undefined;

  const launch = async () => {
    const args = [...(options.config !== undefined ? ['-c', configFile] : []), '-a', '127.0.0.1', '-p', String(options.port), '-js', '-sd', options.storeDir];
    if (options.monitorPort) args.push('-m', String(options.monitorPort));
    const proc = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: options.ownProcessGroup ?? false });
    child = proc;
    const forward = (chunk: Buffer) => chunk.toString('utf8').split('\n').filter(Boolean).forEach(log);
    proc.stdout?.on('data', forward);
    proc.stderr?.on('data', forward);
    const exited = new Promise<never>((_, reject) => proc.once('exit', (code) => reject(new Error(`nats-server exited early with code ${code}`))));
    exited.catch(() => undefined);
    await Promise.race([waitForPort(options.port), exited]);
  };

  const terminate = async (signal: NodeJS.Signals) => {
    const proc = child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      proc.once('exit', () => resolve());
      proc.kill(signal);
    });
  };

  await launch();
  return {
    url: `nats://127.0.0.1:${options.port}`,
    stop: () => terminate('SIGTERM'),
    kill: () => terminate('SIGKILL'),
    restart: launch,
  };
}
