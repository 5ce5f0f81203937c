// Typed errors from the API server and the network, each with what the user can do about it.
import { KubeDriftError } from '../errors.ts';

/** The operation in progress, to name in messages: `patch Deployment/ns/name`. */
export interface Operation {
  verb: string;
  /** `Kind/ns/name`, or a resource and namespace for lists. */
  subject: string;
}

/** A `Status` answer from the API server (4xx/5xx). */
export class KubeApiError extends KubeDriftError {
  readonly status: number;
  readonly reason: string;
  readonly server: string;
  readonly operation: Operation;
  readonly details?: {
    /** The resource and name the answer concerns (a NotFound for `namespaces` names the namespace). */
    kind?: string;
    name?: string;
    causes?: { reason?: string; message?: string; field?: string }[];
  };
  /** From a Retry-After header (429, 503). */
  retryAfterSeconds?: number;

  constructor(
    status: number,
    body: { reason?: string; message?: string; details?: KubeApiError['details'] } | undefined,
    server: string,
    operation: Operation,
  ) {
    const reason = body?.reason ?? `HTTP ${status}`;
    const serverMessage = body?.message ?? reason;
    super(`${operation.verb} ${operation.subject}: ${serverMessage}`, {
      hint: hintFor(status, server, operation),
    });
    this.name = 'KubeApiError';
    this.status = status;
    this.reason = reason;
    this.server = server;
    this.operation = operation;
    this.details = body?.details;
  }

  get notFound(): boolean {
    return this.status === 404;
  }
}

/** The API server could not be reached, or TLS failed. */
export class KubeConnectionError extends KubeDriftError {
  readonly server: string;
  readonly code?: string;

  constructor(server: string, operation: Operation, cause: NodeJS.ErrnoException) {
    const code = cause.code;
    const tls = isTlsError(code);
    const what = tls
      ? `TLS with the API server at ${server} failed (${code}: ${cause.message})`
      : `the API server at ${server} is unreachable (${code ?? cause.message})`;
    super(`${operation.verb} ${operation.subject}: ${what}`, {
      hint: tls
        ? 'Check the kubeconfig: the cluster certificate-authority-data must sign the server certificate, and the server URL must match its names.'
        : 'Check that the cluster is up and the runner can reach it (network, VPN, firewall, the server URL in the kubeconfig).',
      cause,
    });
    this.name = 'KubeConnectionError';
    this.server = server;
    this.code = code;
  }
}

export function isTlsError(code: string | undefined): boolean {
  return !!code && /^(ERR_TLS|CERT_|UNABLE_TO|DEPTH_ZERO|SELF_SIGNED|ERR_SSL|EPROTO)/.test(code);
}

function hintFor(status: number, server: string, operation: Operation): string | undefined {
  switch (status) {
    case 401:
      return `The API server at ${server} rejected the credentials: the token or client certificate is expired or invalid. Refresh the kubeconfig (or the secret that holds it).`;
    case 403:
      return `The credentials lack permission to ${operation.verb} ${operation.subject}. Grant it with RBAC (see examples/rbac/), or use a mode that needs less (diff-mode: client needs no write verbs).`;
    case 429:
      return 'The API server is throttling requests; lower --concurrency.';
    default:
      return undefined;
  }
}
