import type express from 'express';
import type { Logger } from '@jobplatform/config';
import { HOP_SIGNATURE_HEADER, oldestRelevantRevocation, verifyHop, type RevocationPage } from '@jobplatform/service-runtime';
import type { UsersDb } from './db.js';

/** At most this many revocations per answer; the reader asks again from the last one's time. */
const PAGE_LIMIT = 5_000;

/**
 * Reads the revocations recorded after `since` (all that still matter without one) from
 * users_db: what GET /internal/token-revocations answers, and what users' own verifier reads.
 * Deletes, at most once a minute, the rows that name only expired tokens.
 */
export function createRevocationReader(db: UsersDb, now: () => Date) {
  let lastPrune = 0;
  return async (since: string | undefined): Promise<RevocationPage> => {
    const at = now();
    const oldest = oldestRelevantRevocation(at);
    const requested = since === undefined ? Number.NaN : Date.parse(since);
    const from = Number.isNaN(requested) || requested < oldest.getTime() ? oldest : new Date(requested);
    if (Date.now() - lastPrune > 60_000) {
      lastPrune = Date.now();
      await db.tokenRevocation.deleteMany({ where: { createdAt: { lt: oldest } } });
    }
    const rows = await db.tokenRevocation.findMany({ where: { createdAt: { gt: from } }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], take: PAGE_LIMIT });
    return {
      // A full page: the next read starts at its last row (the reader reaches back before it anyway).
      asOf: (rows.length === PAGE_LIMIT ? rows.at(-1)!.createdAt : at).toISOString(),
      revocations: rows.map((row) => ({
        id: row.id.toString(),
        sessionId: row.sessionId,
        userId: row.userId.toString(),
        notBefore: row.notBefore.toISOString(),
      })),
    };
  };
}

export type RevocationReader = ReturnType<typeof createRevocationReader>;

/**
 * GET /internal/token-revocations?since=<RFC 3339>: the verifiers' feed. It names accounts and
 * sign-ins, so where a gateway hop secret is set only callers that sign with it get an answer.
 */
export function serveTokenRevocations(app: express.Express, path: string, options: { read: RevocationReader; hopSecret: string | undefined; logger: Logger }): void {
  app.get(path, async (req, res) => {
    if (options.hopSecret) {
      const verdict = verifyHop(options.hopSecret, req.header(HOP_SIGNATURE_HEADER), {
        method: 'GET',
        path: req.originalUrl,
        authorization: undefined,
        requestId: undefined,
        clientIp: undefined,
        body: '',
      });
      if (!verdict.signed) {
        res.status(401).json({ error: `token revocations are served to the platform's own services only (${verdict.problem} signature)` });
        return;
      }
    }
    const since = typeof req.query.since === 'string' ? req.query.since : undefined;
    try {
      res.setHeader('cache-control', 'no-store');
      res.json(await options.read(since));
    } catch (error) {
      options.logger.error({ err: error }, 'reading token revocations failed');
      res.status(503).json({ error: 'token revocations cannot be read right now' });
    }
  });
}
