// Errors a user can cause or fix. Each names the file, object or input concerned and says
// what to do; the entry points print `message` (and `hint`) and exit with status 2.

export class KubeDriftError extends Error {
  /** What the user can do about it, printed after the message. */
  readonly hint?: string;

  constructor(message: string, options?: { hint?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'KubeDriftError';
    this.hint = options?.hint;
  }
}

/** Bad input: settings, flags, manifests, kubeconfig. */
export class InputError extends KubeDriftError {
  readonly file?: string;
  readonly line?: number;

  constructor(message: string, options?: { hint?: string; cause?: unknown; file?: string; line?: number }) {
    super(message, options);
    this.name = 'InputError';
    this.file = options?.file;
    this.line = options?.line;
  }
}

export function describeError(error: unknown): string {
  if (error instanceof KubeDriftError)
    return error.hint ? `${error.message}\n  ${error.hint}` : error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}
