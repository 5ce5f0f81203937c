// availability against the local control plane: a PodDisruptionBudget that the live replicas cannot
// satisfy, replicas to 0 and a readiness probe removed are flagged; a budget they satisfy is not.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { kubectlOk } from '../../support/cluster.ts';
import { deploymentYaml, findings, type RiskRepo, riskRepo } from './support.ts';

const budget = (ns: string, minAvailable: number) => `apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: web
  namespace: ${ns}
spec:
  minAvailable: ${minAvailable}
  selector:
    matchLabels: {app: web}
`;
const probe = 'readinessProbe:\n  httpGet: {path: /ready, port: 8080}';

describe('availability', { timeout: 120_000 }, () => {
  let repo: RiskRepo;
  before(async () => {
    repo = await riskRepo('availability');
    const live = [
      deploymentYaml(repo.ns, 'web', { replicas: 2 }),
      deploymentYaml(repo.ns, 'api', { replicas: 3, container: probe }),
    ].join('---\n');
    await kubectlOk(['apply', '--server-side', '-f', '-'], { input: live });
  });
  after(() => repo?.cleanup());

  it('fires for a budget the live replicas cannot satisfy, replicas to 0, and a readiness probe removed', async () => {
    repo.write({
      'pdb.yaml': budget(repo.ns, 2),
      'api.yaml': deploymentYaml(repo.ns, 'api', { replicas: 0 }),
    });
    assert.deepEqual(findings(await repo.review(), 'availability'), [
      `warning Deployment/${repo.ns}/api: readiness probe removed from container app: its Pods count as ready before they are`,
      `warning Deployment/${repo.ns}/api: scales to 0 replicas (from 3): it stops serving`,
      `warning PodDisruptionBudget/${repo.ns}/web: minAvailable 2 allows no eviction with the 2 live replicas it selects (Deployment/web runs 2): node drains and evictions block`,
    ]);
  });

  it('does not fire for a budget the live replicas satisfy, nor for a scale that keeps the probe', async () => {
    repo.write({
      'pdb.yaml': budget(repo.ns, 1),
      'api.yaml': deploymentYaml(repo.ns, 'api', { replicas: 2, container: probe }),
    });
    assert.deepEqual(findings(await repo.review(), 'availability'), []);
  });
});
