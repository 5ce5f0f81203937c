// immutable-field against the local control plane: a Deployment whose selector changes is refused by
// the dry-run (found from the server's answer), and predicted from the known table in client mode.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { kubectlOk, waitFor } from '../../support/cluster.ts';
import { deploymentYaml, findings, type RiskRepo, riskRepo } from './support.ts';

const withSelector = (ns: string, label: string, image = 'registry.local/app:1') =>
  deploymentYaml(ns, 'web', { image, replicas: 2 }).replaceAll('app: web', `app: ${label}`);

describe('immutable-field', { timeout: 120_000 }, () => {
  let repo: RiskRepo;
  before(async () => {
    repo = await riskRepo('immutable');
    await kubectlOk(['apply', '--server-side', '-f', '-'], { input: withSelector(repo.ns, 'web') });
    await waitFor(
      async () =>
        (await kubectlOk(['get', 'deployment/web', '-n', repo.ns, '-o', 'jsonpath={.status.replicas}'])) ===
        '2',
      60_000,
      'Deployment web to have 2 Pods',
    );
  });
  after(() => repo?.cleanup());

  it('fires from the dry-run refusal when the selector changes, with what recreating costs', async () => {
    repo.write({ 'web.yaml': withSelector(repo.ns, 'web-v2') });
    const review = await repo.review({}, { allowErrors: true });
    assert.deepEqual(findings(review, 'immutable-field'), [
      `danger Deployment/${repo.ns}/web: immutable field spec.selector changes, so the apply is refused; remediation recreates it only with force, which deletes and restarts its 2 Pods`,
    ]);
  });

  it('fires when a Service is made headless, which the server refuses in other words', async () => {
    const service = (clusterIP?: string) =>
      `apiVersion: v1\nkind: Service\nmetadata:\n  name: api\n  namespace: ${repo.ns}\nspec:\n${clusterIP ? `  clusterIP: ${clusterIP}\n` : ''}  ports: [{port: 80}]\n`;
    await kubectlOk(['apply', '--server-side', '-f', '-'], { input: service() });
    const ip = await kubectlOk(['-n', repo.ns, 'get', 'service/api', '-o', 'jsonpath={.spec.clusterIP}']);
    repo.write({ 'web.yaml': withSelector(repo.ns, 'web'), 'api.yaml': service('None') });
    assert.deepEqual(findings(await repo.review({}, { allowErrors: true }), 'immutable-field'), [
      `danger Service/${repo.ns}/api: immutable field spec.clusterIPs[0] changes, so the apply is refused; remediation cannot recreate it, even with force (the server does not call the field immutable): delete it by hand, which gives it a new clusterIP (now ${ip}), or keep the live value in Git`,
    ]);
  });

  it('predicts it in client mode, where no dry-run runs, and says so', async () => {
    repo.write({ 'web.yaml': withSelector(repo.ns, 'web-v2') });
    const review = await repo.review({ 'diff-mode': 'client' });
    const found = review.findings.filter((f) => f.rule === 'immutable-field');
    assert.deepEqual(
      found.map((f) => [f.severity, f.message, f.predicted]),
      [
        [
          'danger',
          'immutable field spec.selector.matchLabels.app changes (predicted: no dry-run ran), so the apply would be refused; remediation recreates it only with force, which deletes and restarts its 2 Pods',
          true,
        ],
      ],
    );
  });

  it('does not fire when only the image changes', async () => {
    repo.write({ 'web.yaml': withSelector(repo.ns, 'web', 'registry.local/app:2') });
    assert.deepEqual(findings(await repo.review(), 'immutable-field'), []);
    assert.deepEqual(findings(await repo.review({ 'diff-mode': 'client' }), 'immutable-field'), []);
  });
});
