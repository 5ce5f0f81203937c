// The bundled action with a fleet config on a pull_request event, against the control plane and
// the GitHub emulator: three targets (two namespaces standing in for clusters, one server
// nobody answers at) give one PR comment and three check runs; the config is the base
// commit's, though the pull request changed it. Then the action's `summarize` of the three
// JSON reports posts the same comment (timestamps aside), with no cluster access.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { targetMarker } from '../../src/github/markers.ts';
import { FLEET_MARKER } from '../../src/github/publish-fleet.ts';
import { kubeconfigPath, type TestNamespace } from '../support/cluster.ts';
import { type GitHubEmulator, startGitHubEmulator } from '../support/github-emulator.ts';
import { OWNER, pullRequestEvent, REPO, runAction } from './support/action.ts';
import { freshBundle } from './support/bundle.ts';
import { APP_FIXTURE, APP_PATH, appNamespace, logsOf, scale, uniqueTarget } from './support/scenario.ts';
import { gitWorkspace, type Workspace } from './support/workspace.ts';

const PR = 21;
const ROLL_UP_PR = 22;
const PARTIAL_PR = 23;
const GONE_ENV = 'KD_E2E_FLEET_GONE';
const UNREACHABLE = [
  'apiVersion: v1',
  'kind: Config',
  'clusters: [{ name: gone, cluster: { server: "https://127.0.0.1:1", insecure-skip-tls-verify: true } }]',
  'users: [{ name: gone, user: { token: fleet-e2e-token-0123456789 } }]',
  'contexts: [{ name: gone, context: { cluster: gone, user: gone } }]',
  'current-context: gone',
  '',
].join('\n');

function config(targets: string[], namespaces: string[], env: string): string {
  return `defaults:
  paths: [${APP_PATH}]
  kubeconfig: { file: ${kubeconfigPath()} }
targets:
  - name: ${targets[0]}
    namespace: ${namespaces[0]}
  - name: ${targets[1]}
    namespace: ${namespaces[1]}
  - name: ${targets[2]}
    kubeconfig: { env: ${env} }
`;
}

function timeless(text: string): string {
  return text.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, '<time>');
}

describe('a fleet on a pull request: one comment, one check run per target, and its roll-up', () => {
  let synced: TestNamespace;
  let drifted: TestNamespace;
  let gh: GitHubEmulator;
  let ws: Workspace;
  const targets = [uniqueTarget('e2e-fleet-a'), uniqueTarget('e2e-fleet-b'), uniqueTarget('e2e-fleet-gone')];
  let reportFiles: string[] = [];

  before(async () => {
    synced = await appNamespace('e2e-fleet-a');
    drifted = await appNamespace('e2e-fleet-b');
    await scale(drifted.name, 4);
    const namespaces = [synced.name, drifted.name];
    ws = gitWorkspace([{ from: APP_FIXTURE, as: APP_PATH }], {
      'kube-drift.yaml': config(targets, namespaces, GONE_ENV),
    });
    // The pull request points the third target at another variable: the base's config decides.
    writeFileSync(join(ws.dir, 'kube-drift.yaml'), config(targets, namespaces, 'KD_E2E_FLEET_PR_CHOICE'));
    gh = await startGitHubEmulator({
      tokenKind: 'installation',
      pullRequests: [
        { owner: OWNER, repo: REPO, number: PR },
        { owner: OWNER, repo: REPO, number: ROLL_UP_PR },
        { owner: OWNER, repo: REPO, number: PARTIAL_PR },
      ],
    });
  });
  after(async () => {
    await gh?.close();
    await synced?.cleanup();
    await drifted?.cleanup();
  });

  it('posts one comment with a section per target not in sync, and three check runs', async () => {
    const run = await runAction({
      event: pullRequestEvent('opened', PR, { head: ws.headSha, base: ws.baseSha }),
      apiUrl: gh.url,
      token: gh.token,
      workspace: ws.dir,
      inputs: { config: 'kube-drift.yaml' },
      env: {
        [GONE_ENV]: UNREACHABLE,
        KD_E2E_FLEET_PR_CHOICE: 'not a kubeconfig',
        // The unreachable server is retried within this budget (a minute by default).
        KUBE_DRIFT_RETRY_BUDGET_MS: '3000',
      },
      bundle: freshBundle().action,
    });
    const logs = logsOf(run);
    assert.equal(run.code, 2, logs);
    assert.equal(run.outputs['exit-code'], '2');
    // Printed only to tell the runner to mask it: the kubeconfig from the environment is a secret.
    const leaks = `${run.stdout}\n${run.stderr}`
      .split('\n')
      .filter((line) => line.includes('fleet-e2e-token-0123456789'));
    assert.ok(leaks.includes('::add-mask::fleet-e2e-token-0123456789'), leaks.join('\n'));
    assert.ok(
      leaks.every((line) => line.startsWith('::add-mask::')),
      leaks.join('\n'),
    );

    const comments = gh.state.comments.filter((c) => c.issueNumber === PR);
    assert.equal(comments.length, 1, logs);
    const body = comments[0].body;
    assert.ok(body.includes(targetMarker(FLEET_MARKER)), body);
    assert.ok(body.includes('**3 targets: ❌ 1 with errors · ⚠️ 1 with drift · ✅ 1 in sync**'), body);
    assert.ok(body.includes(`- ✅ **${targets[0]}**: In sync`), body);
    assert.ok(body.includes(`## kube-drift: ${targets[1]}`) && body.includes('spec.replicas'), body);
    assert.match(
      body.slice(body.indexOf(`## kube-drift: ${targets[2]}`)),
      /### Errors \(1\)\n\n- .*127\.0\.0\.1:1/,
    );
    assert.ok(
      body.includes("This pull request changes kube-drift.yaml; the base commit's config was used"),
      body,
    );

    const checks = targets.map((t) => gh.state.checkRuns.filter((c) => c.name === `kube-drift / ${t}`));
    assert.deepEqual(
      checks.map((runs) => runs.map((c) => [c.status, c.conclusion, c.head_sha])),
      [
        [['completed', 'success', ws.headSha]],
        [['completed', 'failure', ws.headSha]],
        [['completed', 'failure', ws.headSha]],
      ],
      logs,
    );
    assert.ok(run.summary.includes('## kube-drift: 3 targets'), run.summary);
    reportFiles = run.outputs['report-json'].split('\n');
    assert.equal(reportFiles.length, 3);
  });

  it('summarize of the three reports posts the same comment, with no cluster access', async () => {
    mkdirSync(join(ws.dir, 'reports'), { recursive: true });
    for (const file of reportFiles) copyFileSync(file, join(ws.dir, 'reports', file.split('/').at(-1)!));
    const run = await runAction({
      event: pullRequestEvent('opened', ROLL_UP_PR, { head: ws.headSha, base: ws.baseSha }),
      apiUrl: gh.url,
      token: gh.token,
      workspace: ws.dir,
      inputs: { config: 'kube-drift.yaml', summarize: 'reports/*.json' },
      bundle: freshBundle().action,
    });
    assert.equal(run.code, 2, logsOf(run));
    const [fromRun] = gh.state.comments.filter((c) => c.issueNumber === PR);
    const rolledUp = gh.state.comments.filter((c) => c.issueNumber === ROLL_UP_PR);
    assert.equal(rolledUp.length, 1, logsOf(run));
    assert.equal(timeless(rolledUp[0].body), timeless(fromRun.body));
    assert.equal(gh.state.checkRuns.length, 3, 'the roll-up posts no check runs of its own');
  });

  it('summarize names a target without a report as its error, and fails its check run', async () => {
    const missing = reportFiles.find((file) => file.includes(targets[1]))!;
    rmSync(join(ws.dir, 'reports', missing.split('/').at(-1)!));
    const run = await runAction({
      event: pullRequestEvent('opened', PARTIAL_PR, { head: ws.headSha, base: ws.baseSha }),
      apiUrl: gh.url,
      token: gh.token,
      workspace: ws.dir,
      inputs: { config: 'kube-drift.yaml', summarize: 'reports/*.json' },
      bundle: freshBundle().action,
    });
    assert.equal(run.code, 2, logsOf(run));
    const [comment] = gh.state.comments.filter((c) => c.issueNumber === PARTIAL_PR);
    assert.ok(comment.body.includes('**3 targets: ❌ 2 with errors · ✅ 1 in sync**'), comment.body);
    assert.ok(comment.body.includes(`- no report for target ${targets[1]}: the job that diffs it left none`));
    const checks = gh.state.checkRuns.filter((c) => c.name === `kube-drift / ${targets[1]}`);
    assert.deepEqual(
      checks.map((c) => c.conclusion),
      ['failure', 'failure'],
      'the missing target’s check run is failed by the roll-up',
    );
    assert.equal(gh.state.checkRuns.length, 4, 'only the missing target gets a check run from the roll-up');
  });
});
