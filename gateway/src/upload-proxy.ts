import http from 'node:http';
import https from 'node:https';
import { pipeline, Transform } from 'node:stream';
import type express from 'express';
import type { Logger } from '@jobplatform/config';
import { CLIENT_IP_HEADER, REQUEST_ID_HEADER } from '@jobplatform/service-runtime';

/**
 * Attachment uploads and downloads on the public origin: `PUT /uploads/<token>` and
 * `GET /uploads/<token>` pass on, streaming both ways, to the applications service's own
 * /uploads route, which checks the token and the bytes. Only local storage makes such URLs; an S3
 * store's presigned URLs go to the store directly. Nothing is buffered here: bytes flow as they
 * come, and an upload is cut off past UPLOAD_PROXY_LIMIT_BYTES (or refused at once when its
 * Content-Length says so).
 */

/**
 * The most one upload may carry through the gateway. The applications service enforces the exact
 * limit (10 MB): it stops reading at the limit, answers, and drops up to as much again while its
 * answer goes out, with socket buffers in between. So the proxy cuts off only past twice the limit,
 * where the service has answered already, and refuses at once a Content-Length over it.
 */
export const UPLOAD_PROXY_LIMIT_BYTES = 2 * 10 * 1024 * 1024;

/** An upload or download whose upstream connection is silent this long is given up (504). */
const IDLE_TIMEOUT_MS = 60_000;

const requestHeaders = ['content-type', 'content-length', 'user-agent'] as const;
const responseHeaders = ['content-type', 'content-length', 'content-disposition', 'cache-control', 'x-content-type-options', 'etag', 'last-modified'] as const;

type ProxyOptions = {
  /** The applications service's GraphQL URL; the proxy is not mounted without one. */
  subgraphUrl: string | undefined;
  logger: Logger;
  limitBytes?: number;
};

function sendError(res: express.Response, status: number, code: string, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.status(status).json({ errors: [{ message, extensions: { code } }] });
}

/** Reads and drops what a client still sends after an early answer, then closes; past `limit` more bytes it is cut off. */
function discardRestOfBody(req: express.Request, res: express.Response, limit: number): void {
  if (!res.headersSent) res.setHeader('connection', 'close');
  let discarded = 0;
  req.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > limit) req.socket.destroy();
  });
  req.resume();
}

export function mountUploadProxy(app: express.Express, options: ProxyOptions): void {
  if (!options.subgraphUrl) return;
  const { logger } = options;
  const limit = options.limitBytes ?? UPLOAD_PROXY_LIMIT_BYTES;
  const base = new URL('/uploads/', options.subgraphUrl);
  const transport = base.protocol === 'https:' ? https : http;
  const agent = new transport.Agent({ keepAlive: true, maxSockets: 256 });
  const tooLarge = (res: express.Response) => sendError(res, 413, 'TOO_LARGE', `The file is larger than 10 MB (${(10 * 1024 * 1024).toLocaleString('en-US')} bytes).`);

  const forward = (req: express.Request, res: express.Response) => {
    const isUpload = req.method === 'PUT';
    const declared = Number(req.headers['content-length'] ?? 0);
    if (isUpload && declared > limit) {
      tooLarge(res);
      discardRestOfBody(req, res, limit);
      return;
    }
    const headers: http.OutgoingHttpHeaders = { [REQUEST_ID_HEADER]: req.requestId };
    for (const name of requestHeaders) if (req.headers[name] !== undefined) headers[name] = req.headers[name];
    if (req.ip) headers[CLIENT_IP_HEADER] = req.ip;
    // An upload gets a connection of its own, closed once the exchange is over. The service answers a
    // refusal before it has the whole body and then drops the rest, cutting the connection past
    // another 10 MB: a pooled connection could be given to the next request as it closes. The request
    // still says keep-alive, so that the service does not close it the moment it has answered, while
    // the body is on its way (a reset then could lose the answer).
    if (isUpload) headers.connection = 'keep-alive';

    const upstream = transport.request(new URL(encodeURIComponent(String(req.params.token)), base), {
      method: req.method,
      headers,
      agent: isUpload ? false : agent,
    });
    upstream.setTimeout(IDLE_TIMEOUT_MS, () => upstream.destroy(Object.assign(new Error('upstream idle'), { code: 'ETIMEDOUT' })));

    let carried = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        carried += chunk.length;
        if (carried > limit) done(Object.assign(new Error('upload over the proxy limit'), { code: 'TOO_LARGE' }));
        else done(null, chunk);
      },
    });
    let forwarding = isUpload;
    /** Stops passing the body on; what the client still sends is dropped here, so that its connection stays usable. */
    const stopForwarding = () => {
      if (!forwarding) return;
      forwarding = false;
      req.unpipe(counter);
      discardRestOfBody(req, res, limit);
    };

    let answered = false;
    upstream.on('response', (answer) => {
      answered = true;
      res.status(answer.statusCode ?? 502);
      for (const name of responseHeaders) if (answer.headers[name] !== undefined) res.setHeader(name, answer.headers[name]!);
      // An answer cut short closes the client's connection (pipeline destroys res) rather than
      // leaving the client waiting for the rest.
      pipeline(answer, res, () => {
        if (!forwarding || upstream.writableEnded) return;
        // The service answered before it had the whole body (a refusal), so the rest is of no use to
        // it. Node's client stops passing on its socket's 'drain' once the response is complete, so
        // piping the rest on would stall at the first full buffer, and with it the client's connection.
        upstream.destroy();
        stopForwarding();
      });
    });
    upstream.on('error', (error: NodeJS.ErrnoException) => {
      // Once an answer has come, the client gets it: whole, or cut short by the pipeline above.
      if (answered || res.writableEnded) return;
      logger.warn({ err: error, requestId: req.requestId }, 'upload proxy: the applications service did not answer');
      if (error.code === 'ETIMEDOUT') sendError(res, 504, 'GATEWAY_TIMEOUT', 'The upload service did not answer in time; try again.');
      else sendError(res, 502, 'BAD_GATEWAY', 'The upload service is unavailable; try again shortly.');
      stopForwarding();
    });
    // The client went away before its request or the answer was complete: stop the upstream side too.
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.on('close', () => {
      if (!req.complete) upstream.destroy();
    });

    if (!isUpload) {
      upstream.end();
      return;
    }
    counter.on('error', () => {
      // Unless the service has answered already (it refuses first, at its own limit).
      if (!answered) {
        upstream.destroy();
        tooLarge(res);
      }
      stopForwarding();
    });
    req.pipe(counter).pipe(upstream);
  };

  app.put('/uploads/:token', forward);
  app.get('/uploads/:token', forward);
}
