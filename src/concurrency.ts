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
