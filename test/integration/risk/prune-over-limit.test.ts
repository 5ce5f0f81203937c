// prune-over-limit against the local control plane: more deletions than max-deletions is flagged
// (remediation would refuse to prune); at the limit, or with prune off, it is not.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { findings, type RiskRepo, riskRepo } from './support.ts';

const configMap = (ns: string, name: string) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: ${ns}\ndata:\n  a: "1"\n`;

describe('prune-over-limit', { timeout: 120_000 }, () => {
  let repo: RiskRepo;
  before(async () => {
    repo = await riskRepo('limit');
    repo.write(Object.fromEntries(['keep', 'a', 'b', 'c'].map((n) => [`${n}.yaml`, configMap(repo.ns, n)])));
    await repo.apply({ prune: 'true' });
    repo.write({ 'keep.yaml': configMap(repo.ns, 'keep') });
  });
  after(() => repo?.cleanup());

  it('fires when prune would delete more than max-deletions', async () => {
    assert.deepEqual(
      findings(await repo.review({ prune: 'true', 'max-deletions': '2' }), 'prune-over-limit'),
      [
        `warning target/${repo.target}: prune would delete 3 objects, more than max-deletions (2): remediation refuses to prune any of them; raise max-deletions if this is intended`,
      ],
    );
  });

  it('does not fire at the limit, nor with prune off', async () => {
    assert.deepEqual(
      findings(await repo.review({ prune: 'true', 'max-deletions': '3' }), 'prune-over-limit'),
      [],
    );
    assert.deepEqual(
      findings(await repo.review({ prune: 'false', 'max-deletions': '2' }), 'prune-over-limit'),
      [],
    );
  });
});
