import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { forEachLimited, limiter, pacer } from '../../src/concurrency.ts';

test('forEachLimited never has more than the limit in flight and runs every item', async () => {
  for (const limit of [1, 2, 5, 50]) {
    let inFlight = 0;
    let peak = 0;
    const seen: number[] = [];
    await forEachLimited([...Array(20).keys()], limit, async (i) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await sleep(i % 3);
      seen.push(i);
      inFlight--;
    });
    assert.equal(peak, Math.min(limit, 20), `limit ${limit}`);
    assert.deepEqual(
      seen.sort((a, b) => a - b),
      [...Array(20).keys()],
    );
  }
});

test('forEachLimited starts nothing new after a failure, and waits for what is in flight', async () => {
  const started: number[] = [];
  const finished: number[] = [];
  const run = forEachLimited([0, 1, 2, 3, 4, 5, 6, 7], 3, async (i) => {
    started.push(i);
    if (i === 1) throw new Error('item 1 failed');
    await sleep(20);
    finished.push(i);
  });
  await assert.rejects(run, /item 1 failed/);
  // 0 and 2 were in flight when 1 failed: they finished before the error reached the caller.
  assert.deepEqual(finished.sort(), [0, 2]);
  // 3 may start in the same tick the failure is recorded; nothing after it does.
  assert.ok(started.length <= 4, `started ${started.join(',')}`);
});

test('forEachLimited throws the first failure, once every worker settled', async () => {
  const order: string[] = [];
  const run = forEachLimited([0, 1, 2], 3, async (i) => {
    await sleep(i * 10);
    order.push(`end ${i}`);
    if (i > 0) throw new Error(`item ${i} failed`);
  });
  await assert.rejects(run, /item 1 failed/);
  assert.deepEqual(order, ['end 0', 'end 1', 'end 2']);
});

test('forEachLimited with no items, and a limit below one, still works', async () => {
  await forEachLimited([], 4, async () => assert.fail('no work'));
  const seen: number[] = [];
  await forEachLimited([1, 2], 0, async (i) => {
    seen.push(i);
  });
  assert.deepEqual(seen, [1, 2]);
});

test('limiter keeps call order and the bound', async () => {
  const run = limiter(2);
  const log: string[] = [];
  let peak = 0;
  await Promise.all(
    ['a', 'b', 'c', 'd'].map((name) =>
      run(async () => {
        log.push(name);
        peak = Math.max(peak, run.activeCount);
        await sleep(5);
      }),
    ),
  );
  assert.deepEqual(log, ['a', 'b', 'c', 'd']);
  assert.equal(peak, 2);
});

/** Holds the thread for `ms`, as a proof or a parse does. */
function busy(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

test('pacer runs work in the same step while the slice lasts', () => {
  const pace = pacer(1_000);
  let ran = false;
  void pace(async () => {
    ran = true;
  });
  assert.equal(ran, true);
});

test('pacer lets the event loop run between slices, however many tasks wait', async () => {
  const pace = pacer(5);
  const events: string[] = [];
  let done = false;
  const tick = () => {
    events.push('tick');
    if (!done) setImmediate(tick);
  };
  setImmediate(tick);
  // 60 tasks queued at once, each holding the thread for 2 ms: unpaced, they all run before
  // the first tick; with a turn each, or a check a step apart from the work, dozens in a row.
  await forEachLimited([...Array(60).keys()], 60, (i) =>
    pace(async () => {
      busy(2);
      events.push(`work ${i}`);
    }),
  );
  done = true;
  const runs = events
    .join(',')
    .split('tick')
    .map((run) => run.split(',').filter((e) => e.startsWith('work')).length);
  assert.equal(events.filter((e) => e.startsWith('work')).length, 60);
  assert.ok(Math.max(...runs) <= 4, `longest run of work between turns: ${Math.max(...runs)}`);
  assert.ok(runs.filter((n) => n > 0).length >= 15, `turns with work: ${runs.filter((n) => n > 0).length}`);
});
