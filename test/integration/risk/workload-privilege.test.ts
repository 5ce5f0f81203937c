// workload-privilege against the local control plane: a live Deployment that gains a privileged
// container and a hostPath volume is flagged; one that already ran privileged is not.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { kubectlOk } from '../../support/cluster.ts';
import { deploymentYaml, findings, type RiskRepo, riskRepo } from './support.ts';

const privileged = 'securityContext:\n  privileged: true';
const hostPath = 'volumes:\n  - name: host\n    hostPath: {path: /var/log}';

describe('workload-privilege', { timeout: 120_000 }, () => {
  let repo: RiskRepo;
  before(async () => {
    repo = await riskRepo('privilege');
    const live = [
      deploymentYaml(repo.ns, 'plain'),
      deploymentYaml(repo.ns, 'agent', { container: privileged, podSpec: hostPath }),
    ].join('---\n');
    await kubectlOk(['apply', '--server-side', '-f', '-'], { input: live });
  });
  after(() => repo?.cleanup());

  it('fires when a container gains privileged and the pod a hostPath volume, where live had neither', async () => {
    repo.write({
      'plain.yaml': deploymentYaml(repo.ns, 'plain', { container: privileged, podSpec: hostPath }),
    });
    assert.deepEqual(findings(await repo.review(), 'workload-privilege'), [
      `danger Deployment/${repo.ns}/plain: gains hostPath volume /var/log; privileged container app`,
    ]);
  });

  it('does not fire when live already had them', async () => {
    repo.write({
      'agent.yaml': deploymentYaml(repo.ns, 'agent', {
        container: privileged,
        podSpec: hostPath,
        image: 'registry.local/app:2',
      }),
    });
    assert.deepEqual(findings(await repo.review(), 'workload-privilege'), []);
  });
});
