// The development mail catcher: an SMTP server that delivers nothing and keeps every message it
// receives as a file (<number>.eml) with a JSON index (index.json) in one folder. `npm start` runs one
// and points every service's SMTP_URL at it; tests start their own; `npm run mail` reads the folder.
// Not for production: it accepts any sender, any recipient and any credentials.
import { EventEmitter } from 'node:events';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** One message in the store's index. */
export type CaughtMailSummary = {
  /** 1, 2, ...: what `npm run mail -- show N` takes. */
  number: number;
  /** The .eml file, relative to the store's folder. */
  file: string;
  receivedAt: string;
  /** The SMTP envelope's sender and recipients. */
  from: string;
  to: string[];
  subject: string;
  size: number;
};

/** One message, decoded. */
export type CaughtMail = CaughtMailSummary & {
  /** The plain-text body (quoted-printable and base64 undone). */
  text: string;
  html: string | null;
  headers: Record<string, string>;
  raw: string;
};

export type MailStore = {
  dir: string;
  /** Every message, oldest first. */
  list(): Promise<CaughtMailSummary[]>;
  read(number: number): Promise<CaughtMail | undefined>;
};

const indexFile = 'index.json';

/** Where `npm start` keeps caught mail: the mail folder of its data directory (.data/mail). */
export const mailCatcherDir = (dataDir: string) => path.join(dataDir, 'mail');

/** The catcher's port under `npm start` (MAIL_CATCHER_PORT). */
export const defaultMailCatcherPort = 2525;

async function readIndex(dir: string): Promise<CaughtMailSummary[]> {
  try {
    return JSON.parse(await fs.readFile(path.join(dir, indexFile), 'utf8')) as CaughtMailSummary[];
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** The catcher's folder, for reading (it need not exist yet). */
export function openMailStore(dir: string): MailStore {
  return storeOver(dir, () => readIndex(dir));
}

function storeOver(dir: string, list: () => Promise<CaughtMailSummary[]>): MailStore {
  return {
    dir,
    list,
    async read(number) {
      const summary = (await list()).find((entry) => entry.number === number);
      if (!summary) return undefined;
      const raw = await fs.readFile(path.join(dir, summary.file), 'utf8');
      const parsed = await simpleParser(raw, { skipTextToHtml: true, skipImageLinks: true });
      const headers = Object.fromEntries(parsed.headerLines.map((line) => [line.key, line.line.slice(line.line.indexOf(':') + 1).trim()]));
      return { ...summary, text: parsed.text ?? '', html: typeof parsed.html === 'string' ? parsed.html : null, headers, raw };
    },
  };
}

export type MailCatcherOptions = {
  /** Where the messages are kept; created when missing. Messages already there stay and are numbered on from. */
  dir: string;
  host?: string;
  /** 0 (the default) for a free port. */
  port?: number;
  /** Acts out a server that refuses these recipients for good (550), as a real one refuses unknown mailboxes. */
  refuseRecipient?: (address: string) => boolean;
};

export type MailCatcher = MailStore & {
  /** smtp://host:port: what SMTP_URL is set to. */
  url: string;
  port: number;
  /** Resolves with the first message, already caught or still to come, that `matches`; fails after timeoutMs. */
  waitForMail(matches: (mail: CaughtMail) => boolean, options?: { timeoutMs?: number; description?: string }): Promise<CaughtMail>;
  stop(): Promise<void>;
};

/** Starts a catcher listening for SMTP (no TLS, any or no credentials). */
export async function startMailCatcher(options: MailCatcherOptions): Promise<MailCatcher> {
  const { dir } = options;
  await fs.mkdir(dir, { recursive: true });
  const index = await readIndex(dir);
  // The running catcher answers from its own index; the file follows within a moment.
  const store = storeOver(dir, async () => [...index]);
  const arrivals = new EventEmitter();
  // One message is written at a time, so the index and the numbers stay in step.
  let writing: Promise<unknown> = Promise.resolve();

  // index.json is written again at most every 100 ms, not once per message: under a burst of
  // mail (a seed, a benchmark) rewriting it each time would cost the square of the count.
  let flushTimer: NodeJS.Timeout | undefined;
  let flushing: Promise<void> = Promise.resolve();
  const flushIndex = () => {
    flushTimer = undefined;
    const snapshot = `${JSON.stringify(index, null, 2)}\n`;
    flushing = flushing.then(async () => {
      const next = path.join(dir, `${indexFile}.${process.pid}.tmp`);
      await fs.writeFile(next, snapshot);
      await fs.rename(next, path.join(dir, indexFile));
    });
    return flushing;
  };

  const keep = (raw: Buffer, envelope: { from: string; to: string[] }) => {
    const done = writing.then(async () => {
      const number = (index.at(-1)?.number ?? 0) + 1;
      const file = `${String(number).padStart(6, '0')}.eml`;
      const parsed = await simpleParser(raw, { skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true });
      const summary: CaughtMailSummary = {
        number,
        file,
        receivedAt: new Date().toISOString(),
        from: envelope.from,
        to: envelope.to,
        subject: parsed.subject ?? '',
        size: raw.length,
      };
      await fs.writeFile(path.join(dir, file), raw);
      index.push(summary);
      flushTimer ??= setTimeout(() => void flushIndex().catch(() => undefined), 100);
      arrivals.emit('mail', number);
    });
    writing = done.catch(() => undefined);
    return done;
  };

  const server = new SMTPServer({
    banner: 'jobplatform development mail catcher',
    logger: false,
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    size: 25 * 1024 * 1024,
    // Pooled connections of the services are idle, not pending: they need not hold up a stop.
    closeTimeout: 500,
    onAuth(auth, _session, callback) {
      callback(null, { user: auth.username ?? 'anonymous' });
    },
    onRcptTo(address, _session, callback) {
      if (options.refuseRecipient?.(address.address)) {
        const refused = Object.assign(new Error(`5.1.1 <${address.address}>: mailbox unavailable`), { responseCode: 550 });
        callback(refused);
        return;
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', callback);
      stream.on('end', () => {
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        keep(Buffer.concat(chunks), { from, to: session.envelope.rcptTo.map((rcpt) => rcpt.address) }).then(
          () => callback(),
          (error: Error) => callback(error),
        );
      });
    },
  });
  server.on('error', () => undefined); // a client that hangs up mid-message is not the catcher's failure

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.server.once('error', onError);
    server.listen(options.port ?? 0, host, () => {
      server.server.off('error', onError);
      resolve();
    });
  });
  const port = (server.server.address() as AddressInfo).port;

  async function waitForMail(matches: (mail: CaughtMail) => boolean, { timeoutMs = 15_000, description = 'a matching mail' } = {}): Promise<CaughtMail> {
    let seen = 0;
    const check = async (): Promise<CaughtMail | undefined> => {
      const index = await store.list();
      for (const summary of index.filter((entry) => entry.number > seen)) {
        const mail = await store.read(summary.number);
        if (mail && matches(mail)) return mail;
        seen = summary.number;
      }
      return undefined;
    };
    return new Promise<CaughtMail>((resolve, reject) => {
      let checking = Promise.resolve();
      const again = () => {
        checking = checking.then(async () => {
          const found = await check();
          if (found) finish(() => resolve(found));
        });
        checking.catch((error: Error) => finish(() => reject(error)));
      };
      const timer = setTimeout(() => finish(() => reject(new Error(`the mail catcher got no ${description} within ${timeoutMs} ms`))), timeoutMs);
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        arrivals.off('mail', again);
        settle();
      };
      arrivals.on('mail', again);
      again();
    });
  }

  return {
    ...store,
    url: `smtp://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    waitForMail,
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await writing;
      if (flushTimer) {
        clearTimeout(flushTimer);
        await flushIndex();
      }
      await flushing;
    },
  };
}
