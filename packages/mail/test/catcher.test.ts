import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTransport } from 'nodemailer';
import { mailCatcherDir, openMailStore, startMailCatcher } from '../src/catcher.js';
import { temporaryDir, waitFor } from './mail-test-setup.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

async function send(url: string, mail: { to: string; subject: string; text: string }) {
  const transport = createTransport(url);
  try {
    await transport.sendMail({ from: 'sender@example.com', ...mail });
  } finally {
    transport.close();
  }
}

it('keeps each message as an .eml file with an index, numbered on across restarts', async () => {
  const data = await temporaryDir('jobplatform-catcher-');
  try {
    const dir = mailCatcherDir(data.dir);
    let catcher = await startMailCatcher({ dir });
    await send(catcher.url, { to: 'ada@example.com', subject: 'First', text: 'one' });
    await send(catcher.url, { to: 'grace@example.com', subject: 'Zweite Nachricht – äöü', text: `a long line ${'y'.repeat(200)}` });
    await catcher.stop();

    catcher = await startMailCatcher({ dir });
    await send(catcher.url, { to: 'linus@example.com', subject: 'Third', text: 'three' });
    await catcher.stop();

    const store = openMailStore(dir);
    const index = await store.list();
    expect(index.map((m) => [m.number, m.file, m.to, m.subject])).toEqual([
      [1, '000001.eml', ['ada@example.com'], 'First'],
      [2, '000002.eml', ['grace@example.com'], 'Zweite Nachricht – äöü'],
      [3, '000003.eml', ['linus@example.com'], 'Third'],
    ]);
    expect(JSON.parse(readFileSync(path.join(dir, 'index.json'), 'utf8'))).toEqual(index);
    expect(existsSync(path.join(dir, '000002.eml'))).toBe(true);
    const second = await store.read(2);
    expect(second!.text.trim()).toBe(`a long line ${'y'.repeat(200)}`);
    expect(second!.headers.subject).toMatch(/=\?UTF-8\?|Zweite/i);
    expect(await store.read(4)).toBeUndefined();
  } finally {
    await data.remove();
  }
});

it('waits for a mail that has not come yet, and times out naming what it waited for', async () => {
  const data = await temporaryDir('jobplatform-catcher-');
  const catcher = await startMailCatcher({ dir: data.dir });
  try {
    const waiting = catcher.waitForMail((m) => m.subject === 'Later');
    await send(catcher.url, { to: 'a@example.com', subject: 'Sooner', text: '1' });
    await send(catcher.url, { to: 'a@example.com', subject: 'Later', text: '2' });
    expect((await waiting).number).toBe(2);
    // Readers of the folder (npm run mail) see it too, a moment later.
    await waitFor(
      'index.json to list both',
      () => openMailStore(data.dir).list(),
      (list) => list.length === 2,
    );
    await expect(catcher.waitForMail((m) => m.subject === 'Never', { timeoutMs: 200, description: 'mail that never comes' })).rejects.toThrow(
      /mail that never comes within 200 ms/,
    );
  } finally {
    await catcher.stop();
    await data.remove();
  }
});

it('npm run mail -- list and show read what the catcher kept', async () => {
  const data = await temporaryDir('jobplatform-catcher-');
  try {
    const catcher = await startMailCatcher({ dir: mailCatcherDir(data.dir) });
    await send(catcher.url, { to: 'reader@example.com', subject: 'Your link', text: 'Open https://app.example/verify?token=abc123' });
    await catcher.stop();
    const mail = (...args: string[]) =>
      spawnSync(process.execPath, ['--conditions=development', '--import', 'tsx', 'packages/mail/src/cli/mail.ts', ...args], {
        cwd: repoRoot,
        env: { ...process.env, JOBPLATFORM_DATA_DIR: data.dir },
        encoding: 'utf8',
      });
    const list = mail('list');
    expect(list.status).toBe(0);
    expect(list.stdout).toMatch(/#1\s+\S+\s+reader@example\.com\s+Your link/);
    const show = mail('show', '1');
    expect(show.status).toBe(0);
    expect(show.stdout).toContain('Subject: Your link');
    expect(show.stdout).toContain('https://app.example/verify?token=abc123');
    expect(mail('show', '2').status).toBe(1);
    expect(mail('frobnicate').status).toBe(2);
  } finally {
    await data.remove();
  }
}, 60_000);
