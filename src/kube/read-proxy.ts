// A loopback endpoint that answers Helm's `lookup` with kube-drift's own client, so that Helm
// never holds the cluster's credentials: one bearer token per helm run, reads only.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { KubeClient } from './client.ts';
import { KubeApiError } from './errors.ts';
import { loopbackCertificate } from './loopback-cert.ts';

export interface ReadProxyOptions {
  /** Untrusted runs (a pull request's head): Secrets read as not found, lists of them as empty. */
  hideSecrets: boolean;
  /** Called with every Secret that passes, before Helm sees it (the redactor). */
  onSecret(secret: Record<string, unknown>): void;
}

/** What one helm run read through the proxy. */
export interface ProxySession {
  readonly token: string;
  /** Secret reads answered not-found because the run is untrusted. */
  secretsHidden: number;
  /** Paths the cluster refused with 403. */
  forbidden: string[];
}

// Discovery, OpenAPI, version, and objects or lists under the API groups: what lookup and
// discovery need. Everything else (metrics, healthz, and subresources: pod logs, exec, the
// proxy to services and nodes) is not Helm's business.
export function isReadablePath(path: string): boolean {
  if (/^\/(version|openapi)(\/|$)/.test(path)) return true;
  const segments = path.split('/').filter(Boolean);
  const base = segments[0] === 'api' ? 2 : segments[0] === 'apis' ? 3 : -1;
  if (base === -1) return false;
  let rest = segments.slice(base);
  if (rest[0] === 'namespaces' && rest.length > 2) rest = rest.slice(2);
  // What remains is at most a resource and an object's name.
  return rest.length <= 2;
}
const SECRETS = /^\/api\/v1\/(?:namespaces\/[^/]+\/)?secrets(?:\/([^/]+))?\/?$/;

export class ReadProxy {
  private readonly sessions = new Map<string, ProxySession>();
  private readonly server: Server;
  private url = '';
  private readonly client: KubeClient;
  private readonly options: ReadProxyOptions;
  /** The endpoint's certificate (PEM), which Helm's kubeconfig trusts as its only CA. */
  readonly ca: string;

  private constructor(client: KubeClient, options: ReadProxyOptions) {
    this.client = client;
    this.options = options;
    const certificate = loopbackCertificate();
    this.ca = certificate.cert;
    this.server = createServer(certificate, (request, response) => {
      this.handle(request, response).catch((error: unknown) =>
        respond(response, 500, status(500, 'InternalError', (error as Error).message)),
      );
    });
  }

  static async start(client: KubeClient, options: ReadProxyOptions): Promise<ReadProxy> {
    const proxy = new ReadProxy(client, options);
    await new Promise<void>((resolve, reject) => {
      proxy.server.once('error', reject);
      proxy.server.listen(0, '127.0.0.1', resolve);
    });
    const address = proxy.server.address();
    if (!address || typeof address === 'string') throw new Error('the lookup endpoint has no port');
    proxy.url = `https://127.0.0.1:${address.port}`;
    return proxy;
  }

  /** `https://127.0.0.1:<port>`: loopback only; TLS because client-go sends a token over nothing else. */
  get endpoint(): string {
    return this.url;
  }

  /** A new session with its own token, valid until `end`. */
  begin(): ProxySession {
    const session: ProxySession = { token: randomBytes(32).toString('hex'), secretsHidden: 0, forbidden: [] };
    this.sessions.set(session.token, session);
    return session;
  }

  end(session: ProxySession): void {
    this.sessions.delete(session.token);
  }

  async close(): Promise<void> {
    this.sessions.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private sessionOf(request: IncomingMessage): ProxySession | undefined {
    const presented = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    if (!presented) return undefined;
    for (const session of this.sessions.values()) {
      const a = Buffer.from(session.token);
      const b = Buffer.from(presented);
      if (a.length === b.length && timingSafeEqual(a, b)) return session;
    }
    return undefined;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const session = this.sessionOf(request);
    if (!session) return respond(response, 401, status(401, 'Unauthorized', 'Unauthorized'));
    if (request.method !== 'GET')
      return respond(
        response,
        405,
        status(405, 'MethodNotAllowed', `${request.method} is not allowed: kube-drift answers reads only`),
      );
    const url = new URL(request.url ?? '/', 'http://proxy');
    const query: Record<string, string> = {};
    for (const [key, value] of url.searchParams) query[key] = value;
    if (!isReadablePath(url.pathname))
      return respond(response, 403, status(403, 'Forbidden', `${url.pathname} is not served to Helm`));
    if (query.watch === 'true' || query.watch === '1')
      return respond(response, 405, status(405, 'MethodNotAllowed', 'watch is not served to Helm'));

    const secret = SECRETS.exec(url.pathname);
    if (secret && this.options.hideSecrets) {
      session.secretsHidden++;
      if (secret[1] === undefined)
        return respond(response, 200, {
          kind: 'SecretList',
          apiVersion: 'v1',
          metadata: { resourceVersion: '' },
          items: [],
        });
      return respond(
        response,
        404,
        status(404, 'NotFound', `secrets "${decodeURIComponent(secret[1])}" not found`, {
          name: decodeURIComponent(secret[1]),
          kind: 'secrets',
        }),
      );
    }

    let body: unknown;
    try {
      body = await this.client.request('GET', url.pathname, {
        query,
        // Plain JSON even where client-go asks for aggregated discovery or protobuf: the answer
        // must be one this proxy can read for Secrets.
        accept: 'application/json',
        operation: { verb: 'lookup', subject: url.pathname },
      });
    } catch (error) {
      if (!(error instanceof KubeApiError)) throw error;
      if (error.status === 403) session.forbidden.push(url.pathname);
      return respond(response, error.status, status(error.status, error.reason, error.message));
    }
    this.registerSecrets(body, !!secret);
    respond(response, 200, body);
  }

  private registerSecrets(body: unknown, secretsPath: boolean): void {
    if (!body || typeof body !== 'object') return;
    const object = body as { kind?: string; items?: unknown[] };
    if (object.kind === 'Secret') this.options.onSecret(object as Record<string, unknown>);
    for (const item of Array.isArray(object.items) ? object.items : []) {
      if (!item || typeof item !== 'object') continue;
      const entry = item as Record<string, unknown>;
      // List items carry no kind of their own; a list under /secrets holds Secrets.
      if (entry.kind === 'Secret' || (secretsPath && entry.kind === undefined))
        this.options.onSecret({ ...entry, kind: 'Secret', apiVersion: 'v1' });
      else if (entry.kind === 'List' || Array.isArray(entry.items)) this.registerSecrets(entry, false);
    }
  }
}

function status(code: number, reason: string, message: string, details?: Record<string, unknown>) {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    code,
    details,
  };
}

function respond(response: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(code, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
  });
  response.end(text);
}
