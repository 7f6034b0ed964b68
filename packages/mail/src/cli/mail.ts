// npm run mail -- list | show <N> | serve
//
//   list       the messages the development mail catcher holds, oldest first
//   show N     message N: its headers and plain-text body (--raw: the .eml as received)
//   serve      runs a catcher on its own (MAIL_CATCHER_HOST, MAIL_CATCHER_PORT; docker-compose's mail)
//
// `npm start` runs the catcher itself and keeps what it receives in .data/mail (JOBPLATFORM_DATA_DIR).
import { parseArgs } from 'node:util';
import { EnvError } from '@jobplatform/config';
import { openMailStore, startMailCatcher, type CaughtMail } from '../catcher.js';
import { readMailCliEnv } from './env.js';

const usage = 'usage: npm run mail -- list | show <N> [--raw] | serve';

function describe(mail: CaughtMail): string {
  const shown = ['From', 'To', 'Subject', 'Date', 'Message-ID'];
  const headers = shown.filter((name) => mail.headers[name.toLowerCase()]).map((name) => `${name}: ${mail.headers[name.toLowerCase()]}`);
  return [`#${mail.number}  received ${mail.receivedAt}  (${mail.file})`, ...headers, '', mail.text.trimEnd()].join('\n');
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { raw: { type: 'boolean', default: false } } });
  const [command, argument] = positionals;
  const env = readMailCliEnv();
  const store = openMailStore(env.mailDir);
  switch (command) {
    case 'list': {
      const messages = await store.list();
      if (messages.length === 0) console.log(`no mail in ${env.mailDir}`);
      for (const m of messages) console.log(`#${String(m.number).padEnd(5)} ${m.receivedAt}  ${m.to.join(', ').padEnd(32)}  ${m.subject}`);
      return 0;
    }
    case 'show': {
      const number = Number(argument);
      if (!Number.isInteger(number) || number <= 0) break;
      const mail = await store.read(number);
      if (!mail) {
        console.error(`no message #${number} in ${env.mailDir} (npm run mail -- list)`);
        return 1;
      }
      console.log(values.raw ? mail.raw : describe(mail));
      return 0;
    }
    case 'serve': {
      const catcher = await startMailCatcher({ dir: env.mailDir, host: env.MAIL_CATCHER_HOST, port: env.MAIL_CATCHER_PORT });
      console.log(`mail catcher on ${catcher.url}, keeping messages in ${env.mailDir}`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await catcher.stop();
      return 0;
    }
  }
  console.error(usage);
  return 2;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof EnvError ? error.message : error);
    process.exit(1);
  },
);
