// image-change against the local control plane: one info finding per container whose image changes,
// with the images table row; none when the image stays.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { kubectlOk } from '../../support/cluster.ts';
import { deploymentYaml, type RiskRepo, riskRepo } from './support.ts';

describe('image-change', { timeout: 120_000 }, () => {
  let repo: RiskRepo;
  before(async () => {
    repo = await riskRepo('images');
    await kubectlOk(['apply', '--server-side', '-f', '-'], {
      input: deploymentYaml(repo.ns, 'web', { image: 'registry.local/web@sha256:' + 'a'.repeat(64) }),
    });
  });
  after(() => repo?.cleanup());

  it('fires for an image that changes, from → to (and availability notes it left its digest)', async () => {
    repo.write({ 'web.yaml': deploymentYaml(repo.ns, 'web', { image: 'registry.local/web:1.4' }) });
    const review = await repo.review();
    const from = `registry.local/web@sha256:${'a'.repeat(64)}`;
    assert.deepEqual(
      review.findings.map((f) => [f.rule, f.severity, f.subject, f.message, f.image]),
      [
        [
          'availability',
          'warning',
          `Deployment/${repo.ns}/web`,
          `container app: image moves from a digest to a tag (${from} → registry.local/web:1.4)`,
          undefined,
        ],
        [
          'image-change',
          'info',
          `Deployment/${repo.ns}/web`,
          `container app: image ${from} → registry.local/web:1.4`,
          { container: 'app', from, to: 'registry.local/web:1.4' },
        ],
      ],
    );
  });

  it('no review at all with risk-review off', async () => {
    repo.write({ 'web.yaml': deploymentYaml(repo.ns, 'web', { image: 'registry.local/web:1.4' }) });
    const changeSet = await repo.changeSet({ 'risk-review': 'false' });
    assert.equal(changeSet.entries.find((e) => e.ref.name === 'web')?.action, 'configured');
    assert.equal(changeSet.risks, undefined);
  });

  it('does not fire when the image stays', async () => {
    repo.write({
      'web.yaml': deploymentYaml(repo.ns, 'web', {
        image: 'registry.local/web@sha256:' + 'a'.repeat(64),
        replicas: 2,
      }),
    });
    assert.deepEqual(
      (await repo.review()).findings.filter((f) => f.rule === 'image-change'),
      [],
    );
  });
});
