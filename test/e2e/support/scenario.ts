// A namespace with the e2e app in it, an emulator of GitHub, and the action run against both.

import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  kubeconfigPath,
  kubectlOk,
  REPO_ROOT,
  type TestNamespace,
  withNamespace,
} from '../../support/cluster.ts';
import type { GitHubEmulator } from '../../support/github-emulator.ts';
import { type ActionEvent, type ActionRun, runAction } from './action.ts';
import { commitAll, gitWorkspace, type Workspace } from './workspace.ts';

export const APP_FIXTURE = 'test/fixtures/e2e/app';
/** Where the app lives in the workspace, and the manifest annotations must name. */
export const APP_PATH = 'app';
export const APP_FILE = `${APP_PATH}/web.yaml`;

/** A Git workspace holding the app as the PR base (and head). */
export function appWorkspace(): Workspace {
  return gitWorkspace([{ from: APP_FIXTURE, as: APP_PATH }]);
}

/** The 1-based line of `text` in the app's manifest: where annotations and links must point. */
export function lineOf(text: string): number {
  const index = readFileSync(join(REPO_ROOT, APP_FIXTURE, 'web.yaml'), 'utf8')
    .split('\n')
    .indexOf(text);
  if (index < 0) throw new Error(`${APP_FIXTURE}/web.yaml has no line ${JSON.stringify(text)}`);
  return index + 1;
}

export function uniqueTarget(prefix: string): string {
  return `${prefix}-${randomBytes(3).toString('hex')}`;
}

/** A namespace holding the app exactly as Git has it, applied server-side as a person would. */
export async function appNamespace(prefix: string): Promise<TestNamespace> {
  const namespace = await withNamespace(prefix);
  await kubectlOk([
    'apply',
    '--server-side',
    '-n',
    namespace.name,
    '-f',
    join(REPO_ROOT, APP_FIXTURE, 'web.yaml'),
  ]);
  return namespace;
}

export async function replicas(namespace: string): Promise<number> {
  return Number(
    await kubectlOk(['get', 'deployment', 'web', '-n', namespace, '-o', 'jsonpath={.spec.replicas}']),
  );
}

export async function scale(namespace: string, count: number): Promise<void> {
  await kubectlOk(['scale', 'deployment', 'web', '-n', namespace, `--replicas=${count}`]);
}

export function runAppAction(
  gh: GitHubEmulator,
  workspace: Workspace,
  event: ActionEvent,
  namespace: string,
  target: string,
  inputs: Record<string, string> = {},
  bundle?: string,
): Promise<ActionRun> {
  return runAction({
    event,
    apiUrl: gh.url,
    token: gh.token,
    workspace: workspace.dir,
    // The kubeconfig as a file path, the way a workflow names a file an earlier step wrote.
    inputs: { path: APP_PATH, target, namespace, kubeconfig: kubeconfigPath(), ...inputs },
    bundle,
  });
}

/** A pull request's change to the app: the web container becomes privileged; returns the head commit. */
export function privilegedHead(workspace: Workspace): string {
  const original = readFileSync(join(REPO_ROOT, APP_FIXTURE, 'web.yaml'), 'utf8');
  const changed = original.replace(
    '          image: nginx:1.27\n',
    '          image: nginx:1.27\n          securityContext:\n            privileged: true\n',
  );
  if (changed === original)
    throw new Error(`${APP_FIXTURE}/web.yaml no longer has the image line the change edits`);
  writeFileSync(join(workspace.dir, APP_FILE), changed);
  return commitAll(workspace.dir, 'web: privileged');
}

/** What a failed assertion should show: the run's logs. */
export function logsOf(run: ActionRun): string {
  return `exit ${run.code}\n--- stdout ---\n${run.stdout}\n--- stderr ---\n${run.stderr}`;
}
