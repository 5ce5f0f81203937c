import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KubeApiError } from '../../../src/kube/errors.ts';
import { RiskReader } from '../../../src/risk/reader.ts';
import { clusterOf, obj } from './support.ts';

describe('the review’s cluster reads', () => {
  it('lists each kind and namespace once, whichever rules ask', async () => {
    const base = clusterOf([obj('Deployment', 'web'), obj('Deployment', 'other', {}, 'elsewhere')]);
    let calls = 0;
    const reader = new RiskReader({
      ...base,
      list: (...args) => {
        calls++;
        return base.list(...args);
      },
    });
    const kind = { group: 'apps', kind: 'Deployment' };
    const [a, b] = await Promise.all([
      reader.for('config-without-rollout').list(kind, 'app'),
      reader.for('availability').list(kind, 'app'),
    ]);
    assert.deepEqual(
      a?.map((o) => o.metadata.name),
      ['web'],
    );
    assert.equal(a, b);
    assert.equal(calls, 1);
    assert.deepEqual(reader.gaps, []);
  });

  it('a forbidden read is a gap for every rule that needed it, once each; a kind not served is empty', async () => {
    const reader = new RiskReader(clusterOf([], ['apps|Deployment']));
    const kind = { group: 'apps', kind: 'Deployment' };
    assert.equal(await reader.for('config-without-rollout').list(kind, 'app'), undefined);
    assert.equal(await reader.for('config-without-rollout').list(kind, 'app'), undefined);
    assert.equal(await reader.for('availability').list(kind, 'app'), undefined);
    assert.deepEqual(await reader.for('exposure').list({ group: 'example.com', kind: 'Nothing' }, 'app'), []);
    const reason =
      'could not list deployments.apps in namespace app: forbidden (grant list on it to the credentials kube-drift uses)';
    assert.deepEqual(reader.gaps, [
      { rule: 'config-without-rollout', reason },
      { rule: 'availability', reason },
    ]);
  });

  it('any other failed read is a gap too, with the server’s reason', async () => {
    const base = clusterOf([]);
    const reader = new RiskReader({
      ...base,
      list: async () => {
        throw new KubeApiError(500, { reason: 'InternalError' }, 'https://127.0.0.1', {
          verb: 'list',
          subject: 'pods',
        });
      },
    });
    assert.equal(await reader.for('delete-stateful').list({ group: '', kind: 'Pod' }, null), undefined);
    assert.deepEqual(reader.gaps, [
      { rule: 'delete-stateful', reason: 'could not list pods cluster-wide: InternalError (HTTP 500)' },
    ]);
  });
});
