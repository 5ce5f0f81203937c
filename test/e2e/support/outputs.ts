// Everything a run let out, as artifacts to search for secrets: the process's stdout and
// stderr, every file it left in its run directory (GITHUB_OUTPUT, the job summary, the JSON
// report, RUNNER_TEMP, TMPDIR), every request the GitHub emulator received and every
// webhook delivered.

import { existsSync, readFileSync } from 'node:fs';
import type { GitHubEmulator } from '../../support/github-emulator.ts';
import type { ActionRun } from './action.ts';
import { type Artifact, filesUnder } from './leaks.ts';
import type { WebhookReceiver } from './webhook-receiver.ts';

/** The runner consumes `::add-mask::` lines and never shows them: registering a secret is not leaking it. */
export function withoutMaskCommands(stdout: string): string {
  return stdout
    .split('\n')
    .filter((line) => !line.startsWith('::add-mask::'))
    .join('\n');
}

/** An action run: its logs and every file under its run directory but the event payload the test wrote. */
export function actionArtifacts(label: string, run: ActionRun): Artifact[] {
  const artifacts: Artifact[] = [
    { where: `action ${label}: stdout`, text: withoutMaskCommands(run.stdout) },
    { where: `action ${label}: stderr`, text: run.stderr },
    ...filesUnder(run.runDir, `action ${label}: files`, (path) => path.endsWith('/event.json')),
  ];
  // A report-file input may point outside the run directory.
  const report = run.outputs['report-json'];
  if (report && !report.startsWith(run.runDir) && existsSync(report))
    artifacts.push({ where: `action ${label}: report ${report}`, text: readFileSync(report, 'utf8') });
  return artifacts;
}

/** A CLI run: its logs and the files it wrote. */
export function cliArtifacts(
  label: string,
  run: { stdout: string; stderr: string },
  files: string[] = [],
): Artifact[] {
  return [
    { where: `CLI ${label}: stdout`, text: run.stdout },
    { where: `CLI ${label}: stderr`, text: run.stderr },
    ...files.map((file) => ({
      where: `CLI ${label}: ${file}`,
      text: existsSync(file) ? readFileSync(file, 'utf8') : '',
    })),
  ];
}

/** Each request the emulator received (path and body: comments, check runs with their annotations, issues) and the state it kept. */
export function emulatorArtifacts(gh: GitHubEmulator): Artifact[] {
  const artifacts: Artifact[] = gh.state.requests.map((request, i) => ({
    where: `GitHub request ${i + 1} ${request.method} ${request.path} (${request.operationId ?? 'unknown operation'})`,
    text: `${request.path}${request.query}\n${request.rawBody ?? ''}`,
  }));
  artifacts.push({
    where: 'GitHub emulator state (comments, check runs, issues)',
    text: JSON.stringify({
      comments: gh.state.comments,
      checkRuns: gh.state.checkRuns,
      issues: gh.state.issues,
    }),
  });
  return artifacts;
}

export function webhookArtifacts(receiver: WebhookReceiver): Artifact[] {
  return receiver.bodies.map((body, i) => ({ where: `webhook delivery ${i + 1}`, text: body }));
}
