// The risk review in a fleet run of the action (bundled fresh from src/) on a pull request: two
// targets see the same PR change (a container made privileged), one judged with
// `fail-on-risk: danger`, the other with none, and `fail-on-drift: false` for both. The roll-up
// comment gives each target its own Review, counts the target that failed the risk review, and
// the step fails for it alone, naming it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { kubeconfigPath, type TestNamespace } from '../support/cluster.ts';
import { type GitHubEmulator, startGitHubEmulator } from '../support/github-emulator.ts';
import { OWNER, pullRequestEvent, REPO, runAction } from './support/action.ts';
import { freshBundle } from './support/bundle.ts';
import {
  APP_FIXTURE,
  APP_PATH,
  appNamespace,
  logsOf,
  privilegedHead,
  uniqueTarget,
} from './support/scenario.ts';
import { gitWorkspace, type Workspace } from './support/workspace.ts';

const PR = 41;

function config(targets: string[], namespaces: string[]): string {
  return `defaults:
  paths: [${APP_PATH}]
  kubeconfig: { file: ${kubeconfigPath()} }
targets:
  - name: ${targets[0]}
    namespace: ${namespaces[0]}
    fail-on-risk: none
  - name: ${targets[1]}
    namespace: ${namespaces[1]}
    fail-on-risk: danger
`;
}

describe('a fleet on a pull request: each target its own Review, the risk verdict per target', () => {
  let lenient: TestNamespace;
  let strict: TestNamespace;
  let gh: GitHubEmulator;
  let ws: Workspace;
  let head: string;
  const targets = [uniqueTarget('e2e-riskfleet-a'), uniqueTarget('e2e-riskfleet-b')];

  before(async () => {
    lenient = await appNamespace('e2e-riskfleet-a');
    strict = await appNamespace('e2e-riskfleet-b');
    ws = gitWorkspace([{ from: APP_FIXTURE, as: APP_PATH }], {
      'kube-drift.yaml': config(targets, [lenient.name, strict.name]),
    });
    head = privilegedHead(ws);
    gh = await startGitHubEmulator({
      tokenKind: 'installation',
      pullRequests: [{ owner: OWNER, repo: REPO, number: PR }],
    });
  });
  after(async () => {
    await gh?.close();
    await lenient?.cleanup();
    await strict?.cleanup();
  });

  it('puts a Review in each section, and fails the step for the strict target only', async () => {
    const run = await runAction({
      event: pullRequestEvent('opened', PR, { head, base: ws.baseSha }),
      apiUrl: gh.url,
      token: gh.token,
      workspace: ws.dir,
      inputs: { config: 'kube-drift.yaml', 'fail-on-drift': 'false' },
      bundle: freshBundle().action,
    });
    const logs = logsOf(run);
    assert.equal(run.code, 1, logs);
    assert.ok(
      run.stdout
        .split('\n')
        .includes(`::error::kube-drift: risk review failed in 1 target(s): ${targets[1]} (fail-on-risk).`),
      logs,
    );

    const comments = gh.state.comments.filter((c) => c.issueNumber === PR);
    assert.equal(comments.length, 1, logs);
    const body = comments[0].body;
    assert.ok(body.includes('**2 targets: ⛔ 1 failed the risk review · ⚠️ 2 with drift**'), body);
    const sections = targets.map((t) => body.indexOf(`## kube-drift: ${t}\n`));
    assert.ok(sections[0] > 0 && sections[1] > sections[0], body);
    const section = [body.slice(sections[0], sections[1]), body.slice(sections[1])];
    for (const [i, text] of section.entries()) {
      const namespace = [lenient.name, strict.name][i];
      const review = text.indexOf('### Review: 1 danger\n');
      assert.ok(review > 0, `${targets[i]} has its Review:\n${text}`);
      assert.ok(text.includes(`\`workload-privilege\` \`Deployment/${namespace}/web\``), text);
      assert.ok(review < text.indexOf('| Objects'), text);
    }
    assert.equal(section[0].includes('Risk review failed'), false, section[0]);
    assert.ok(
      section[1].includes(
        '**⛔ Risk review failed: 1 risk finding at or above danger (fail-on-risk: danger)**',
      ),
      section[1],
    );

    const conclusions = targets.map(
      (t) => gh.state.checkRuns.filter((r) => r.name === `kube-drift / ${t}`).at(-1)?.conclusion,
    );
    assert.notEqual(conclusions[0], 'failure', logs);
    assert.equal(conclusions[1], 'failure', logs);
  });
});
