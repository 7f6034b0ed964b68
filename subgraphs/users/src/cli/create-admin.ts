// npm run create-admin -- --email ops@example.com --username ops
// Creates an admin account directly in users_db, through the same account rules as registration.
// The password comes from ADMIN_PASSWORD or, when that is unset, from the first line of stdin.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { createLogger } from '@jobplatform/config';
import { createAccountMailer } from '../account-mails.js';
import { createAccountService } from '../accounts.js';
import { createUsersDb } from '../db.js';
import { loadCreateAdminEnv } from '../env.js';
import { createFieldCipher } from '../field-encryption.js';
import { defaultLoginThrottlePolicy } from '../login-throttle.js';
import { createPasswordHasher } from '../passwords.js';
import { createAccessTokenSigner } from '../signing-keys.js';
import { createUserEventOutbox } from '../user-events.js';
import { runCommand } from './run-command.js';

async function readPasswordFromStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('Password for the new admin: ');
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    lines.close();
    return line;
  }
  return '';
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { email: { type: 'string' }, username: { type: 'string' } } });
  if (!values.email || !values.username) {
    console.error('usage: npm run create-admin -- --email <email> --username <username>   (password from ADMIN_PASSWORD or stdin)');
    return 2;
  }
  const env = loadCreateAdminEnv();
  const password = env.ADMIN_PASSWORD ?? (await readPasswordFromStdin());
  const db = createUsersDb(env.USERS_DATABASE_URL);
  const logger = createLogger('create-admin', 'warn');
  const events = createUserEventOutbox();
  try {
    const accounts = createAccountService({
      db,
      hasher: createPasswordHasher({ memoryKiB: env.ARGON2_MEMORY_KIB, timeCost: env.ARGON2_TIME_COST }),
      // Creating an account issues no access token; these only satisfy the service's shape.
      signer: await createAccessTokenSigner(generateKeyPairSync('ed25519').privateKey),
      cipher: createFieldCipher(randomBytes(32)),
      // The registration event waits in the outbox until the users service's relay publishes it,
      // and the verification mail in the send queue until its courier sends it.
      events,
      mailer: createAccountMailer({ webAppUrl: env.WEB_APP_URL, events }),
      erasure: { start: () => Promise.reject(new Error('create-admin deletes no account')) },
      throttle: defaultLoginThrottlePolicy,
      // An admin made here has no client address, which no limit counts.
      registrationLimit: { windowMs: 60 * 60 * 1000, maxPerAddress: 0 },
      logger,
    });
    const admin = await accounts.createAdmin({ email: values.email, username: values.username, password }, { clientIp: undefined, userAgent: 'create-admin' });
    console.log(`admin ${admin.username} <${admin.email}> created with id ${admin.id}`);
    return 0;
  } finally {
    await db.$disconnect();
  }
}

runCommand(main);
