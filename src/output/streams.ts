// The CLI's standard output and error: a stream that accepts only Redacted text.

import type { Redacted } from '../redaction.ts';

export interface TextSink {
  write(text: Redacted): void;
}

export interface CliStreams {
  stdout: TextSink;
  stderr: TextSink;
  /** Whether stderr is a terminal (progress is shown only there). */
  stderrIsTTY: boolean;
}

/** Wraps Node streams (process.stdout, or a test's buffers) as sinks of Redacted text. */
export function streamsOf(stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream): CliStreams {
  return {
    stdout: { write: (text) => void stdout.write(text) },
    stderr: { write: (text) => void stderr.write(text) },
    stderrIsTTY: (stderr as NodeJS.WriteStream).isTTY === true,
  };
}

export function processStreams(): CliStreams {
  return streamsOf(process.stdout, process.stderr);
}
