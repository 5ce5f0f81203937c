// The byte-faithful path to the API server. @kubernetes/client-node supplies kubeconfig
// loading and authentication; requests and answers are plain JSON here, because the
// library's typed models drop fields they do not know, and a field dropped under
// server-side apply is a field given up (DESIGN.md).
import type https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { type Limiter, limiter } from '../concurrency.ts';
import { backoffDelay, requestedDelay, retry } from '../retry.ts';
import { KubeApiError, KubeConnectionError, type Operation } from './errors.ts';
import { type Protocol, Transport } from './transport.ts';

export interface RequestOptions {
  query?: Record<string, string | undefined>;
  /** A string is sent as is; anything else as JSON. */
  body?: unknown;
  contentType?: string;
  accept?: string;
  operation: Operation;
}

export interface ClientOptions {
  /** Requests in flight at once. */
  concurrency?: number;
  /** How long to keep retrying an unreachable server or 429/5xx answers, in ms. */
  retryBudgetMs?: number;
  /** Per-request timeout in ms. */
  timeoutMs?: number;
  /** Called before each retry, for progress output. */
  onRetry?: (reason: string, delayMs: number) => void;
}

export interface RequestStats {
  requests: number;
  retries: number;
  byVerb: Record<string, number>;
  /** When the first request was sent, in ms since the process started (bundle load + render). */
  firstRequestMs?: number;
  /** Reads sent ahead (readAhead), and how many of them a later request took. */
  readAhead?: { sent: number; taken: number };
  /** HTTP/2 or HTTP/1.1, as the server chose for the first connection (transport.ts). */
  protocol?: Protocol;
}

const BACKOFF = { baseMs: 250, maxMs: 8_000 };
const RETRY_STATUS = new Set([429, 500, 502, 503, 504]);
const RETRY_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
]);

export class KubeClient {
  readonly server: string;
  readonly stats: RequestStats = { requests: 0, retries: 0, byVerb: {} };
  private readonly config: KubeConfig;
  private readonly options: Required<Omit<ClientOptions, 'onRetry'>> & Pick<ClientOptions, 'onRetry'>;
  private auth?: Promise<https.RequestOptions>;
  private readonly transport: Transport;
  /** GETs sent ahead of the request that will take their answer (readAhead). */
  private readonly early = new Map<string, Promise<unknown>>();
  private readonly limit: Limiter;

  constructor(config: KubeConfig, server: string, options: ClientOptions = {}) {
    this.config = config;
    this.server = server;
    this.options = {
      concurrency: options.concurrency ?? 16,
      retryBudgetMs: options.retryBudgetMs ?? retryBudgetFromEnv() ?? 60_000,
      timeoutMs: options.timeoutMs ?? 60_000,
      onRetry: options.onRetry,
    };
    this.limit = limiter(this.options.concurrency);
    this.transport = new Transport(this.options.concurrency);
  }

  async request<T = unknown>(method: string, path: string, options: RequestOptions): Promise<T> {
    if (method === 'GET' && this.early.size > 0) {
      const key = readKey(path, options.query);
      const answer = this.early.get(key);
      if (answer) {
        this.early.delete(key);
        if (this.stats.readAhead) this.stats.readAhead.taken++;
        return answer as Promise<T>;
      }
    }
    return this.limit(() => this.withRetries<T>(method, path, options));
  }

  /**
   * Sends a GET now whose answer the first later request() of the same path and query takes,
   * instead of sending its own: reads a run will make anyway start while it renders. The answer
   * (or error) is the one that request() would have had, only earlier; it is counted once, when
   * sent. Returns the answer too, for reads that lead to more reads ahead.
   */
  readAhead<T = unknown>(path: string, options: RequestOptions): Promise<T> {
    const key = readKey(path, options.query);
    let answer = this.early.get(key);
    if (!answer) {
      this.stats.readAhead ??= { sent: 0, taken: 0 };
      this.stats.readAhead.sent++;
      answer = this.limit(() => this.withRetries<T>('GET', path, options));
      // Seen by the request that takes it; a read ahead that no request takes must not end the process.
      answer.catch(() => {});
      this.early.set(key, answer);
    }
    return answer as Promise<T>;
  }

  /** Reads ahead that no request has taken yet are dropped: requests from now on read afresh. */
  forgetReadAheads(): void {
    this.early.clear();
  }

  /** Closes kept-alive connections so the process can exit. */
  close(): void {
    this.transport.close();
  }

  private withRetries<T>(method: string, path: string, options: RequestOptions): Promise<T> {
    return retry(() => this.once<T>(method, path, options), {
      budgetMs: this.options.retryBudgetMs,
      delayFor: retryDelay,
      onRetry: (error, delayMs, attempt) => {
        // Exec plugins hand out short-lived tokens: a 401 gets one more try with fresh ones.
        if (error instanceof KubeApiError && error.status === 401 && attempt === 0) this.auth = undefined;
        this.stats.retries++;
        this.options.onRetry?.((error as Error).message, delayMs);
      },
    });
  }

  private async once<T>(method: string, path: string, options: RequestOptions): Promise<T> {
    const auth = await this.authOptions();
    const url = new URL(this.server + path);
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, value);
    }
    const payload =
      options.body === undefined
        ? undefined
        : typeof options.body === 'string'
          ? options.body
          : JSON.stringify(options.body);
    const headers: Record<string, string> = {
      ...(auth.headers as Record<string, string> | undefined),
      Accept: options.accept ?? 'application/json',
      'User-Agent': 'kube-drift',
    };
    if (payload !== undefined) {
      headers['Content-Type'] = options.contentType ?? 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(payload));
    }
    if (this.stats.requests++ === 0) this.stats.firstRequestMs = Math.round(performance.now());
    this.stats.byVerb[options.operation.verb] = (this.stats.byVerb[options.operation.verb] ?? 0) + 1;

    const response = await this.transport
      .send({ url, method, headers, payload, timeoutMs: this.options.timeoutMs }, auth)
      .catch((error: NodeJS.ErrnoException) => {
        throw new KubeConnectionError(this.server, options.operation, error);
      });
    this.stats.protocol ??= this.transport.protocol;
    // A keep-alive socket keeps the listeners of the request that opened it for as long as it
    // lives, and through them `body` and this answer: neither may keep the text (each socket
    // held its first answer, 5 MB of OpenAPI documents and lists in the real-repository mix).
    const { status, text, retryAfter } = response;
    response.text = '';

    if (status >= 200 && status < 300) return (text ? JSON.parse(text) : undefined) as T;
    let body: ConstructorParameters<typeof KubeApiError>[1];
    try {
      body = JSON.parse(text);
    } catch {
      body = { message: text.trim().slice(0, 500) || `HTTP ${status}` };
    }
    const error = new KubeApiError(status, body, this.server, options.operation);
    if (retryAfter && /^\d+$/.test(retryAfter)) error.retryAfterSeconds = Number(retryAfter);
    throw error;
  }

  private authOptions(): Promise<https.RequestOptions> {
    if (!this.auth) {
      const options: https.RequestOptions = {};
      this.auth = this.config.applyToHTTPSOptions(options).then(() => options);
      this.auth.catch(() => {
        this.auth = undefined;
      });
    }
    return this.auth;
  }
}

/**
 * KUBE_DRIFT_RETRY_BUDGET_MS overrides the default retry budget: fault tests shorten it, and
 * a runner on a flaky network can lengthen it.
 */
function retryBudgetFromEnv(): number | undefined {
  const text = process.env.KUBE_DRIFT_RETRY_BUDGET_MS;
  if (text === undefined || text === '') return undefined;
  const ms = Number(text);
  return Number.isInteger(ms) && ms >= 0 ? ms : undefined;
}

/** Delay before the next try, or undefined when the error is final. */
function retryDelay(error: unknown, attempt: number): number | undefined {
  if (error instanceof KubeApiError) {
    if (error.status === 401) return attempt === 0 ? 0 : undefined;
    if (!RETRY_STATUS.has(error.status)) return undefined;
    return error.retryAfterSeconds !== undefined
      ? requestedDelay(error.retryAfterSeconds * 1000)
      : backoffDelay(attempt, BACKOFF);
  }
  if (error instanceof KubeConnectionError && error.code && RETRY_CODES.has(error.code))
    return backoffDelay(attempt, BACKOFF);
  return undefined;
}

/** A read's identity: its path and the query parameters that are set, in a fixed order. */
function readKey(path: string, query: RequestOptions['query']): string {
  const set = Object.entries(query ?? {}).filter(([, value]) => value !== undefined);
  set.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `${path}\n${set.map(([key, value]) => `${key}=${value}`).join('&')}`;
}
