// The one concurrency limiter: bounded parallel work over p-limit, for the plan, remediation
// and the API client alike.

import pLimit, { type LimitFunction } from 'p-limit';

export type Limiter = LimitFunction;

/** A limiter that runs at most `concurrency` tasks at once (at least one), in call order. */
export function limiter(concurrency: number): Limiter {
  return pLimit(Math.max(1, Math.floor(concurrency) || 1));
}

/**
 * Runs `work` over items with at most `limit` in flight. After a failure nothing new starts,
 * but what is in flight finishes before the first error is thrown: the caller never builds
 * its result while work it started still reports.
 */
export async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  const run = limiter(limit);
  let failure: { error: unknown } | undefined;
  await Promise.all(
    items.map((item) =>
      run(async () => {
        if (failure) return;
        try {
          await work(item);
        } catch (error) {
          failure ??= { error };
        }
      }),
    ),
  );
  if (failure) throw failure.error;
}

/**
 * Runs work now, or, once `sliceMs` have gone by since the event loop last ran, after it has
 * run: `paced(() => work())`. Work chained through promises alone never lets the loop run, so
 * the requests that work starts are not written, and the answers that come meanwhile are not
 * read, until it all ends (a 1,000-object plan sent its first dry-run 80 ms after asking for
 * it). The clock is read in the same step as the work it lets through, and again by every
 * caller after the turn, which callers share: a check a step apart from its work let every
 * task waiting in a queue pass before any of their work had run, and a turn each ran the turns
 * back to back, each with a slice of work after it, so I/O came only after all of them.
 */
export function pacer(sliceMs: number): <T>(work: () => Promise<T>) => Promise<T> {
  let since = performance.now();
  let turn: Promise<void> | undefined;
  const paced = <T>(work: () => Promise<T>): Promise<T> => {
    if (performance.now() - since < sliceMs) return work();
    turn ??= new Promise<void>((resolve) =>
      setImmediate(() => {
        turn = undefined;
        since = performance.now();
        resolve();
      }),
    );
    return turn.then(() => paced(work));
  };
  return paced;
}
