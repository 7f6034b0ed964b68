// Lists, replays and discards dead letters (the DEADLETTER stream, subjects deadletter.<service>.<purpose>).
//
//   dead-letters list    [--subject deadletter.jobs.>] [--limit 50] [--json]
//   dead-letters show    <sequence>
//   dead-letters replay  <sequence>... | --all [--subject ...]
//   dead-letters discard <sequence>... | --all [--subject ...]
//
// Run from the repository root with
//   node --conditions=development --import tsx packages/events/src/cli/dead-letters.ts list
// NATS_URL (default nats://127.0.0.1:4222) or --nats-url names the server. The command connects as
// the admin identity: NATS_ADMIN_PASSWORD, or the development key `npm start` made.
//
// Replay publishes the event again on its original subject. Consumers that applied it already skip
// it by its id, so only the consumer that gave up applies it: fix the cause (deploy the handler fix,
// repair the data) before replaying, or it comes straight back.
import { parseArgs } from 'node:util';
import { EnvError } from '@jobplatform/config';
import { discardDeadLetters, listDeadLetters, replayDeadLetters, type DeadLetter } from '../dead-letter.js';
import { connectToNats } from '../nats-connection.js';
import { natsAdminUser } from '../nats-identities.js';
import { adminPasswordOf, readDeadLetterEnv } from './env.js';

const usage = `usage: dead-letters <list|show|replay|discard> [sequence...] [--all] [--subject deadletter.<service>.>] [--limit N] [--json] [--nats-url URL]`;

function describe(letter: DeadLetter): string {
  return [
    `#${letter.sequence}  ${letter.failedAt}  ${letter.reason}  after ${letter.deliveries} deliveries`,
    `    consumer ${letter.consumer}  <-  ${letter.originalSubject} (${letter.originalStream} #${letter.originalSequence})${letter.eventId ? `  event ${letter.eventId}` : ''}`,
    `    ${letter.error}`,
  ].join('\n');
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      subject: { type: 'string' },
      limit: { type: 'string', default: '100' },
      all: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      'nats-url': { type: 'string' },
    },
  });
  const [command, ...rest] = positionals;
  const sequences = rest.map(Number);
  if (!command || sequences.some((n) => !Number.isInteger(n) || n <= 0)) {
    console.error(usage);
    return 2;
  }
  const env = readDeadLetterEnv();
  const password = adminPasswordOf(env);
  const nats = await connectToNats(values['nats-url'] ?? env.NATS_URL, 'dead-letters-cli', password ? { user: natsAdminUser, password } : {});
  try {
    const subject = values.subject;
    const selected = async () =>
      values.all ? (await listDeadLetters(nats, { ...(subject ? { subject } : {}), limit: Number.MAX_SAFE_INTEGER })).map((l) => l.sequence) : sequences;
    switch (command) {
      case 'list': {
        const letters = await listDeadLetters(nats, { ...(subject ? { subject } : {}), limit: Number(values.limit) });
        if (values.json)
          console.log(
            JSON.stringify(
              letters.map(({ data, headers: _h, ...letter }) => ({ ...letter, payload: Buffer.from(data).toString('utf8') })),
              null,
              2,
            ),
          );
        else console.log(letters.length === 0 ? 'No dead letters.' : letters.map(describe).join('\n\n'));
        return 0;
      }
      case 'show': {
        const letters = await listDeadLetters(nats, { limit: Number.MAX_SAFE_INTEGER });
        const letter = letters.find((l) => l.sequence === sequences[0]);
        if (!letter) {
          console.error(`No dead letter #${sequences[0]}`);
          return 1;
        }
        console.log(describe(letter));
        console.log(Buffer.from(letter.data).toString('utf8'));
        return 0;
      }
      case 'replay': {
        const { replayed, missing } = await replayDeadLetters(nats, await selected());
        console.log(`Replayed ${replayed.length}${replayed.length ? `: ${replayed.join(', ')}` : ''}${missing.length ? `; not found: ${missing.join(', ')}` : ''}`);
        return missing.length ? 1 : 0;
      }
      case 'discard': {
        const { discarded, missing } = await discardDeadLetters(nats, await selected());
        console.log(`Discarded ${discarded.length}${discarded.length ? `: ${discarded.join(', ')}` : ''}${missing.length ? `; not found: ${missing.join(', ')}` : ''}`);
        return missing.length ? 1 : 0;
      }
      default:
        console.error(usage);
        return 2;
    }
  } finally {
    await nats.drain();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof EnvError ? error.message : error);
    process.exit(1);
  },
);
