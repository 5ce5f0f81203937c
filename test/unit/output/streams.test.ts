import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { setImmediate } from 'node:timers/promises';
import { streamsOf } from '../../../src/output/streams.ts';
import type { Redacted } from '../../../src/redaction.ts';

/** A stdout whose reader takes each write only when told to. */
function slowStdout() {
  const pending: (() => void)[] = [];
  const stream = new Writable({
    highWaterMark: 16,
    write: (_chunk, _encoding, callback) => void pending.push(callback),
  });
  const takeAll = () => {
    for (const callback of pending.splice(0)) callback();
  };
  return { stream, takeAll };
}

const text = (s: string) => s as Redacted;

describe('CLI stdout', () => {
  it('stdoutDrained waits until the reader has taken what was written', async () => {
    const stdout = slowStdout();
    const streams = streamsOf(stdout.stream, new Writable({ write: (_c, _e, cb) => cb() }));
    await streams.stdoutDrained();
    streams.stdout.write(text('an object printed as YAML, longer than the buffer\n'));
    let drained = false;
    const waiting = streams.stdoutDrained().then(() => {
      drained = true;
    });
    await setImmediate();
    assert.equal(drained, false);
    stdout.takeAll();
    await waiting;
    assert.equal(drained, true);
  });

  it('stdoutDrained does not wait for a stdout that was closed', async () => {
    const stdout = slowStdout();
    const streams = streamsOf(stdout.stream, new Writable({ write: (_c, _e, cb) => cb() }));
    streams.stdout.write(text('an object printed as YAML, longer than the buffer\n'));
    const waiting = streams.stdoutDrained();
    stdout.stream.destroy();
    await waiting;
  });
});
