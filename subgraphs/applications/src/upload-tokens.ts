import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The signed tokens of upload and download URLs when the bytes are on local disk (an S3 store signs
 * its own URLs). A token names one attachment, what it allows (one PUT of its bytes, or GETs of
 * them) and until when, under an HMAC-SHA256 of the service's secret: `u.<id>.<expiry>.<mac>`. It
 * holds no secret and nothing personal, so it may sit in a URL and a log line. Single use of an
 * upload token is not the token's business: the upload route's conditional update of the row from
 * pending to uploaded lets one upload through.
 */
export type TokenPurpose = 'upload' | 'download';

export type SignedToken = { purpose: TokenPurpose; attachmentId: bigint; expiresAt: Date };

export type TokenCheck = { ok: true; token: SignedToken } | { ok: false; reason: 'INVALID' | 'EXPIRED' };

const purposeCode: Record<TokenPurpose, string> = { upload: 'u', download: 'd' };
const tokenPattern = /^([ud])\.([1-9][0-9]{0,18})\.([0-9]{1,13})\.([A-Za-z0-9_-]{43})$/;

export type UploadTokens = {
  sign(token: SignedToken): string;
  /** Whether `text` is a token this service signed for `purpose`, and still valid at `now`. */
  verify(text: string, purpose: TokenPurpose, now: Date): TokenCheck;
};

export function createUploadTokens(secret: string): UploadTokens {
  const macOf = (payload: string) => createHmac('sha256', secret).update(payload).digest('base64url');
  return {
    sign({ purpose, attachmentId, expiresAt }) {
      const payload = `${purposeCode[purpose]}.${attachmentId}.${expiresAt.getTime()}`;
      return `${payload}.${macOf(payload)}`;
    },
    verify(text, purpose, now) {
      const match = tokenPattern.exec(text);
      if (!match) return { ok: false, reason: 'INVALID' };
      const [, code, id, expiry, mac] = match;
      const expected = Buffer.from(macOf(`${code}.${id}.${expiry}`));
      if (!timingSafeEqual(expected, Buffer.from(mac!)) || code !== purposeCode[purpose]) return { ok: false, reason: 'INVALID' };
      const expiresAt = new Date(Number(expiry));
      if (expiresAt.getTime() <= now.getTime()) return { ok: false, reason: 'EXPIRED' };
      return { ok: true, token: { purpose, attachmentId: BigInt(id!), expiresAt } };
    },
  };
}
