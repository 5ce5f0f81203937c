// The Secret canary for values that do not stay inside their Secret: a password also written
// into a ConfigMap's DSN, an env literal, an annotation, a PEM key pasted into a ConfigMap,
// HelmRelease values and valuesFrom, a Flux substituteFrom, a value set by hand in the cluster
// only, and dry-run errors that quote the object. Every value is new random bytes on each run.
// The action (bundled fresh from src/) runs on a pull request (comment, check run, three-way
// preview, webhook) and on a schedule (drift issue, webhook), the CLI in markdown and JSON;
// then everything that left the processes is searched for each value in every encoding.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { kubeconfigPath, kubectlOk, type TestNamespace, withNamespace } from '../support/cluster.ts';
import { type GitHubEmulator, startGitHubEmulator } from '../support/github-emulator.ts';
import {
  type ActionEvent,
  type ActionRun,
  cleanEnv,
  OWNER,
  pullRequestEvent,
  REPO,
  runAction,
  runProcess,
  scheduleEvent,
} from './support/action.ts';
import { type Bundle, freshBundle } from './support/bundle.ts';
import { canaryCases, type Tree } from './support/canary-cases.ts';
import {
  applyAsKubeDrift,
  applyDrift,
  installFluxCrds,
  quotingAdmissionPolicy,
  renderFluxTree,
} from './support/canary-cluster.ts';
import {
  FLUX_PATH,
  fluxDrift,
  newCanaries,
  PLAIN_PATH,
  plainDrift,
  plainManifests,
  repositoryFiles,
} from './support/canary-repository.ts';
import { type Artifact, assertNoLeaks, filesUnder, findLeaks } from './support/leaks.ts';
import { actionArtifacts, cliArtifacts, emulatorArtifacts, webhookArtifacts } from './support/outputs.ts';
import { logsOf, uniqueTarget } from './support/scenario.ts';
import { startWebhookReceiver, type WebhookReceiver } from './support/webhook-receiver.ts';
import { gitWorkspace, type Workspace } from './support/workspace.ts';

const PR = 47;

interface JsonReport {
  entries: Array<{
    kind: string;
    namespace: string | null;
    name: string;
    action: string;
    changes: Array<{ path: string; class?: string }>;
  }>;
  errors: Array<{ message: string; object?: string }>;
}

interface PrRun {
  run: ActionRun;
  report: JsonReport;
}

/** `::add-mask::` values as @actions/core escapes them, decoded. */
function registeredMasks(stdout: string): string[] {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('::add-mask::'))
    .map((line) =>
      line.slice('::add-mask::'.length).replace(/%0A/g, '\n').replace(/%0D/g, '\r').replace(/%25/g, '%'),
    );
}

describe('Secret values copied into other objects never leave unmasked', { timeout: 900_000 }, () => {
  const canaries = newCanaries();
  const cases = canaryCases(canaries);
  const trees: Record<Tree, { path: string; target: string; exit: number }> = {
    // The plain tree holds two objects whose dry-run fails: errors, exit status 2.
    plain: { path: PLAIN_PATH, target: uniqueTarget('canary-plain'), exit: 2 },
    flux: { path: FLUX_PATH, target: uniqueTarget('canary-flux'), exit: 1 },
  };
  let bundle: Bundle;
  let namespace: TestNamespace;
  let ws: Workspace;
  let gh: GitHubEmulator;
  let webhook: WebhookReceiver;
  let removePolicy: (() => Promise<void>) | undefined;
  const artifacts: Artifact[] = [];
  const prRuns = new Map<Tree, PrRun>();

  before(async () => {
    bundle = freshBundle();
    namespace = await withNamespace('e2e-canary-copies');
    ws = gitWorkspace([], repositoryFiles(namespace.name, canaries));
    await installFluxCrds();
    removePolicy = await quotingAdmissionPolicy(namespace.name);
    await applyAsKubeDrift(plainManifests(namespace.name, canaries).valid);
    await applyAsKubeDrift(await renderFluxTree(ws.dir, FLUX_PATH));
    await applyDrift(namespace.name, [...plainDrift(canaries), ...fluxDrift(canaries)]);
    gh = await startGitHubEmulator({
      tokenKind: 'installation',
      pullRequests: [{ owner: OWNER, repo: REPO, number: PR }],
    });
    webhook = await startWebhookReceiver();
  });

  after(async () => {
    await gh?.close();
    await webhook?.close();
    await removePolicy?.();
    await namespace?.cleanup();
  });

  async function action(
    label: string,
    tree: Tree,
    event: ActionEvent,
    inputs: Record<string, string>,
  ): Promise<{ run: ActionRun; report: JsonReport }> {
    const run = await runAction({
      event,
      apiUrl: gh.url,
      token: gh.token,
      workspace: ws.dir,
      bundle: bundle.action,
      inputs: {
        path: trees[tree].path,
        target: trees[tree].target,
        namespace: namespace.name,
        kubeconfig: kubeconfigPath(),
        'webhook-url': webhook.url,
        ...inputs,
      },
      // Debug logs are an output too.
      env: { ACTIONS_STEP_DEBUG: 'true', RUNNER_DEBUG: '1' },
    });
    artifacts.push(...actionArtifacts(label, run));
    const logs = logsOf(run);
    assert.equal(run.code, trees[tree].exit, logs);
    const report = JSON.parse(readFileSync(run.outputs['report-json'], 'utf8')) as JsonReport;
    return { run, report };
  }

  for (const tree of ['plain', 'flux'] as const) {
    it(`pull request, ${tree} tree: comment, check run with annotations, three-way preview, webhook`, async () => {
      const hooks = webhook.bodies.length;
      const result = await action(
        `PR ${tree}`,
        tree,
        pullRequestEvent('opened', PR, { head: ws.headSha, base: ws.baseSha }),
        {},
      );
      prRuns.set(tree, result);
      assert.ok(
        result.report.entries.some((e) => e.changes.some((change) => change.class === 'drift')),
        'the three-way preview against the base commit classed the changes as drift',
      );
      const target = trees[tree].target;
      assert.ok(
        gh.state.comments.some((c) => c.body.includes(target)),
        `a PR comment for ${target}:\n${logsOf(result.run)}`,
      );
      assert.ok(
        gh.state.checkRuns.some((r) => r.name.includes(target) && r.status === 'completed'),
        `a completed check run for ${target}`,
      );
      assert.ok(webhook.bodies.length > hooks, 'the webhook was called');
    });

    it(`schedule, ${tree} tree: drift issue and webhook`, async () => {
      const hooks = webhook.bodies.length;
      const { run } = await action(`schedule ${tree}`, tree, scheduleEvent(ws.headSha), { issue: 'true' });
      assert.ok(
        gh.state.issues.some((issue) => `${issue.title}\n${issue.body}`.includes(trees[tree].target)),
        `a drift issue for ${trees[tree].target}:\n${logsOf(run)}`,
      );
      assert.ok(webhook.bodies.length > hooks, 'the webhook was called');
    });

    it(`CLI diff, ${tree} tree: markdown --verbose and json --report-file`, async () => {
      const runDir = mkdtempSync(join(tmpdir(), 'kube-drift-e2e-cli-'));
      const reportFile = join(runDir, 'report.json');
      for (const output of [
        ['-o', 'markdown', '--verbose'],
        ['-o', 'json', '--report-file', reportFile],
      ]) {
        const run = await runProcess(
          [
            bundle.cli,
            'diff',
            '-p',
            trees[tree].path,
            '-n',
            namespace.name,
            '--kubeconfig',
            kubeconfigPath(),
            '--target',
            trees[tree].target,
            ...output,
          ],
          { env: { ...cleanEnv(), TMPDIR: runDir }, cwd: ws.dir },
        );
        assert.equal(run.code, trees[tree].exit, `exit ${run.code}\n${run.stdout}\n${run.stderr}`);
        artifacts.push(...cliArtifacts(`diff ${tree} ${output.join(' ')}`, run));
      }
      artifacts.push(...filesUnder(runDir, `CLI ${tree}: files`));
    });
  }

  /** Everything that left the processes, collected when asked: runs, GitHub, webhooks, files left in the checkout. */
  function everything(): Artifact[] {
    const repository = new Set(
      Object.keys(repositoryFiles(namespace.name, canaries)).map((f) => join(ws.dir, f)),
    );
    const leftInCheckout = filesUnder(
      ws.dir,
      'checkout',
      (path) =>
        repository.has(path) || path.startsWith(join(ws.dir, '.git')) || path === join(ws.dir, 'README.md'),
    );
    return [...artifacts, ...emulatorArtifacts(gh), ...webhookArtifacts(webhook), ...leftInCheckout];
  }

  it('the search finds every canary where it belongs: in Git and in the cluster', async () => {
    const belongs = [
      ...filesUnder(ws.dir, 'repository', (path) => path.startsWith(join(ws.dir, '.git'))),
      {
        where: 'the cluster',
        text: await kubectlOk(['get', 'secrets,configmaps', '-n', namespace.name, '-o', 'json']),
      },
    ];
    const missing = cases
      .flatMap((c) => c.needles)
      .filter((needle) => findLeaks(belongs, [needle]).length === 0)
      .map((needle) => needle.name);
    assert.deepEqual(missing, [], 'needles the search cannot find even where they are');
  });

  for (const canaryCase of cases) {
    it(`${canaryCase.title}: appears in no output`, () => {
      const pr: PrRun | undefined = prRuns.get(canaryCase.tree);
      assert.ok(pr, `the pull request run of the ${canaryCase.tree} tree ran`);
      for (const { kind, name, as } of canaryCase.seen) {
        const subject = `${kind}/${namespace.name}/${name}`;
        if (as === 'error') {
          // The API server quoted the value: the case means something only if it did.
          assert.ok(
            pr.report.errors.some((e) => e.object === subject && e.message.includes('***')),
            `the report has an error for ${subject} quoting the value (masked): ${JSON.stringify(pr.report.errors)}`,
          );
        } else {
          const entry: JsonReport['entries'][number] | undefined = pr.report.entries.find(
            (e) => e.kind === kind && e.namespace === namespace.name && e.name === name,
          );
          assert.equal(entry?.action, as, `${subject} is reported ${as}`);
        }
      }
      assertNoLeaks(everything(), canaryCase.needles, canaryCase.title);
    });
  }

  it('every value of a case is registered with the runner’s masking (::add-mask::)', () => {
    const unregistered: string[] = [];
    for (const canaryCase of cases) {
      const pr = prRuns.get(canaryCase.tree);
      assert.ok(pr);
      const masks = registeredMasks(pr.run.stdout);
      for (const needle of canaryCase.needles) {
        // The runner masks a registered value wherever it occurs, so a mask inside the needle hides it.
        const covered = masks.some((m) => m === needle.value || (m.length >= 16 && needle.value.includes(m)));
        if (!covered) unregistered.push(`${canaryCase.title}: ${needle.name}`);
      }
    }
    assert.deepEqual(unregistered, [], 'values GitHub would print unmasked in the log');
  });
});
