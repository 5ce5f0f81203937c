import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KubeApiError } from '../../../src/kube/errors.ts';
import { consumerReadsAhead } from '../../../src/risk/config.ts';
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

  it('a read started ahead is the rule’s answer, and its failure a gap only once a rule asks', async () => {
    const base = clusterOf([obj('Deployment', 'web')], ['|Pod']);
    const listed: string[] = [];
    const reader = new RiskReader({
      ...base,
      list: (info, version, namespace) => {
        listed.push(`${info.resource} ${namespace}`);
        return base.list(info, version, namespace);
      },
    });
    reader.prefetch({ group: 'apps', kind: 'Deployment' }, 'app');
    reader.prefetch({ group: '', kind: 'Pod' }, 'app');
    reader.prefetch({ group: 'example.com', kind: 'Nothing' }, 'app');
    assert.deepEqual(listed, ['deployments app', 'pods app']);
    const deployments = await reader
      .for('config-without-rollout')
      .list({ group: 'apps', kind: 'Deployment' }, 'app');
    assert.deepEqual(
      deployments?.map((o) => o.metadata.name),
      ['web'],
    );
    assert.equal(listed.length, 2);
    // The forbidden Pod list was read ahead, but no rule asked for it.
    assert.deepEqual(reader.gaps, []);
    assert.equal(
      await reader.for('config-without-rollout').list({ group: '', kind: 'Pod' }, 'app'),
      undefined,
    );
    assert.equal(listed.length, 2);
    const after: { rule: string }[] = reader.gaps;
    assert.deepEqual(
      after.map((g) => g.rule),
      ['config-without-rollout'],
    );
  });

  it('reads ahead a namespace’s consumers for a ConfigMap or Secret going to its dry-run, once, in at most six namespaces', () => {
    const asked: string[] = [];
    const ahead = consumerReadsAhead({
      prefetch: (kind, namespace) => asked.push(`${namespace} ${kind.kind}`),
    });
    ahead({ group: '', kind: 'ConfigMap', namespace: 'a' });
    ahead({ group: '', kind: 'Secret', namespace: 'a' });
    ahead({ group: 'apps', kind: 'Deployment', namespace: 'b' });
    ahead({ group: 'example.com', kind: 'ConfigMap', namespace: 'b' });
    ahead({ group: '', kind: 'ConfigMap', namespace: null });
    for (const namespace of ['c', 'd', 'e', 'f', 'g', 'h']) ahead({ group: '', kind: 'Secret', namespace });
    assert.deepEqual([...new Set(asked.map((a) => a.split(' ')[0]))], ['a', 'c', 'd', 'e', 'f', 'g']);
    assert.deepEqual(
      asked.filter((a) => a.startsWith('a ')),
      ['a Deployment', 'a StatefulSet', 'a DaemonSet', 'a Job', 'a CronJob', 'a Pod'],
    );
  });
});
