// How requests reach the API server. The first request opens one TLS connection that offers
// HTTP/2 and HTTP/1.1 (ALPN). An API server takes HTTP/2, as kubectl's client-go uses it, and
// every request of the run is then a stream on that one connection: no TLS handshake per socket,
// no socket per request in flight. A server or proxy that answers HTTP/1.1 only gets kept-alive
// sockets instead, for the rest of the run. DISABLE_HTTP2 (client-go's variable) asks for
// HTTP/1.1 from the start.
import type { ClientHttp2Session, ClientHttp2Stream, IncomingHttpHeaders } from 'node:http2';
import https from 'node:https';
import { isIP } from 'node:net';
import { connect, createSecureContext, type SecureContext } from 'node:tls';

/** What the client sends: the URL carries the query. */
export interface Exchange {
  url: URL;
  method: string;
  headers: Record<string, string>;
  payload?: string;
  timeoutMs: number;
}

export interface Answer {
  status: number;
  text: string;
  retryAfter?: string;
}

export type Protocol = 'h2' | 'http/1.1';

/**
 * Flow-control windows, as Go's HTTP/2 client sets them: 4 MiB per stream and 1 GiB for the
 * connection. With HTTP/2's 64 KiB default, a large list waits a round trip per 64 KiB on a
 * remote API server. Answers are read as they arrive, so nothing piles up behind the windows.
 */
const STREAM_WINDOW = 4 * 1024 * 1024;
const CONNECTION_WINDOW = 1024 * 1024 * 1024;

/** Memory (MB) an HTTP/2 session may hold: bodies waiting for window, answers not yet read. */
const MAX_SESSION_MEMORY_MB = 1024;

export class Transport {
  /** The protocol the server chose; undefined until the first connection is up. */
  protocol?: Protocol;
  private context?: SecureContext;
  private agent?: https.Agent;
  private session?: Promise<ClientHttp2Session | undefined>;
  /** Streams in flight per connection: a connection is ref'd while it has any (one may still drain after a GOAWAY). */
  private readonly streams = new WeakMap<ClientHttp2Session, number>();
  private readonly concurrency: number;

  constructor(concurrency: number) {
    this.concurrency = concurrency;
    if (http2Disabled()) this.protocol = 'http/1.1';
  }

  async send(exchange: Exchange, auth: https.RequestOptions): Promise<Answer> {
    if (this.protocol !== 'http/1.1') {
      const pending = this.connection(exchange.url, auth);
      let session = await pending;
      // Closed before its 'close' event reached us: open the next one now rather than fail and retry.
      if (session && (session.closed || session.destroyed)) {
        if (this.session === pending) this.session = undefined;
        session = await this.connection(exchange.url, auth);
      }
      if (session) return this.viaStream(session, exchange, auth);
    }
    return this.viaSocket(exchange, auth);
  }

  /** Closes the connection and kept-alive sockets so the process can exit. */
  close(): void {
    const session = this.session;
    this.session = undefined;
    session?.then((s) => s?.destroy()).catch(() => {});
    this.agent?.destroy();
  }

  /** The connection requests share: the one open, or a new one. */
  private connection(url: URL, auth: https.RequestOptions): Promise<ClientHttp2Session | undefined> {
    this.session ??= this.open(url, auth);
    return this.session;
  }

  /** One TLS connection offering both protocols; undefined when the server picks HTTP/1.1. */
  private open(url: URL, auth: https.RequestOptions): Promise<ClientHttp2Session | undefined> {
    const opening = new Promise<ClientHttp2Session | undefined>((resolve, reject) => {
      const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
      const socket = connect({
        host,
        port: Number(url.port || 443),
        servername: auth.servername ?? (isIP(host) ? undefined : host),
        secureContext: this.contextFor(auth),
        rejectUnauthorized: auth.rejectUnauthorized,
        ALPNProtocols: ['h2', 'http/1.1'],
      });
      socket.once('error', reject);
      socket.once('secureConnect', () => {
        socket.removeListener('error', reject);
        if (socket.alpnProtocol !== 'h2') {
          this.protocol = 'http/1.1';
          socket.destroy();
          resolve(undefined);
          return;
        }
        this.protocol = 'h2';
        const { connect: connectHttp2 } = process.getBuiltinModule('node:http2');
        const session = connectHttp2(url.origin, {
          createConnection: () => socket,
          settings: { initialWindowSize: STREAM_WINDOW },
          // A body waiting for the server's window counts against the session's memory, and
          // Node.js resets the stream past 10 MB (its default): a 20 MB object must reach the
          // server to be refused there with its own message.
          maxSessionMemory: MAX_SESSION_MEMORY_MB,
        });
        session.once('connect', () => session.setLocalWindowSize(CONNECTION_WINDOW));
        // A failed connection fails its streams, each with its own error; the next request opens another.
        session.on('error', () => {});
        const forget = () => {
          if (this.session === opening) this.session = undefined;
        };
        session.once('close', forget);
        session.once('goaway', forget);
        // Idle, the connection does not keep the process alive (as an HTTP agent's free sockets do not).
        session.unref();
        resolve(session);
      });
    });
    // A connection that could not be opened is tried afresh by the next request (retries).
    opening.catch(() => {
      if (this.session === opening) this.session = undefined;
    });
    return opening;
  }

  private viaStream(
    session: ClientHttp2Session,
    exchange: Exchange,
    auth: https.RequestOptions,
  ): Promise<Answer> {
    return new Promise<Answer>((resolve, reject) => {
      const headers: Record<string, string> = {
        ':method': exchange.method,
        ':path': exchange.url.pathname + exchange.url.search,
      };
      for (const [name, value] of Object.entries(exchange.headers)) headers[name.toLowerCase()] = value;
      // As Node's https does with `auth`: a header the kubeconfig sets wins.
      if (auth.auth && !headers.authorization)
        headers.authorization = `Basic ${Buffer.from(auth.auth).toString('base64')}`;
      let stream: ClientHttp2Stream;
      try {
        stream = session.request(headers, { endStream: exchange.payload === undefined });
      } catch (error) {
        reject(asConnectionError(error as NodeJS.ErrnoException));
        return;
      }
      const inFlight = this.streams.get(session) ?? 0;
      this.streams.set(session, inFlight + 1);
      if (inFlight === 0) session.ref();
      let settled = false;
      let status = 0;
      let retryAfter: string | undefined;
      let body = '';
      const fail = (error: NodeJS.ErrnoException) => {
        if (settled) return;
        settled = true;
        reject(error);
      };
      stream.setEncoding('utf8');
      stream.on('response', (answer: IncomingHttpHeaders) => {
        status = Number(answer[':status']);
        retryAfter = answer['retry-after'] as string | undefined;
      });
      stream.on('data', (piece: string) => {
        body += piece;
      });
      // The answer is whole when the stream closes without error (code 0) after the server ended
      // its side. Node.js also ends the readable side of a stream whose connection went away,
      // with whatever part of the answer had come: that close carries an error code, and the
      // request fails as a reset socket does (retried). A server may answer before it has read
      // the whole body (413 for a body over its limit) and then stop reading: the rest of the
      // upload is cancelled, and the answer it gave is taken.
      let ended = false;
      const take = () => {
        settled = true;
        const text = body;
        body = '';
        resolve({ status, text, retryAfter });
      };
      stream.on('end', () => {
        ended = true;
        // Taken now: a stream cancelled while its upload waits for window may never emit 'close'.
        if (status !== 0 && !stream.rstCode && !stream.writableFinished && !settled) {
          take();
          stream.close(http2Constants().NGHTTP2_CANCEL);
        }
      });
      stream.on('error', (error: NodeJS.ErrnoException) => fail(asConnectionError(error)));
      stream.on('close', () => {
        const left = (this.streams.get(session) ?? 1) - 1;
        this.streams.set(session, left);
        if (left === 0 && !session.destroyed) session.unref();
        if (settled) return;
        if (!ended || status === 0 || stream.rstCode !== http2Constants().NGHTTP2_NO_ERROR)
          return fail(
            asConnectionError(
              new Error(`the stream closed before its answer (HTTP/2 code ${stream.rstCode})`),
            ),
          );
        take();
      });
      stream.setTimeout(exchange.timeoutMs, () => {
        fail(Object.assign(new Error('request timed out'), { code: 'ETIMEDOUT' }));
        stream.close(http2Constants().NGHTTP2_CANCEL);
      });
      if (exchange.payload !== undefined) stream.end(exchange.payload);
    });
  }

  private viaSocket(exchange: Exchange, auth: https.RequestOptions): Promise<Answer> {
    return new Promise<Answer>((resolve, reject) => {
      const req = https.request(
        exchange.url,
        {
          method: exchange.method,
          headers: exchange.headers,
          agent: this.agentFor(auth),
          timeout: exchange.timeoutMs,
          auth: auth.auth,
        },
        (res) => {
          // Decoded piece by piece: no Buffers beside the text (3 copies of a 5 MB list).
          res.setEncoding('utf8');
          let body = '';
          res.on('data', (piece: string) => {
            body += piece;
          });
          res.on('end', () => {
            const text = body;
            body = '';
            resolve({
              status: res.statusCode ?? 0,
              text,
              retryAfter: res.headers['retry-after'] as string | undefined,
            });
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () =>
        req.destroy(Object.assign(new Error('request timed out'), { code: 'ETIMEDOUT' })),
      );
      req.on('error', reject);
      if (exchange.payload !== undefined) req.write(exchange.payload);
      req.end();
    });
  }

  /**
   * One TLS context for every connection: given ca, cert and key instead, each new socket
   * parsed them into a context of its own (0.7 ms each, 18 sockets at 1,000 objects).
   */
  private contextFor(auth: https.RequestOptions): SecureContext {
    this.context ??= createSecureContext({ ca: auth.ca, cert: auth.cert, key: auth.key });
    return this.context;
  }

  private agentFor(auth: https.RequestOptions): https.Agent {
    this.agent ??= new https.Agent({
      keepAlive: true,
      maxSockets: this.concurrency,
      secureContext: this.contextFor(auth),
      servername: auth.servername,
      rejectUnauthorized: auth.rejectUnauthorized,
    });
    return this.agent;
  }
}

const http2Constants = () => process.getBuiltinModule('node:http2').constants;

/** DISABLE_HTTP2 set to anything but empty, as client-go reads it. */
function http2Disabled(): boolean {
  return !!process.env.DISABLE_HTTP2;
}

/**
 * A stream that failed before its answer: the socket's own error when there is one (refused,
 * reset), else (an HTTP/2 stream or session error) a reset, which the client retries like a
 * reset socket.
 */
function asConnectionError(error: NodeJS.ErrnoException): NodeJS.ErrnoException {
  if (error.code && !error.code.startsWith('ERR_HTTP2')) return error;
  return Object.assign(new Error(error.message), { code: 'ECONNRESET', cause: error });
}
