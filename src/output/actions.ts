// The action's writers: the workflow log, annotations, outputs, the job summary and the
// failure message, each taking only Redacted text. The only module that imports @actions/core.

import * as core from '@actions/core';
import type { Redacted } from '../redaction.ts';

export interface LogAnnotation {
  level: 'notice' | 'warning' | 'failure';
  message: Redacted;
  title?: Redacted;
  file: string;
  startLine: number;
  endLine: number;
}

export const actionLog = {
  info: (message: Redacted): void => core.info(message),
  warning: (message: Redacted): void => core.warning(message),
  startGroup: (name: Redacted): void => core.startGroup(name),
  endGroup: (): void => core.endGroup(),
};

export function annotate(annotation: LogAnnotation): void {
  const properties: core.AnnotationProperties = {
    file: annotation.file,
    startLine: annotation.startLine,
    endLine: annotation.endLine,
  };
  if (annotation.title) properties.title = annotation.title;
  if (annotation.level === 'failure') core.error(annotation.message, properties);
  else if (annotation.level === 'warning') core.warning(annotation.message, properties);
  else core.notice(annotation.message, properties);
}

export function setOutput(name: string, value: Redacted): void {
  core.setOutput(name, value);
}

export function setFailed(message: Redacted): void {
  core.setFailed(message);
}

/** Appends to the job summary; outside Actions (no summary file) it does nothing. */
export async function appendJobSummary(markdown: Redacted): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  await core.summary.addRaw(markdown, true).write();
}

/** The action's inputs, as given. Reading is not output, but it is @actions/core. */
export function readInput(name: string): string {
  return core.getInput(name);
}

/** Tells the runner to mask a value in the log (the runner's own line of defence). */
export function maskInLog(value: string): void {
  core.setSecret(value);
}
