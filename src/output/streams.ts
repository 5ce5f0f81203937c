// The CLI's standard output and error: a stream that accepts only Redacted text.

import type { Writable } from 'node:stream';
import type { Redacted } from '../redaction.ts';

export interface TextSink {
  write(text: Redacted): void;
}

export interface CliStreams {
  stdout: TextSink;
  stderr: TextSink;
  /** Whether stderr is a terminal (progress is shown only there). */
  stderrIsTTY: boolean;
  /**
   * Resolves once stdout has taken what was written (at once when its buffer is below its
   * high-water mark, or it is closed). Long output waits for it between parts, so that what
   * is printed is not all held in this process at once: a stream that writes asynchronously
   * (a terminal or pipe on some platforms) buffers without limit when no one waits.
   */
  stdoutDrained(): Promise<void>;
}

/** Wraps Node streams (process.stdout, or a test's buffers) as sinks of Redacted text. */
export function streamsOf(stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream): CliStreams {
  return {
    stdout: { write: (text) => void stdout.write(text) },
    stderr: { write: (text) => void stderr.write(text) },
    stderrIsTTY: (stderr as NodeJS.WriteStream).isTTY === true,
    stdoutDrained: () => drained(stdout),
  };
}

function drained(stream: NodeJS.WritableStream): Promise<void> {
  if ((stream as Partial<Writable>).writableNeedDrain !== true) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
  });
}

export function processStreams(): CliStreams {
  return streamsOf(process.stdout, process.stderr);
}
