// The job summary and the workflow-command annotations: what the run page shows even when
// the token may not write check runs or comments.

import { annotate, appendJobSummary } from '../output/actions.ts';
import type { Redactor } from '../redaction.ts';
import { trimMarkdown } from '../report/trim.ts';
import type { CheckAnnotation } from './check-run.ts';

/** GitHub's limit for one step's summary. */
export const JOB_SUMMARY_LIMIT_BYTES = 1024 * 1024;

/** Cut to GitHub's limit, then redacted (`***` is never longer than what it replaces). */
export async function writeJobSummary(markdown: string, redactor: Redactor): Promise<void> {
  const fitted = trimMarkdown(
    markdown,
    JOB_SUMMARY_LIMIT_BYTES - 1024,
    'The report was cut to the 1 MiB job summary limit; the whole report is in the JSON report file.',
  );
  await appendJobSummary(redactor.redact(fitted));
}

export function workflowAnnotations(annotations: CheckAnnotation[]): void {
  for (const annotation of annotations) {
    annotate({
      level: annotation.annotation_level,
      message: annotation.message,
      title: annotation.title,
      file: annotation.path,
      startLine: annotation.start_line,
      endLine: annotation.end_line,
    });
  }
}
