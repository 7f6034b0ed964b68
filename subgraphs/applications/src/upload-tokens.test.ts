import { createUploadTokens } from './upload-tokens.js';

const now = new Date('2026-05-01T12:00:00Z');
const inFifteenMinutes = new Date(now.getTime() + 15 * 60_000);

describe('upload and download tokens', () => {
  const tokens = createUploadTokens('a secret of at least thirty-two characters');

  it('verifies a token it signed, for its purpose, until it expires', () => {
    const text = tokens.sign({ purpose: 'upload', attachmentId: 42n, expiresAt: inFifteenMinutes });
    expect(text).toMatch(/^u\.42\.\d+\.[A-Za-z0-9_-]{43}$/);
    expect(tokens.verify(text, 'upload', now)).toEqual({ ok: true, token: { purpose: 'upload', attachmentId: 42n, expiresAt: inFifteenMinutes } });
    expect(tokens.verify(text, 'upload', inFifteenMinutes)).toEqual({ ok: false, reason: 'EXPIRED' });
  });

  it('refuses a token of the other purpose: an upload URL downloads nothing and a download URL takes no upload', () => {
    const upload = tokens.sign({ purpose: 'upload', attachmentId: 42n, expiresAt: inFifteenMinutes });
    const download = tokens.sign({ purpose: 'download', attachmentId: 42n, expiresAt: inFifteenMinutes });
    expect(tokens.verify(upload, 'download', now)).toEqual({ ok: false, reason: 'INVALID' });
    expect(tokens.verify(download, 'upload', now)).toEqual({ ok: false, reason: 'INVALID' });
    // Changing the letter breaks the MAC too.
    expect(tokens.verify(`d${upload.slice(1)}`, 'download', now)).toEqual({ ok: false, reason: 'INVALID' });
  });

  it('refuses a changed id or expiry, another secret, and junk', () => {
    const text = tokens.sign({ purpose: 'upload', attachmentId: 42n, expiresAt: inFifteenMinutes });
    const [code, , expiry, mac] = text.split('.');
    expect(tokens.verify(`${code}.43.${expiry}.${mac}`, 'upload', now).ok).toBe(false);
    expect(tokens.verify(`${code}.42.${Number(expiry) + 3_600_000}.${mac}`, 'upload', now).ok).toBe(false);
    expect(createUploadTokens('another secret of at least thirty-two characters').verify(text, 'upload', now).ok).toBe(false);
    for (const junk of ['', 'u', 'u.42', `${text}x`, `u.0.${expiry}.${mac}`, `u.-1.${expiry}.${mac}`, '../../etc/passwd']) {
      expect(tokens.verify(junk, 'upload', now)).toEqual({ ok: false, reason: 'INVALID' });
    }
  });

  it('says EXPIRED only for a genuine token, so a forged one learns nothing', () => {
    const old = tokens.sign({ purpose: 'upload', attachmentId: 1n, expiresAt: new Date(now.getTime() - 1) });
    expect(tokens.verify(old, 'upload', now)).toEqual({ ok: false, reason: 'EXPIRED' });
    const forged = `${old.slice(0, -1)}${old.endsWith('A') ? 'B' : 'A'}`;
    expect(tokens.verify(forged, 'upload', now)).toEqual({ ok: false, reason: 'INVALID' });
  });
});
