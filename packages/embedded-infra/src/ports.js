import net from 'node:net';
/** Resolves once something accepts TCP connections on host:port, or rejects after timeoutMs. */
export async function waitForPort(port, host = '127.0.0.1', timeoutMs = 15_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const open = await new Promise((resolve) => {
            const socket = net.connect({ port, host });
            socket.once('connect', () => {
                socket.destroy();
                resolve(true);
            });
            socket.once('error', () => resolve(false));
        });
        if (open)
            return;
        if (Date.now() > deadline)
            throw new Error(`Nothing is listening on ${host}:${port} after ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 50));
    }
}
/** Asks the kernel for a port nobody uses right now (for tests that run side by side). */
export async function findFreePort() {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.unref();
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => {
            const address = server.address();
            server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
        });
    });
}
//# sourceMappingURL=ports.js.map