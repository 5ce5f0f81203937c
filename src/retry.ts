// Waiting: sleep, exponential backoff with jitter, retry within a time budget, paced polling.
// Delays are computed here only, so every retry loop backs off and spreads out the same way.

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

export interface Backoff {
  /** The delay before the first retry, before jitter. */
  baseMs: number;
  /** The longest delay, before jitter. */
  maxMs: number;
}

/**
 * The delay before retry `attempt` (0 for the first): doubling from baseMs up to maxMs, with
 * "equal jitter" (half fixed, half random) so clients that failed together do not retry together.
 */
export function backoffDelay(attempt: number, backoff: Backoff, random: () => number = Math.random): number {
  const ceiling = Math.min(backoff.maxMs, backoff.baseMs * 2 ** attempt);
  return ceiling / 2 + random() * (ceiling / 2);
}

/** A delay the other side asked for (Retry-After), with a little jitter added for the same reason. */
export function requestedDelay(ms: number, random: () => number = Math.random): number {
  return ms + random() * 250;
}

export interface RetryOptions {
  /** Give up once the next delay would end past this many ms from the start. */
  budgetMs: number;
  /** Delay before the next try, or undefined when the error is final. */
  delayFor: (error: unknown, attempt: number) => number | undefined;
  /** Called before each wait. */
  onRetry?: (error: unknown, delayMs: number, attempt: number) => void;
}

/** Runs `attempt` until it succeeds, the error is final, or the budget is spent; throws the last error. */
export async function retry<T>(attempt: (n: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const deadline = Date.now() + options.budgetMs;
  for (let n = 0; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      const delay = options.delayFor(error, n);
      if (delay === undefined || Date.now() + delay > deadline) throw error;
      options.onRetry?.(error, delay, n);
      await sleep(delay);
    }
  }
}

/**
 * Waits out the rest of a polling round that began at `roundStarted` (ms since the epoch), so
 * a poll runs at most once per `intervalMs`, and never past `deadline`.
 */
export function nextRound(roundStarted: number, intervalMs: number, deadline: number): Promise<void> {
  const now = Date.now();
  return sleep(Math.min(intervalMs - (now - roundStarted), deadline - now));
}
