// The risk review in the action, bundled fresh from src/, end to end on pull requests, with
// `fail-on-risk: danger` and `fail-on-drift: false` so the risk verdict alone decides: a change
// that makes a container privileged, and one that prunes a CRD holding three custom resources.
// What a reviewer sees is checked: the check run fails and says why, the finding is a
// failure-level annotation on the manifest line, the PR comment opens with the Review section,
// and the step fails with the reason in its log.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { kubectl, kubectlOk, type TestNamespace } from '../support/cluster.ts';
import { type GitHubEmulator, startGitHubEmulator } from '../support/github-emulator.ts';
import { type ActionEvent, OWNER, pullRequestEvent, pushEvent, REPO } from './support/action.ts';
import { freshBundle } from './support/bundle.ts';
import {
  APP_FILE,
  APP_FIXTURE,
  APP_PATH,
  appNamespace,
  appWorkspace,
  lineOf,
  logsOf,
  privilegedHead,
  runAppAction,
  uniqueTarget,
} from './support/scenario.ts';
import { commitAll, gitWorkspace, type Workspace } from './support/workspace.ts';

const PR = 31;
const DEPLOYMENT_LINE = lineOf('apiVersion: apps/v1');

/** The action built from src/ now (not the committed dist/), with the app's inputs. */
function runFreshAction(
  gh: GitHubEmulator,
  ws: Workspace,
  event: ActionEvent,
  namespace: string,
  target: string,
  inputs: Record<string, string>,
) {
  return runAppAction(gh, ws, event, namespace, target, inputs, freshBundle().action);
}

describe('pull request: a danger finding fails the check run with fail-on-risk danger', () => {
  let namespace: TestNamespace;
  let gh: GitHubEmulator;
  let ws: Workspace;
  let head: string;
  const target = uniqueTarget('e2e-risk');

  before(async () => {
    ws = appWorkspace();
    head = privilegedHead(ws);
    namespace = await appNamespace('e2e-risk');
    gh = await startGitHubEmulator({
      tokenKind: 'installation',
      pullRequests: [{ owner: OWNER, repo: REPO, number: PR }],
    });
  });
  after(async () => {
    await gh?.close();
    await namespace?.cleanup();
  });

  it('fails the check and the step for the finding, annotates the line, and opens the comment with the Review', async () => {
    const run = await runFreshAction(
      gh,
      ws,
      pullRequestEvent('opened', PR, { head, base: ws.baseSha }),
      namespace.name,
      target,
      { 'fail-on-risk': 'danger', 'fail-on-drift': 'false' },
    );
    const logs = logsOf(run);
    const subject = `Deployment/${namespace.name}/web`;
    const reason = 'failed: 1 risk finding at or above danger (fail-on-risk: danger)';
    assert.equal(run.code, 1, logs);
    assert.ok(
      run.stdout
        .split('\n')
        .includes(
          `::error::kube-drift: risk review of target ${target} failed: 1 risk finding at or above danger (fail-on-risk: danger).`,
        ),
      logs,
    );
    assert.equal(run.stdout.includes('::error::kube-drift: drift'), false, 'drift alone does not fail it');

    const runs = gh.state.checkRuns.filter((r) => r.name === `kube-drift / ${target}`);
    assert.equal(runs.length, 1, logs);
    const [check] = runs;
    assert.equal(check.head_sha, head);
    assert.equal(check.conclusion, 'failure');
    assert.ok(check.output.title?.endsWith(`; risk review ${reason}`), String(check.output.title));
    const summary = check.output.summary ?? '';
    assert.ok(summary.includes('### Review: 1 danger'), summary);
    const risk = check.annotations.filter((a) => a.title?.startsWith('Risk '));
    assert.deepEqual(
      risk.map((a) => [a.path, a.start_line, a.annotation_level, a.title, a.message]),
      [
        [
          APP_FILE,
          DEPLOYMENT_LINE,
          'failure',
          `Risk workload-privilege (danger): ${subject}`,
          'gains privileged container web (this PR)',
        ],
      ],
      JSON.stringify(check.annotations),
    );

    const comments = gh.state.comments.filter((c) => c.repo === `${OWNER}/${REPO}` && c.issueNumber === PR);
    assert.equal(comments.length, 1, logs);
    const body = comments[0].body;
    const review = body.indexOf('### Review: 1 danger');
    assert.ok(review > 0, body);
    assert.ok(body.includes(`**⛔ Risk review ${reason}**`), body);
    assert.ok(
      body.includes(
        `### Review: 1 danger\n\n- 🔴 **danger** \`workload-privilege\` \`${subject}\` · [\`${APP_FILE}:${DEPLOYMENT_LINE}\`](https://github.com/${OWNER}/${REPO}/blob/${head}/${APP_FILE}#L${DEPLOYMENT_LINE}): gains privileged container web _(this PR)_\n`,
      ),
      body,
    );
    assert.ok(run.summary.includes('### Review: 1 danger'), run.summary);
    for (const later of ['| Objects', '### Changes in this PR'])
      assert.ok(body.indexOf(later) > review, `the Review comes before "${later}":\n${body}`);
  });

  it('passes the step with fail-on-risk none: the same finding is reported, the check is not failed for it', async () => {
    const run = await runFreshAction(
      gh,
      ws,
      pullRequestEvent('synchronize', PR, { head, base: ws.baseSha }),
      namespace.name,
      target,
      { 'fail-on-risk': 'none', 'fail-on-drift': 'false' },
    );
    const logs = logsOf(run);
    assert.equal(run.code, 0, logs);
    assert.equal(run.stdout.includes('::error::'), false, logs);
    const check = gh.state.checkRuns.filter((r) => r.name === `kube-drift / ${target}`).at(-1);
    assert.notEqual(check?.conclusion, 'failure', logs);
    assert.equal(check?.output.title?.includes('risk review'), false, String(check?.output.title));
    const comments = gh.state.comments.filter((c) => c.repo === `${OWNER}/${REPO}` && c.issueNumber === PR);
    assert.equal(comments.length, 1, 'the same comment, updated');
    assert.ok(comments[0].body.includes('### Review: 1 danger'), comments[0].body);
    assert.equal(comments[0].body.includes('Risk review failed'), false, comments[0].body);
  });
});

describe('pull request: pruning a CRD with custom resources fails the check with fail-on-risk danger', () => {
  const group = `e2e-${randomBytes(3).toString('hex')}.example.com`;
  const crdName = `gadgets.${group}`;
  const crd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: ${crdName}
spec:
  group: ${group}
  scope: Namespaced
  names: {kind: Gadget, plural: gadgets, singular: gadget, listKind: GadgetList}
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
`;
  let namespace: TestNamespace;
  let gh: GitHubEmulator;
  let ws: Workspace;
  const target = uniqueTarget('e2e-crd');

  before(async () => {
    ws = gitWorkspace([{ from: APP_FIXTURE, as: APP_PATH }], { [`${APP_PATH}/crd.yaml`]: crd });
    namespace = await appNamespace('e2e-crd');
    gh = await startGitHubEmulator({
      tokenKind: 'installation',
      pullRequests: [{ owner: OWNER, repo: REPO, number: PR }],
    });
  });
  after(async () => {
    await gh?.close();
    await kubectl(['delete', 'crd', crdName, '--ignore-not-found', '--wait=false']);
    await namespace?.cleanup();
  });

  it('names the three custom resources that go with the CRD, and fails the check for it', async () => {
    // The default branch applied with prune: the CRD is in the target's inventory.
    const applied = await runFreshAction(gh, ws, pushEvent(ws.headSha), namespace.name, target, {
      remediate: 'true',
      prune: 'true',
    });
    assert.equal(applied.code, 0, logsOf(applied));
    await kubectlOk(['wait', '--for=condition=established', `crd/${crdName}`, '--timeout=60s']);
    const gadgets = ['g1', 'g2', 'g3']
      .map(
        (n) =>
          `apiVersion: ${group}/v1\nkind: Gadget\nmetadata:\n  name: ${n}\n  namespace: ${namespace.name}\n`,
      )
      .join('---\n');
    await kubectlOk(['apply', '--server-side', '-f', '-'], { input: gadgets });

    rmSync(join(ws.dir, APP_PATH, 'crd.yaml'));
    const head = commitAll(ws.dir, 'drop the gadgets CRD');
    const run = await runFreshAction(
      gh,
      ws,
      pullRequestEvent('opened', PR, { head, base: ws.headSha }),
      namespace.name,
      target,
      { prune: 'true', 'fail-on-risk': 'danger', 'fail-on-drift': 'false' },
    );
    const logs = logsOf(run);
    assert.equal(run.code, 1, logs);
    const reason = 'failed: 1 risk finding at or above danger (fail-on-risk: danger)';
    const finding = `prune deletes this CustomResourceDefinition and with it the 3 Gadget objects in the cluster`;
    const check = gh.state.checkRuns.filter((r) => r.name === `kube-drift / ${target}`).at(-1);
    assert.equal(check?.head_sha, head);
    assert.equal(check?.conclusion, 'failure', logs);
    assert.ok(check?.output.title?.endsWith(`; risk review ${reason}`), String(check?.output.title));
    assert.ok(check?.output.summary?.includes(finding), check?.output.summary ?? '');

    const comments = gh.state.comments.filter((c) => c.repo === `${OWNER}/${REPO}` && c.issueNumber === PR);
    assert.equal(comments.length, 1, logs);
    const body = comments[0].body;
    assert.ok(
      body.includes(
        `### Review: 1 danger\n\n- 🔴 **danger** \`delete-stateful\` \`CustomResourceDefinition/${crdName}\`: ${finding}`,
      ),
      body,
    );
    assert.ok(body.indexOf('### Review: ') < body.indexOf('| Objects'), body);
    assert.equal(
      Number(
        await kubectlOk(['get', 'gadgets.' + group, '-n', namespace.name, '-o', 'name']).then(
          (t) => t.trim().split('\n').length,
        ),
      ),
      3,
      'a preview deletes nothing',
    );
  });
});
