import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { noteGroups } from '../../../src/engine.ts';
import { Discovery } from '../../../src/kube/discovery.ts';
import { helmApiVersions } from '../../../src/kube/helm-cluster.ts';
import { isReadablePath } from '../../../src/kube/read-proxy.ts';
import type { ChangeSet, ChangeSetEntry } from '../../../src/model.ts';
import { capabilityArgs, HelmRenderContext, helmEnvironment } from '../../../src/render/helm-run.ts';
import { parseSettings } from '../../../src/settings.ts';

describe('helm capabilities', () => {
  it('lists group/version and group/version/Kind as helm discovery does, core without a group', () => {
    const discovery = new Discovery();
    for (const [group, kind, versions] of [
      ['', 'Pod', ['v1']],
      ['apps', 'Deployment', ['v1']],
      ['example.dev', 'Widget', ['v1', 'v1beta1']],
    ] as const)
      discovery.add({ group, kind, resource: 'x', namespaced: true, versions: [...versions], verbs: [] });
    assert.deepEqual(helmApiVersions(discovery), [
      'apps/v1',
      'apps/v1/Deployment',
      'example.dev/v1',
      'example.dev/v1/Widget',
      'example.dev/v1beta1',
      'example.dev/v1beta1/Widget',
      'v1',
      'v1/Pod',
    ]);
  });

  it('passes them as --kube-version and one comma-separated --api-versions', () => {
    assert.deepEqual(capabilityArgs({ kubeVersion: 'v1.35.4', apiVersions: ['v1', 'apps/v1'] }), [
      '--kube-version',
      'v1.35.4',
      '--api-versions',
      'v1,apps/v1',
    ]);
  });
});

describe('helm environment', () => {
  it('holds nothing that points helm at a cluster', () => {
    const env = helmEnvironment({
      PATH: '/bin',
      HOME: '/home/u',
      KUBECONFIG: '/home/u/.kube/config',
      HELM_KUBETOKEN: 't',
      HELM_KUBEAPISERVER: 'https://x',
      KUBERNETES_SERVICE_HOST: '10.0.0.1',
      KUBERNETES_SERVICE_PORT: '443',
      HELM_CACHE_HOME: '/c',
    });
    assert.deepEqual(env, { PATH: '/bin', HOME: '/home/u', HELM_CACHE_HOME: '/c' });
  });

  it('warns once for charts rendered without a cluster', () => {
    const ctx = new HelmRenderContext();
    assert.equal(ctx.offlineWarning(), undefined);
    ctx.charts = 2;
    assert.match(ctx.offlineWarning() ?? '', /^2 Helm chart\(s\) rendered without the cluster/);
  });
});

describe('group notes', () => {
  const entry = (kind: string, name: string, action: ChangeSetEntry['action'], group = 'HelmRelease a/b') =>
    ({
      ref: { group: kind === 'Deployment' ? 'apps' : '', version: 'v1', kind, namespace: 'a', name },
      action,
      group,
      changes: [],
      diff: '',
    }) as ChangeSetEntry;
  const notes = new Map([['HelmRelease a/b', 'hidden']]);

  it('go on the drifted Secrets of the group', () => {
    const set: ChangeSet = {
      target: 't',
      errors: [],
      entries: [
        entry('Deployment', 'd', 'configured'),
        entry('Secret', 's', 'configured'),
        entry('Secret', 'other', 'configured', 'elsewhere'),
      ],
    };
    noteGroups(set, notes);
    assert.deepEqual(
      set.entries.map((e) => e.note),
      [undefined, 'hidden', undefined],
    );
  });

  it('else on the first drifted object, else on the first object, once', () => {
    const drifted: ChangeSet = {
      target: 't',
      errors: [],
      entries: [entry('ConfigMap', 'c', 'unchanged'), entry('ConfigMap', 'd', 'created')],
    };
    noteGroups(drifted, notes);
    assert.deepEqual(
      drifted.entries.map((e) => e.note),
      [undefined, 'hidden'],
    );
    const clean: ChangeSet = {
      target: 't',
      errors: [],
      entries: [entry('ConfigMap', 'c', 'unchanged'), entry('ConfigMap', 'd', 'unchanged')],
    };
    noteGroups(clean, notes);
    assert.deepEqual(
      clean.entries.map((e) => e.note),
      ['hidden', undefined],
    );
  });
});

describe('trusted', () => {
  const parse = (raw: Record<string, string>, eventName: string) =>
    parseSettings('diff', raw, { repoRoot: '/repo', isAction: true, eventName }).trusted;
  it('is off on pull request runs and when set to false', () => {
    assert.equal(parse({}, 'push'), true);
    assert.equal(parse({}, 'schedule'), true);
    assert.equal(parse({}, 'pull_request'), false);
    assert.equal(parse({}, 'pull_request_target'), false);
    assert.equal(parse({ trusted: 'false' }, 'push'), false);
  });
  it('cannot be forced on', () => {
    assert.throws(
      () => parse({ trusted: 'true' }, 'pull_request'),
      /input "trusted" must be one of auto, false/,
    );
  });
});

describe('paths the lookup endpoint serves', () => {
  it('discovery, OpenAPI, version, objects and lists', () => {
    for (const path of [
      '/version',
      '/api',
      '/api/v1',
      '/apis',
      '/apis/apps',
      '/apis/apps/v1',
      '/openapi/v2',
      '/openapi/v3/apis/apps/v1',
      '/api/v1/namespaces',
      '/api/v1/namespaces/default',
      '/api/v1/secrets',
      '/api/v1/namespaces/default/secrets',
      '/api/v1/namespaces/default/secrets/x',
      '/apis/apps/v1/namespaces/default/deployments/web',
      '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/x.example.dev',
    ])
      assert.equal(isReadablePath(path), true, path);
  });

  it('nothing else: subresources (logs, proxies), health and metrics', () => {
    for (const path of [
      '/',
      '/healthz',
      '/metrics',
      '/logs/kube-apiserver.log',
      '/api/v1/namespaces/default/pods/web/log',
      '/api/v1/namespaces/default/services/web:80/proxy/admin',
      '/api/v1/nodes/node-1/proxy/configz',
      '/apis/apps/v1/namespaces/default/deployments/web/scale',
      '/apiss/x',
    ])
      assert.equal(isReadablePath(path), false, path);
  });
});
