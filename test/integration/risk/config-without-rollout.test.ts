// config-without-rollout against the local control plane: a ConfigMap change that live workloads
// consume is flagged, naming them, unless their pod template changes too (a checksum annotation).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { kubectlOk } from '../../support/cluster.ts';
import { configMapsOnlyKubeconfig, deploymentYaml, findings, type RiskRepo, riskRepo } from './support.ts';

const configMap = (ns: string, value: string) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: ${ns}\ndata:\n  mode: "${value}"\n`;
const consumer = (ns: string, checksum?: string) =>
  deploymentYaml(ns, 'web', {
    container: 'envFrom:\n  - configMapRef:\n      name: settings',
    annotations: checksum ? `checksum/config: "${checksum}"` : undefined,
  });
const secretReader = (ns: string) =>
  deploymentYaml(ns, 'worker', {
    container:
      'env:\n  - name: MODE\n    valueFrom:\n      configMapKeyRef:\n        name: settings\n        key: mode',
  });

describe('config-without-rollout', { timeout: 120_000 }, () => {
  let repo: RiskRepo;
  before(async () => {
    repo = await riskRepo('config');
    const live = [configMap(repo.ns, 'a'), consumer(repo.ns, 'a'), secretReader(repo.ns)].join('---\n');
    await kubectlOk(['apply', '--server-side', '-f', '-'], { input: live });
  });
  after(() => repo?.cleanup());

  it('fires when the ConfigMap changes and the live workloads consuming it keep their pod template', async () => {
    repo.write({ 'settings.yaml': configMap(repo.ns, 'b'), 'web.yaml': consumer(repo.ns, 'a') });
    const review = await repo.review();
    assert.deepEqual(findings(review, 'config-without-rollout'), [
      `warning ConfigMap/${repo.ns}/settings: 2 live workloads consume this ConfigMap and their pod templates do not change, so running Pods keep the old values until restarted: Deployment/web, Deployment/worker (add a checksum annotation to the pod template, or restart them)`,
    ]);
    const finding = review.findings.find((f) => f.rule === 'config-without-rollout');
    assert.deepEqual(finding?.source, { file: 'apps/settings.yaml', line: 1 });
    assert.deepEqual(review.unchecked, []);
  });

  it('does not name a workload whose pod template changes with it (a checksum annotation)', async () => {
    repo.write({ 'settings.yaml': configMap(repo.ns, 'b'), 'web.yaml': consumer(repo.ns, 'b') });
    assert.deepEqual(findings(await repo.review(), 'config-without-rollout'), [
      `warning ConfigMap/${repo.ns}/settings: a live workload consumes this ConfigMap and its pod template does not change, so running Pods keep the old values until restarted: Deployment/worker (add a checksum annotation to the pod template, or restart them)`,
    ]);
  });

  it('says it could not check, and why, when the credentials may not list the workloads', async () => {
    const limited = await configMapsOnlyKubeconfig(repo.ns, repo.root);
    repo.write({ 'settings.yaml': configMap(repo.ns, 'b') });
    const review = await repo.review({ kubeconfig: limited.path }).finally(limited.cleanup);
    assert.deepEqual(findings(review, 'config-without-rollout'), []);
    assert.deepEqual(
      review.unchecked.map((g) => `${g.rule}: ${g.reason}`),
      [
        'deployments.apps',
        'statefulsets.apps',
        'daemonsets.apps',
        'jobs.batch',
        'cronjobs.batch',
        'pods',
      ].map(
        (r) =>
          `config-without-rollout: could not list ${r} in namespace ${repo.ns}: forbidden (grant list on it to the credentials kube-drift uses)`,
      ),
    );
  });

  it('does not fire when every consumer rolls out', async () => {
    repo.write({
      'settings.yaml': configMap(repo.ns, 'b'),
      'web.yaml': consumer(repo.ns, 'b'),
      'worker.yaml': deploymentYaml(repo.ns, 'worker', {
        container:
          'env:\n  - name: MODE\n    valueFrom:\n      configMapKeyRef:\n        name: settings\n        key: mode',
        annotations: 'checksum/config: "b"',
      }),
    });
    assert.deepEqual(findings(await repo.review(), 'config-without-rollout'), []);
  });
});
