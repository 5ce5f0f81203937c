// A simulated remote API server: a loopback TCP proxy that holds every chunk for a fixed delay
// in each direction before passing it on, bytes untouched. TLS goes through end to end, so the
// client still verifies the API server's certificate (its SANs name 127.0.0.1) and the server
// still sees the client's certificate; only the round trip grows by twice the delay.
import { readFileSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export interface LatencyProxy {
  /** `https://127.0.0.1:PORT`, the proxy's address in place of the API server's. */
  url: string;
  close(): Promise<void>;
}

/** Passes FROM's bytes to TO after `delayMs`, in order, and ends TO the same delay after FROM ends. */
function delayed(from: Socket, to: Socket, delayMs: number): void {
  from.on('data', (chunk: Buffer) => {
    setTimeout(() => {
      if (!to.destroyed) to.write(chunk);
    }, delayMs);
  });
  from.on('end', () => setTimeout(() => to.end(), delayMs));
  from.on('error', () => to.destroy());
  from.on('close', () => setTimeout(() => to.destroy(), delayMs + 1));
}

export async function startLatencyProxy(upstream: URL, delayMs: number): Promise<LatencyProxy> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const server = createConnection({ host: upstream.hostname, port: Number(upstream.port || 443) });
    for (const s of [client, server]) {
      s.setNoDelay(true);
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    }
    delayed(client, server, delayMs);
    delayed(server, client, delayMs);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('the latency proxy has no TCP address');
  return {
    url: `https://127.0.0.1:${address.port}`,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

const SERVER_LINE = /^(\s*server:\s*)(\S+)\s*$/gm;

/** The one API server KUBECONFIG names. */
export function apiServerOf(kubeconfig: string): URL {
  const servers = new Set([...readFileSync(kubeconfig, 'utf8').matchAll(SERVER_LINE)].map((m) => m[2]));
  if (servers.size !== 1)
    throw new Error(
      `${kubeconfig}: expected one API server address, found ${[...servers].join(', ') || 'none'}`,
    );
  return new URL([...servers][0]);
}

/**
 * Writes to OUT a copy of KUBECONFIG whose cluster points at the proxy: the same scheme, host
 * and credentials, only another port, so the server certificate's IP SAN still matches.
 */
export function writeKubeconfigThroughProxy(kubeconfig: string, proxyUrl: string, out: string): void {
  const upstream = apiServerOf(kubeconfig);
  if (upstream.hostname !== new URL(proxyUrl).hostname)
    throw new Error(
      `${kubeconfig}: the API server is at ${upstream.hostname}, the proxy at 127.0.0.1: its certificate would not match`,
    );
  writeFileSync(out, readFileSync(kubeconfig, 'utf8').replace(SERVER_LINE, `$1${proxyUrl}`), { mode: 0o600 });
}
