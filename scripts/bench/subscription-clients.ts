// The load generator of bench:subscriptions, run as a child process of its own (forked with an IPC
// channel) so that 10,000 WebSocket clients do not share an event loop with the publisher or the
// measurements. Each client speaks graphql-transport-ws directly over `ws` (connection_init with
// its token, one subscribe), and reports every `next` it receives: the id of the entity in it and
// the wall-clock time it arrived (performance.timeOrigin + performance.now(), the same clock as the
// publisher's in the parent).
import { WebSocket } from 'ws';

export type ClientSpec = { token?: string; variables?: Record<string, unknown> };

export type ToClients = { type: 'connect'; url: string; query: string; clients: ClientSpec[]; concurrency: number } | { type: 'close' };

export type FromClients =
  | { type: 'progress'; connected: number; subscribed: number; failed: number }
  | { type: 'connected'; subscribed: number; failed: number; failures: Record<string, number> }
  | { type: 'deliveries'; received: [id: string, at: number][]; closed: number; errors: number; closeCodes: Record<string, number>; cpuMs: number; rssMb: number }
  | { type: 'closed' };

const send = (message: FromClients) => process.send!(message);
const now = () => performance.timeOrigin + performance.now();

let received: [string, number][] = [];
let closedAfterSubscribe = 0;
let errorMessages = 0;
const closeCodes: Record<string, number> = {};
const sockets: WebSocket[] = [];

/** The id of the subscription's entity: `data.<root field>.id`. */
function entityIdOf(payload: { data?: Record<string, { id?: unknown } | null> }): string | undefined {
  const data = payload.data;
  if (!data) return undefined;
  for (const key in data) return data[key]?.id === undefined ? undefined : String(data[key]!.id);
  return undefined;
}

/** Opens one client: resolves once its subscribe message is sent, rejects with the reason it failed. */
function openClient(url: string, query: string, spec: ClientSpec): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, 'graphql-transport-ws', { perMessageDeflate: false });
    let subscribed = false;
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: spec.token ? { authorization: `Bearer ${spec.token}` } : {} })));
    socket.on('message', (raw) => {
      const message = JSON.parse(raw.toString()) as { type: string; id?: string; payload?: unknown };
      if (message.type === 'next') {
        const id = entityIdOf(message.payload as never);
        if (id !== undefined) received.push([id, now()]);
      } else if (message.type === 'connection_ack') {
        socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query, ...(spec.variables ? { variables: spec.variables } : {}) } }));
        subscribed = true;
        sockets.push(socket);
        resolve();
      } else if (message.type === 'ping') {
        socket.send(JSON.stringify({ type: 'pong' }));
      } else if (message.type === 'error') {
        errorMessages += 1;
        if (errorMessages <= 3) console.error('subscription error:', JSON.stringify(message.payload));
      }
    });
    socket.on('close', (code) => {
      if (subscribed) {
        closedAfterSubscribe += 1;
        closeCodes[code] = (closeCodes[code] ?? 0) + 1;
      } else reject(new Error(`closed ${code} before connection_ack`));
    });
    socket.on('error', (error) => {
      if (!subscribed) reject(error);
    });
  });
}

async function connectAll(message: Extract<ToClients, { type: 'connect' }>) {
  let next = 0;
  let subscribed = 0;
  let failed = 0;
  const failures: Record<string, number> = {};
  const progress = setInterval(() => send({ type: 'progress', connected: sockets.length, subscribed, failed }), 5_000);
  const worker = async () => {
    while (next < message.clients.length) {
      const spec = message.clients[next++]!;
      try {
        await openClient(message.url, message.query, spec);
        subscribed += 1;
      } catch (error) {
        failed += 1;
        const reason = (error as Error).message.slice(0, 120);
        failures[reason] = (failures[reason] ?? 0) + 1;
      }
    }
  };
  await Promise.all(Array.from({ length: message.concurrency }, worker));
  clearInterval(progress);
  send({ type: 'connected', subscribed, failed, failures });
}

let lastCpu = process.cpuUsage();
const reporter = setInterval(() => {
  const cpu = process.cpuUsage(lastCpu);
  lastCpu = process.cpuUsage();
  send({
    type: 'deliveries',
    received,
    closed: closedAfterSubscribe,
    errors: errorMessages,
    closeCodes,
    cpuMs: (cpu.user + cpu.system) / 1000,
    rssMb: Math.round(process.memoryUsage.rss() / 2 ** 20),
  });
  received = [];
}, 500);

process.on('message', (message: ToClients) => {
  if (message.type === 'connect') void connectAll(message);
  else if (message.type === 'close') {
    clearInterval(reporter);
    for (const socket of sockets) socket.terminate();
    send({ type: 'closed' });
    setTimeout(() => process.exit(0), 100);
  }
});
process.on('disconnect', () => process.exit(0));
