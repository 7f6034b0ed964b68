// Loaded with `node --import` into every process of bench:subscriptions --stages (the services and
// the client process), inert unless BENCH_PROBE_DIR is set. Each second it appends one JSON line
// to BENCH_PROBE_DIR/<process>-<pid>.jsonl with what happened in this process during that second:
//  - the event loop's delay (perf_hooks.monitorEventLoopDelay: max and p99, ms) and each garbage
//    collection (PerformanceObserver 'gc': start, duration, kind);
//  - TCP connections opened (net.client.socket) and accepted (net.server.socket);
//  - each outgoing HTTP call (http.request, wrapped): its request id, the
//    variables of its GraphQL body, when it started, got its socket (whether a pooled one, and when
//    a new one connected), and when its response ended; its agent's sockets in use and idle, and
//    the calls waiting for one;
//  - each incoming HTTP request (http.server.request.start / .response.finish): request id, start,
//    finish;
//  - each graphql-ws `next` written by `ws` (WebSocket.prototype.send): the entity id and when.
// Times are performance.timeOrigin + performance.now(), the clock of the benchmark's publisher.
// Plain JavaScript: the services run their built dist/ with plain node.
import diagnostics from 'node:diagnostics_channel';
import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';

const dir = process.env.BENCH_PROBE_DIR;
if (dir) startProbe(dir);

function startProbe(dir) {
  const entry = process.argv[1] ?? 'node';
  const parts = entry.split(path.sep);
  const name = parts.includes('subgraphs') ? parts[parts.indexOf('subgraphs') + 1] : parts.includes('gateway') ? 'gateway' : path.basename(entry).replace(/\.\w+$/, '');
  const file = path.join(dir, `${name}-${process.pid}.jsonl`);
  const now = () => performance.timeOrigin + performance.now();

  let gcs = [];
  let calls = [];
  let served = [];
  let sent = [];
  let connectsOut = 0;
  let connectsIn = 0;

  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) gcs.push([performance.timeOrigin + entry.startTime, entry.duration, entry.detail?.kind ?? entry.kind]);
  }).observe({ entryTypes: ['gc'] });

  diagnostics.subscribe('net.client.socket', () => (connectsOut += 1));
  diagnostics.subscribe('net.server.socket', () => (connectsIn += 1));

  // The agents the calls go through: each second, their sockets in use and idle, and calls waiting for one.
  const agents = new Set();
  const countOf = (byOrigin) => Object.values(byOrigin).reduce((sum, list) => sum + list.length, 0);
  // Wrapped rather than observed: http.client.request.start comes once the body is written.
  const request = http.request;
  http.request = function (...args) {
    const call = { rid: '', vars: '', start: now(), socketAt: 0, reused: false, connectAt: 0, headersAt: 0, end: 0 };
    const agent = args.find((arg) => typeof arg === 'object' && arg?.agent)?.agent;
    if (agent) agents.add(agent);
    const outgoing = request.apply(this, args);
    call.rid = String(outgoing.getHeader('x-request-id') ?? '');
    const end = outgoing.end;
    outgoing.end = function (body, ...rest) {
      if (typeof body === 'string') call.vars = /"variables":(\{[^}]*\})/.exec(body)?.[1] ?? '';
      return end.call(this, body, ...rest);
    };
    outgoing.once('socket', () => {
      call.socketAt = now();
      call.reused = outgoing.reusedSocket;
      if (outgoing.socket?.connecting) outgoing.socket.once('connect', () => (call.connectAt = now()));
      else call.connectAt = call.socketAt;
    });
    outgoing.once('response', (response) => {
      call.headersAt = now();
      response.once('end', () => {
        call.end = now();
        calls.push(call);
      });
    });
    return outgoing;
  };

  const incoming = new WeakMap();
  diagnostics.subscribe('http.server.request.start', ({ request }) => {
    incoming.set(request, { rid: String(request.headers['x-request-id'] ?? ''), start: now(), finish: 0 });
  });
  diagnostics.subscribe('http.server.response.finish', ({ request }) => {
    const request_ = incoming.get(request);
    if (!request_ || !request_.rid) return;
    request_.finish = now();
    served.push(request_);
  });

  try {
    const { WebSocket } = createRequire(entry)('ws');
    const send = WebSocket.prototype.send;
    WebSocket.prototype.send = function (data, ...rest) {
      if (typeof data === 'string' && data.includes('"type":"next"')) {
        const id = /"data":\{"\w+":\{"id":"([^"]+)"/.exec(data)?.[1];
        if (id) sent.push([id, now()]);
      }
      return send.call(this, data, ...rest);
    };
  } catch {
    // A process without ws.
  }

  const flush = () => {
    const line = {
      at: now(),
      loopMaxMs: loop.max / 1e6,
      loopP99Ms: loop.percentile(99) / 1e6,
      gc: gcs,
      connectsOut,
      connectsIn,
      calls,
      served,
      sent,
      agents: [...agents].map((agent) => ({ busy: countOf(agent.sockets), idle: countOf(agent.freeSockets), waiting: countOf(agent.requests) })),
    };
    loop.reset();
    gcs = [];
    calls = [];
    served = [];
    sent = [];
    connectsOut = 0;
    connectsIn = 0;
    fs.appendFileSync(file, `${JSON.stringify(line)}\n`);
  };
  setInterval(flush, 1_000).unref();
  process.once('exit', flush);
}
