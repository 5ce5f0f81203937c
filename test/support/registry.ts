// A real OCI registry on loopback for chart tests: go-containerregistry's `registry`, built by
// tools/cluster/build.sh, started per test file on a port the system picks (in memory, so
// tests never share charts), plus an optional gate in front of it that asks for basic auth.
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { delimiter, join } from 'node:path';
import { toolCacheDir } from '../../src/render/tools.ts';

export interface LocalRegistry {
  /** `127.0.0.1:<port>`, as in `oci://127.0.0.1:<port>/charts`. */
  host: string;
  /** The same registry behind basic auth (`credentials`). */
  privateHost: string;
  /** Another such gate: a host the credentials were not given for. */
  elsewhereHost: string;
  credentials: { username: string; password: string };
  /** Authorization headers each gate received, by host. */
  authorizations: Map<string, string[]>;
  stop(): Promise<void>;
}

function registryBinary(): string {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), toolCacheDir()];
  for (const dir of dirs) {
    try {
      accessSync(join(dir, 'registry'), constants.X_OK);
      return join(dir, 'registry');
    } catch {
      // next
    }
  }
  throw new Error(
    `go-containerregistry's registry was found neither on PATH nor in ${toolCacheDir()}: run bash tools/cluster/build.sh`,
  );
}

function serving(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let said = '';
    const timer = setTimeout(() => reject(new Error(`registry did not start: ${said}`)), 15_000);
    child.stderr?.on('data', (chunk: Buffer) => {
      said += chunk.toString('utf8');
      const port = /serving on port (\d+)/.exec(said)?.[1];
      if (port) {
        clearTimeout(timer);
        resolve(Number(port));
      }
    });
    child.on('exit', (code) => reject(new Error(`registry exited with ${code}: ${said}`)));
  });
}

/** Forwards to the registry only requests that carry the credentials; others get 401 as registries answer. */
function authGate(port: number, username: string, password: string, seen: string[]): Server {
  const expected = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  return createServer((incoming, outgoing) => {
    if (incoming.headers.authorization) seen.push(incoming.headers.authorization);
    if (incoming.headers.authorization !== expected) {
      outgoing
        .writeHead(401, {
          'WWW-Authenticate': 'Basic realm="kube-drift test registry"',
          'Content-Type': 'application/json',
        })
        .end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
      return;
    }
    const upstream = request(
      { host: '127.0.0.1', port, path: incoming.url, method: incoming.method, headers: incoming.headers },
      (response) => {
        outgoing.writeHead(response.statusCode ?? 502, response.headers);
        response.pipe(outgoing);
      },
    );
    upstream.on('error', () => outgoing.writeHead(502).end());
    incoming.pipe(upstream);
  });
}

export async function startRegistry(): Promise<LocalRegistry> {
  const child = spawn(registryBinary(), ['-port', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const port = await serving(child);
  const credentials = { username: 'charts', password: 'registry-password-for-tests' };
  const authorizations = new Map<string, string[]>();
  const gates: Server[] = [];
  const hosts: string[] = [];
  for (let i = 0; i < 2; i++) {
    const seen: string[] = [];
    const gate = authGate(port, credentials.username, credentials.password, seen);
    await new Promise<void>((resolve) => gate.listen(0, '127.0.0.1', resolve));
    const host = `127.0.0.1:${(gate.address() as { port: number }).port}`;
    authorizations.set(host, seen);
    gates.push(gate);
    hosts.push(host);
  }
  return {
    host: `127.0.0.1:${port}`,
    privateHost: hosts[0],
    elsewhereHost: hosts[1],
    credentials,
    authorizations,
    stop: async () => {
      for (const gate of gates) {
        gate.closeAllConnections();
        await new Promise((resolve) => gate.close(resolve));
      }
      child.kill();
    },
  };
}
