// npm run erasures -- list [--status pending,stuck,completed] [--json]
// npm run erasures -- retry <userId>
// The account-erasure sagas in users_db (USERS_DATABASE_URL, by default the database of `npm start`).
// list shows pending and stuck sagas, oldest first, with the participants they still wait for.
// retry starts a pending or stuck saga's attempts afresh: it writes users.user.deleted.v1 to the
// outbox, and the running users service's relay publishes it. Fix the participant first (its
// dead letters: npm run dead-letters -- list --subject 'deadletter.<service>.>').
import { parseArgs } from 'node:util';
import { createLogger } from '@jobplatform/config';
import { parseId } from '@jobplatform/service-runtime';
import { createAccountErasure, type ErasureReport, type ErasureStatus } from '../account-erasure.js';
import { createUsersDb } from '../db.js';
import { loadDatabaseCliEnv } from '../env.js';
import { createUserEventOutbox } from '../user-events.js';
import { runCommand } from './run-command.js';

const usage = `usage:
  npm run erasures -- list [--status pending,stuck,completed] [--json]   (default: pending and stuck)
  npm run erasures -- retry <userId>`;

const statuses: readonly ErasureStatus[] = ['pending', 'stuck', 'completed'];

function printTable(reports: ErasureReport[]): void {
  if (reports.length === 0) {
    console.log('no account erasures with that status');
    return;
  }
  const rows = reports.map((r) => [
    r.userId,
    r.status,
    r.requestedAt.toISOString(),
    String(r.attempts),
    r.lastAttemptAt.toISOString(),
    r.waitingFor.join(',') || '-',
    r.lastError ?? '',
  ]);
  const header = ['user', 'status', 'requested', 'attempts', 'last attempt', 'waiting for', 'last error'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  for (const row of [header, ...rows])
    console.log(
      row
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    );
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { status: { type: 'string', default: 'pending,stuck' }, json: { type: 'boolean', default: false } },
  });
  const [command = 'list', ...rest] = positionals;
  const env = loadDatabaseCliEnv();
  const db = createUsersDb(env.USERS_DATABASE_URL);
  const erasure = createAccountErasure({ db, events: createUserEventOutbox(), logger: createLogger('erasures', 'warn') });
  try {
    if (command === 'list') {
      const wanted = values.status.split(',').map((s) => s.trim());
      const unknown = wanted.filter((s) => !statuses.includes(s as ErasureStatus));
      if (unknown.length > 0) {
        console.error(`unknown status ${unknown.join(', ')}; use ${statuses.join(', ')}`);
        return 2;
      }
      const reports = await erasure.list(wanted as ErasureStatus[]);
      if (values.json) console.log(JSON.stringify(reports, null, 2));
      else printTable(reports);
      return 0;
    }
    if (command === 'retry' && rest.length === 1) {
      const userId = parseId(rest[0]!);
      if (userId === undefined) {
        console.error(`not a user id: ${rest[0]}`);
        return 2;
      }
      await erasure.retry(userId);
      console.log(`erasure of user ${userId}: users.user.deleted.v1 written to the outbox; the users service publishes it`);
      return 0;
    }
    console.error(usage);
    return 2;
  } finally {
    await db.$disconnect();
  }
}

runCommand(main);
