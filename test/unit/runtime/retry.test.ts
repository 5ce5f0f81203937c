// The one sleep/backoff helper: delays double up to a ceiling with jitter, retries stop on a
// final error or a spent budget, and polling rounds are paced.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffDelay, nextRound, requestedDelay, retry } from '../../../src/retry.ts';

const BACKOFF = { baseMs: 250, maxMs: 8_000 };

describe('backoffDelay', () => {
  const cases: [attempt: number, low: number, high: number][] = [
    [0, 125, 250],
    [1, 250, 500],
    [3, 1_000, 2_000],
    [5, 4_000, 8_000],
    [6, 4_000, 8_000],
    [30, 4_000, 8_000],
  ];
  for (const [attempt, low, high] of cases) {
    it(`attempt ${attempt}: between ${low} and ${high} ms`, () => {
      assert.equal(
        backoffDelay(attempt, BACKOFF, () => 0),
        low,
      );
      assert.equal(
        backoffDelay(attempt, BACKOFF, () => 1),
        high,
      );
      const drawn = backoffDelay(attempt, BACKOFF);
      assert.ok(drawn >= low && drawn <= high, String(drawn));
    });
  }

  it('adds at most a quarter second to a delay the server asked for', () => {
    assert.equal(
      requestedDelay(2_000, () => 0),
      2_000,
    );
    assert.equal(
      requestedDelay(2_000, () => 1),
      2_250,
    );
  });
});

describe('retry', () => {
  it('retries a retryable error and returns the first success, reporting each wait', async () => {
    const waits: [string, number, number][] = [];
    const result = await retry(
      async (n) => {
        if (n < 2) throw new Error(`busy ${n}`);
        return `done after ${n}`;
      },
      {
        budgetMs: 1_000,
        delayFor: () => 5,
        onRetry: (e, ms, n) => waits.push([(e as Error).message, ms, n]),
      },
    );
    assert.equal(result, 'done after 2');
    assert.deepEqual(waits, [
      ['busy 0', 5, 0],
      ['busy 1', 5, 1],
    ]);
  });

  it('throws a final error at once', async () => {
    let tries = 0;
    await assert.rejects(
      retry(
        async () => {
          tries++;
          throw new Error('forbidden');
        },
        { budgetMs: 10_000, delayFor: () => undefined },
      ),
      /forbidden/,
    );
    assert.equal(tries, 1);
  });

  it('throws the last error when the next wait would end past the budget', async () => {
    let tries = 0;
    const started = Date.now();
    await assert.rejects(
      retry(
        async (n) => {
          tries++;
          throw new Error(`unreachable ${n}`);
        },
        { budgetMs: 100, delayFor: (_e, n) => (n === 0 ? 10 : 500) },
      ),
      /unreachable 1/,
    );
    assert.equal(tries, 2);
    assert.ok(Date.now() - started < 400, 'it did not sleep past the budget');
  });
});

describe('nextRound', () => {
  it('waits out the rest of the interval', async () => {
    const started = Date.now();
    await nextRound(started, 60, started + 10_000);
    assert.ok(Date.now() - started >= 55, String(Date.now() - started));
  });

  it('never waits past the deadline, nor at all once the round took longer than the interval', async () => {
    const started = Date.now();
    await nextRound(started, 10_000, started + 30);
    await nextRound(started - 5_000, 1_000, started + 10_000);
    assert.ok(Date.now() - started < 1_000, String(Date.now() - started));
  });
});
