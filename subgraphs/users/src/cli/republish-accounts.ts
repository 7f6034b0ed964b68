// npm run users:republish
// Writes users.user.updated.v1 with the current state of every account not being erased to the
// outbox of users_db (USERS_DATABASE_URL, by default the database of `npm start`); the running
// users service's relay publishes them. The services that keep a copy of accounts take them in
// again: run it after such a copy gains a field (a migration says so), or to refill a lost one.
import { createLogger } from '@jobplatform/config';
import { republishAccounts } from '../account-republish.js';
import { createUsersDb } from '../db.js';
import { loadDatabaseCliEnv } from '../env.js';
import { createUserEventOutbox } from '../user-events.js';
import { runCommand } from './run-command.js';

async function main(): Promise<number> {
  const env = loadDatabaseCliEnv();
  const logger = createLogger('users-republish', 'info');
  const db = createUsersDb(env.USERS_DATABASE_URL);
  try {
    const written = await republishAccounts(db, createUserEventOutbox(), { say: (line) => logger.info(line) });
    console.log(`✔ users.user.updated.v1 written to the outbox for ${written} accounts; the users service publishes them`);
    return 0;
  } finally {
    await db.$disconnect();
  }
}

runCommand(main);
