// The transport against real local TLS servers: HTTP/2 when the server offers it (one
// connection for every request), HTTP/1.1 when it does not or DISABLE_HTTP2 says so, and a
// connection lost under a request fails that request as a reset, which the client retries.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import http2 from 'node:http2';
import https from 'node:https';
import { type AddressInfo, connect as connectTcp, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, it } from 'node:test';
import { loopbackCertificate } from '../../../src/kube/loopback-cert.ts';
import { Transport } from '../../../src/kube/transport.ts';

const tls = loopbackCertificate();
const auth = { ca: tls.cert };

interface Seen {
  connections: number;
  versions: string[];
  requests: { method: string; path: string; headers: Record<string, unknown>; body: string }[];
}

/** What the handler uses of an HTTP/1.1 or HTTP/2 server's response. */
interface Answering {
  writeHead(status: number, headers: Record<string, string>): unknown;
  end(body: string): unknown;
}

/** An echo server: answers each request with what it saw, after `delayMs`. */
function handler(seen: Seen, delayMs = 0) {
  return (req: http2.Http2ServerRequest | import('node:http').IncomingMessage, res: Answering) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (piece: string) => {
      body += piece;
    });
    req.on('end', () => {
      seen.versions.push(req.httpVersion);
      const entry = { method: req.method ?? '', path: req.url ?? '', headers: { ...req.headers }, body };
      seen.requests.push(entry);
      if (req.url === '/missing') {
        res.writeHead(404, { 'content-type': 'application/json', 'retry-after': '3' });
        res.end('{"message":"not found"}');
        return;
      }
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ path: req.url, body, pad: 'x'.repeat(200_000) }));
      }, delayMs);
    });
  };
}

async function listen(server: https.Server | http2.Http2SecureServer | Server): Promise<URL> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return new URL(`https://127.0.0.1:${(server.address() as AddressInfo).port}`);
}

const closers: (() => void)[] = [];

/** Listens, and a transport to the server; both closed after the test. */
async function serve(
  server: https.Server | http2.Http2SecureServer | Server,
  concurrency: number,
  also: { close(): unknown }[] = [],
): Promise<{ base: URL; transport: Transport }> {
  const base = await listen(server);
  const transport = new Transport(concurrency);
  closers.push(() => {
    transport.close();
    server.close();
    for (const other of also) other.close();
  });
  return { base, transport };
}

const exchange = (base: URL, path: string, more: Partial<Parameters<Transport['send']>[0]> = {}) => ({
  url: new URL(path, base),
  method: 'GET',
  timeoutMs: 5_000,
  ...more,
  headers: {
    Accept: 'application/json',
    'User-Agent': 'kube-drift',
    Authorization: 'Bearer t0ken',
    ...more.headers,
  },
});

describe('the transport to the API server', () => {
  afterEach(() => {
    for (const close of closers.splice(0)) close();
    delete process.env.DISABLE_HTTP2;
  });

  it('sends every request as a stream of one HTTP/2 connection when the server offers HTTP/2', async () => {
    const seen: Seen = { connections: 0, versions: [], requests: [] };
    const server = http2.createSecureServer({ ...tls, allowHTTP1: true }, handler(seen, 20));
    server.on('secureConnection', () => seen.connections++);
    const { base, transport } = await serve(server, 16);

    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        transport.send(
          i % 2
            ? exchange(base, `/apis/x/${i}?dryRun=All`, {
                method: 'PATCH',
                headers: {
                  'Content-Type': 'application/apply-patch+yaml',
                  'Content-Length': String(`body-${i}`.length),
                },
                payload: `body-${i}`,
              })
            : exchange(base, `/api/v1/x/${i}`),
          auth,
        ),
      ),
    );
    assert.equal(transport.protocol, 'h2');
    assert.equal(seen.connections, 1, 'one TLS connection for 20 requests in flight at once');
    assert.deepEqual(new Set(seen.versions), new Set(['2.0']));
    for (const [i, answer] of answers.entries()) {
      assert.equal(answer.status, 200);
      const body = JSON.parse(answer.text);
      assert.equal(body.path, i % 2 ? `/apis/x/${i}?dryRun=All` : `/api/v1/x/${i}`);
      assert.equal(body.body, i % 2 ? `body-${i}` : '');
      assert.equal(body.pad.length, 200_000, 'an answer larger than HTTP/2 windows arrives whole');
    }
    const patch = seen.requests.find((r) => r.method === 'PATCH');
    assert.equal(patch?.headers['content-type'], 'application/apply-patch+yaml');
    assert.equal(patch?.headers.authorization, 'Bearer t0ken');
    assert.equal(patch?.headers['user-agent'], 'kube-drift');

    const missing = await transport.send(exchange(base, '/missing'), auth);
    assert.deepEqual(missing, { status: 404, text: '{"message":"not found"}', retryAfter: '3' });
    assert.equal(seen.connections, 1);
  });

  it('falls back to kept-alive HTTP/1.1 sockets when the server answers HTTP/1.1 only', async () => {
    const seen: Seen = { connections: 0, versions: [], requests: [] };
    const server = https.createServer(tls, handler(seen, 20));
    const { base, transport } = await serve(server, 4);
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) => transport.send(exchange(base, `/api/v1/x/${i}`), auth)),
    );
    assert.equal(transport.protocol, 'http/1.1');
    assert.deepEqual(
      answers.map((a) => JSON.parse(a.text).path),
      Array.from({ length: 8 }, (_, i) => `/api/v1/x/${i}`),
    );
    assert.deepEqual(new Set(seen.versions), new Set(['1.1']));
  });

  it('uses HTTP/1.1 when DISABLE_HTTP2 is set, as client-go does', async () => {
    process.env.DISABLE_HTTP2 = '1';
    const seen: Seen = { connections: 0, versions: [], requests: [] };
    const server = http2.createSecureServer({ ...tls, allowHTTP1: true }, handler(seen));
    const { base, transport } = await serve(server, 4);
    const answer = await transport.send(exchange(base, '/api'), auth);
    assert.equal(answer.status, 200);
    assert.equal(transport.protocol, 'http/1.1');
    assert.deepEqual(seen.versions, ['1.1']);
  });

  for (const how of ["closed (FIN), as a killed server's kernel closes it", 'reset (RST)'] as const) {
    it(`fails a request whose connection is ${how.split(',')[0]} as a reset, and the next request connects again`, async () => {
      const seen: Seen = { connections: 0, versions: [], requests: [] };
      const echo = handler(seen);
      // The client reaches the server through a TCP relay, which drops the client's side of the
      // connection the moment the server gets /drop: no answer, no HTTP/2 frame, only TCP.
      const relayed = new Set<Socket>();
      const drop = () => {
        for (const socket of relayed) how.startsWith('reset') ? socket.resetAndDestroy() : socket.end();
      };
      const server = http2.createSecureServer(tls, (req, res) => {
        if (req.url === '/drop') return drop();
        if (req.url !== '/drop-midway') return echo(req, res);
        // 200 and the start of a list, then the connection is gone: never an answer.
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"kind":"ConfigMapList","items":[');
        setTimeout(drop, 50);
      });
      server.on('secureConnection', () => seen.connections++);
      const upstream = await listen(server);
      const relay = createServer((client) => {
        relayed.add(client);
        const to = connectTcp(Number(upstream.port), '127.0.0.1');
        client.pipe(to).pipe(client);
        const unlink = () => {
          relayed.delete(client);
          to.destroy();
          client.destroy();
        };
        client.on('error', unlink).on('close', unlink);
        to.on('error', unlink);
      });
      const { base, transport } = await serve(relay, 4, [server]);
      assert.equal((await transport.send(exchange(base, '/before'), auth)).status, 200);
      for (const [n, path] of ['/drop', '/drop-midway'].entries()) {
        await assert.rejects(transport.send(exchange(base, path), auth), (error: NodeJS.ErrnoException) => {
          assert.equal(error.code, 'ECONNRESET', `${path}: ${error.code}: ${error.message}`);
          return true;
        });
        const answer = await transport.send(exchange(base, `/after-${n}`), auth);
        assert.equal(JSON.parse(answer.text).path, `/after-${n}`);
        assert.equal(seen.connections, n + 2, 'a new connection after the lost one');
      }
    });
  }

  it('takes an answer the server gives before it has read the whole body (413 for 20 MB)', async () => {
    // The API server refuses a body over 3 MiB as soon as it has read that much, and stops
    // reading: the rest of the upload never gets window to go, and the answer must not wait for it.
    const server = http2.createSecureServer(tls, (req, res) => {
      let read = 0;
      req.on('data', (piece: Buffer) => {
        read += piece.length;
        if (read >= 1024 * 1024 && !res.headersSent) {
          req.pause();
          res.writeHead(413, { 'content-type': 'application/json' });
          res.end('{"message":"Request entity too large: limit is 1048576"}');
        }
      });
      req.on('end', () => {
        if (res.headersSent) return;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{}');
      });
    });
    const { base, transport } = await serve(server, 4);
    const payload = 'x'.repeat(20 * 1024 * 1024);
    const started = Date.now();
    const answer = await transport.send(
      exchange(base, '/api/v1/namespaces/a/configmaps/huge?dryRun=All', {
        method: 'PATCH',
        headers: { 'Content-Length': String(payload.length) },
        payload,
        timeoutMs: 10_000,
      }),
      auth,
    );
    assert.equal(answer.status, 413);
    assert.match(answer.text, /Request entity too large/);
    assert.ok(Date.now() - started < 5_000, `answered after ${Date.now() - started} ms`);
    // The connection still serves the next request.
    assert.deepEqual(await transport.send(exchange(base, '/api'), auth), {
      status: 200,
      text: '{}',
      retryAfter: undefined,
    });
  });

  it('times a silent server out', async () => {
    const server = http2.createSecureServer(tls, () => {});
    const { base, transport } = await serve(server, 4);
    await assert.rejects(
      transport.send(exchange(base, '/silent', { timeoutMs: 200 }), auth),
      (error: NodeJS.ErrnoException) => error.code === 'ETIMEDOUT',
    );
  });

  it('passes a TLS failure through unchanged: a CA that did not sign the server certificate', async () => {
    const server = http2.createSecureServer(tls, handler({ connections: 0, versions: [], requests: [] }));
    const { base, transport } = await serve(server, 4);
    await assert.rejects(
      transport.send(exchange(base, '/api'), { ca: loopbackCertificate().cert }),
      (error: NodeJS.ErrnoException) =>
        /^(UNABLE_TO|ERR_TLS|CERT_|DEPTH_ZERO|SELF_SIGNED)/.test(error.code ?? ''),
    );
  });
});
