// The Secret canary: Secrets whose values (in Git and, drifted, in the cluster) are unique
// strings. kube-drift runs through every output path it has — the CLI in each format, the
// action on a pull request (comment, check run, annotations both ways, summary, outputs, JSON
// report), on a schedule (drift issue), remediating on a push, a webhook, and its logs with
// debug on — and everything that left the processes is searched for the canaries in every
// encoding. The kubeconfig given inline must not leak either, and must be registered as a
// secret with `::add-mask::` so that GitHub masks it. Both run as bundled fresh from src/.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import {
  kubeconfigPath,
  kubectlOk,
  REPO_ROOT,
  type TestNamespace,
  withNamespace,
} from '../support/cluster.ts';
import { faults, type GitHubEmulator, startGitHubEmulator } from '../support/github-emulator.ts';
import {
  type ActionEvent,
  type ActionRun,
  cleanEnv,
  OWNER,
  pullRequestEvent,
  pushEvent,
  REPO,
  runAction,
  runProcess,
  scheduleEvent,
} from './support/action.ts';
import { type Bundle, freshBundle } from './support/bundle.ts';
import { type Artifact, assertNoLeaks, filesUnder, findLeaks, type Needle } from './support/leaks.ts';
import { actionArtifacts, emulatorArtifacts, webhookArtifacts } from './support/outputs.ts';
import { logsOf } from './support/scenario.ts';
import { startWebhookReceiver, type WebhookReceiver } from './support/webhook-receiver.ts';
import { gitWorkspace, pushCommit, type Workspace } from './support/workspace.ts';

const PR = 31;
const FIXTURE_DIR = join(REPO_ROOT, 'test/fixtures/e2e/secrets');
/** The values test/fixtures/e2e/secrets/secrets.yaml holds. */
const GIT_STRING_DATA = 'KD-CANARY-stringdata-5b1f0c7e9a42';
const GIT_DATA = 'KD-CANARY-data-8d2e4a61c3f0';
/** The values the test drifts the cluster to: new for every run. */
const LIVE_STRING_DATA = `KD-CANARY-live-${randomBytes(6).toString('hex')}`;
const LIVE_DATA = `KD-CANARY-livedata-${randomBytes(6).toString('hex')}`;
const LIVE_ADDED = `KD-CANARY-added-${randomBytes(6).toString('hex')}`;

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/** `::add-mask::` escapes its value as @actions/core does (escapeData). */
function escapeData(value: string): string {
  return value.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

interface Kubeconfig {
  users?: Array<{ user?: Record<string, unknown> }>;
}

/** The secret parts of the kubeconfig: the whole text, and each credential in it. */
function kubeconfigNeedles(content: string): Needle[] {
  const needles: Needle[] = [{ name: 'the inline kubeconfig', value: content.trim() }];
  const parsed = parseYaml(content) as Kubeconfig;
  for (const user of parsed.users ?? []) {
    for (const [key, value] of Object.entries(user.user ?? {})) {
      if (typeof value !== 'string' || !/(key|token|password|certificate)/i.test(key)) continue;
      needles.push({ name: `kubeconfig ${key}`, value });
      if (key.endsWith('-data')) {
        // The PEM inside: its longest line is what would show if it were printed decoded.
        const pem = Buffer.from(value, 'base64').toString('utf8');
        const longest = pem.split('\n').sort((a, b) => b.length - a.length)[0];
        if (longest && longest.length >= 32)
          needles.push({ name: `kubeconfig ${key} (decoded)`, value: longest });
      }
    }
  }
  return needles;
}

describe('Secret canary across every output path', () => {
  let namespace: TestNamespace;
  let gh: GitHubEmulator;
  let bundle: Bundle;
  let webhook: WebhookReceiver;
  let ws: Workspace;
  let workspace: string;
  let kubeconfigContent: string;
  const target = `canary-${randomBytes(3).toString('hex')}`;
  const artifacts: Artifact[] = [];
  const actionRuns: Array<{ label: string; run: ActionRun }> = [];

  before(async () => {
    bundle = freshBundle();
    kubeconfigContent = readFileSync(kubeconfigPath(), 'utf8');
    // A workspace of its own, so that any file the runs leave in it can be searched too.
    ws = gitWorkspace([{ from: 'test/fixtures/e2e/secrets', as: 'secrets' }]);
    workspace = ws.dir;

    namespace = await withNamespace('e2e-canary');
    await kubectlOk([
      'apply',
      '--server-side',
      '-n',
      namespace.name,
      '-f',
      join(FIXTURE_DIR, 'secrets.yaml'),
    ]);
    // Drift by hand: another password, another token, and a key Git does not have.
    await kubectlOk([
      'patch',
      'secret',
      'app-credentials',
      '-n',
      namespace.name,
      '--type',
      'merge',
      '-p',
      JSON.stringify({ stringData: { password: LIVE_STRING_DATA } }),
    ]);
    await kubectlOk([
      'patch',
      'secret',
      'app-tls-ish',
      '-n',
      namespace.name,
      '--type',
      'merge',
      '-p',
      JSON.stringify({ data: { token: b64(LIVE_DATA), extra: b64(LIVE_ADDED) } }),
    ]);

    gh = await startGitHubEmulator({
      tokenKind: 'installation',
      pullRequests: [{ owner: OWNER, repo: REPO, number: PR }],
    });
    webhook = await startWebhookReceiver();
  });

  after(async () => {
    await gh?.close();
    await webhook?.close();
    await namespace?.cleanup();
  });

  // ---- the CLI ------------------------------------------------------------------------

  const cliCases: Array<{ name: string; args: string[]; code: number }> = [
    { name: 'diff text', args: ['diff', '-o', 'text'], code: 1 },
    {
      name: 'diff text --verbose --color always',
      args: ['diff', '-o', 'text', '--verbose', '--color', 'always'],
      code: 1,
    },
    { name: 'diff markdown', args: ['diff', '-o', 'markdown'], code: 1 },
    { name: 'diff markdown --verbose', args: ['diff', '-o', 'markdown', '--verbose'], code: 1 },
    {
      name: 'diff json --report-file',
      args: ['diff', '-o', 'json', '--report-file', 'cli-report.json'],
      code: 1,
    },
    { name: 'diff json --verbose', args: ['diff', '-o', 'json', '--verbose'], code: 1 },
    { name: 'render', args: ['render'], code: 0 },
    // render has no --verbose: the refusal (exit 2) is an output too.
    { name: 'render --verbose', args: ['render', '--verbose'], code: 2 },
  ];

  for (const cliCase of cliCases) {
    it(`CLI ${cliCase.name}: reports the Secrets masked`, async () => {
      const isRender = cliCase.args[0] === 'render';
      const args = [bundle.cli, ...cliCase.args, '-p', 'secrets', '-n', namespace.name];
      if (!isRender) args.push('--kubeconfig', kubeconfigPath(), '--target', target);
      const run = await runProcess(args, { env: { ...cleanEnv(), TMPDIR: workspace }, cwd: workspace });
      const logs = `exit ${run.code}\n--- stdout ---\n${run.stdout}\n--- stderr ---\n${run.stderr}`;
      assert.equal(run.code, cliCase.code, logs);
      if (cliCase.code !== 2) {
        assert.match(run.stdout, /app-credentials/, logs);
        assert.match(run.stdout, /\*\*\*/, 'Secret values appear masked');
      }
      artifacts.push({ where: `CLI ${cliCase.name}: stdout`, text: run.stdout });
      artifacts.push({ where: `CLI ${cliCase.name}: stderr`, text: run.stderr });
    });
  }

  it('CLI: the --report-file is written', () => {
    assert.ok(existsSync(join(workspace, 'cli-report.json')));
  });

  // ---- the action ---------------------------------------------------------------------

  async function action(
    label: string,
    event: ActionEvent,
    inputs: Record<string, string>,
  ): Promise<ActionRun> {
    const run = await runAction({
      bundle: bundle.action,
      event,
      apiUrl: gh.url,
      token: gh.token,
      workspace,
      inputs: { path: 'secrets', target, namespace: namespace.name, 'webhook-url': webhook.url, ...inputs },
      env: { ACTIONS_STEP_DEBUG: 'true', RUNNER_DEBUG: '1' },
    });
    actionRuns.push({ label, run });
    return run;
  }

  it('action on a pull request (kubeconfig inline): comment, check run with annotations, summary, outputs, report, webhook', async () => {
    const run = await action(
      'PR run',
      pullRequestEvent('opened', PR, { head: ws.headSha, base: ws.baseSha }),
      {
        kubeconfig: kubeconfigContent,
      },
    );
    const logs = logsOf(run);
    assert.equal(run.code, 1, logs);
    assert.equal(run.outputs.configured, '2', logs);
    assert.ok(
      // @actions/core trims inputs: the value registered is the trimmed content.
      run.stdout.split('\n').includes(`::add-mask::${escapeData(kubeconfigContent.trim())}`),
      'the inline kubeconfig is registered as a secret',
    );
    const [comment] = gh.state.comments;
    assert.ok(comment?.body.includes('Secret/') && comment.body.includes('***'), comment?.body);
    const [checkRun] = gh.state.checkRuns;
    assert.ok(checkRun && checkRun.annotations.length >= 2, JSON.stringify(checkRun));
    assert.ok(existsSync(run.outputs['report-json']));
    assert.ok(webhook.bodies.length >= 1, 'the drift notification was sent');
  });

  it('action on a pull request without checks: write: annotations as workflow commands', async () => {
    gh.state.faults.push(faults.forbidden('checks/create'));
    const run = await action(
      'PR run, checks refused',
      pullRequestEvent('synchronize', PR, { head: pushCommit(workspace), base: ws.baseSha }),
      {
        kubeconfig: kubeconfigContent,
      },
    );
    gh.state.faults.length = 0;
    const logs = logsOf(run);
    assert.equal(run.code, 1, logs);
    assert.ok(/^::warning .*file=secrets\/secrets\.yaml/m.test(run.stdout), logs);
    assert.equal(gh.state.comments.length, 1, 'the comment was updated in place');
  });

  it('action on a schedule (kubeconfig as base64): drift issue and webhook', async () => {
    const encoded = b64(kubeconfigContent);
    const run = await action('schedule run', scheduleEvent(ws.headSha), {
      kubeconfig: encoded,
      issue: 'true',
    });
    const logs = logsOf(run);
    assert.equal(run.code, 1, logs);
    assert.ok(
      run.stdout.split('\n').includes(`::add-mask::${encoded}`),
      'the base64 kubeconfig is registered as a secret',
    );
    const [issue] = gh.state.issues;
    assert.ok(issue?.body?.includes('***'), issue?.body ?? 'no issue');
  });

  it('action remediating on a push: the Secrets are converged, the issue closed, the webhook told', async () => {
    const hooksBefore = webhook.bodies.length;
    const run = await action('push run with remediation', pushEvent(ws.headSha), {
      kubeconfig: kubeconfigContent,
      issue: 'true',
      remediate: 'true',
    });
    const logs = logsOf(run);
    assert.equal(run.code, 0, logs);
    const password = await kubectlOk([
      'get',
      'secret',
      'app-credentials',
      '-n',
      namespace.name,
      '-o',
      'jsonpath={.data.password}',
    ]);
    assert.equal(
      Buffer.from(password, 'base64').toString('utf8'),
      GIT_STRING_DATA,
      "the cluster holds Git's value again",
    );
    assert.equal(gh.state.issues[0]?.state, 'closed', logs);
    assert.ok(webhook.bodies.length > hooksBefore, 'the remediated notification was sent');
  });

  // ---- the search ---------------------------------------------------------------------

  it('no canary, nor the kubeconfig, appears in anything that left the processes', () => {
    assert.ok(actionRuns.length >= 4 && artifacts.length >= 16, 'every output path ran');
    const all: Artifact[] = [...artifacts];
    for (const { label, run } of actionRuns) all.push(...actionArtifacts(label, run));
    // The manifests themselves hold the Git canaries, in the files and in Git's objects.
    const fixtureFiles = new Set([join(workspace, 'secrets', 'secrets.yaml')]);
    all.push(
      ...filesUnder(
        workspace,
        'workspace',
        (path) => fixtureFiles.has(path) || path.startsWith(join(workspace, '.git')),
      ),
    );
    all.push(...emulatorArtifacts(gh), ...webhookArtifacts(webhook));

    const needles: Needle[] = [
      { name: 'Git stringData canary', value: GIT_STRING_DATA },
      { name: 'Git data canary', value: GIT_DATA },
      { name: 'live stringData canary', value: LIVE_STRING_DATA },
      { name: 'live data canary', value: LIVE_DATA },
      { name: 'added data key canary', value: LIVE_ADDED },
      ...kubeconfigNeedles(kubeconfigContent),
    ];
    // The search itself works: it finds the Git canaries where they belong, in the manifests.
    const manifests = filesUnder(join(workspace, 'secrets'), 'manifests');
    assert.deepEqual([...new Set(findLeaks(manifests, needles).map((leak) => leak.needle))].sort(), [
      'Git data canary (base64)',
      'Git stringData canary',
    ]);
    assertNoLeaks(all, needles, 'the Secrets and the kubeconfig');
  });
});
