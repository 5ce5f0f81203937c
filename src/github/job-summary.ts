// The job summary and the workflow-command annotations: what the run page shows even when
// the token may not write check runs or comments.

import * as core from '@actions/core';
import type { Annotation } from '../report/annotations.ts';
import { trimMarkdown } from '../report/trim.ts';

/** GitHub's limit for one step's summary. */
export const JOB_SUMMARY_LIMIT_BYTES = 1024 * 1024;

export async function writeJobSummary(markdown: string): Promise<void> {
  // Outside Actions (the CLI) there is no summary file.
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  const fitted = trimMarkdown(
    markdown,
    JOB_SUMMARY_LIMIT_BYTES - 1024,
    'The report was cut to the 1 MiB job summary limit; the whole report is in the JSON report file.',
  );
  await core.summary.addRaw(fitted, true).write();
}

export function workflowAnnotations(annotations: Annotation[]): void {
  for (const annotation of annotations) {
    const properties: core.AnnotationProperties = {
      file: annotation.path,
      startLine: annotation.start_line,
      endLine: annotation.end_line,
    };
    if (annotation.title) properties.title = annotation.title;
    if (annotation.annotation_level === 'failure') core.error(annotation.message, properties);
    else if (annotation.annotation_level === 'warning') core.warning(annotation.message, properties);
    else core.notice(annotation.message, properties);
  }
}
