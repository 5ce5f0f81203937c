import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DependencyCycleError, orderByDependsOn } from '../../../src/render/flux/order.ts';
import { composeValues, releaseNameOf, setAtPath } from '../../../src/render/flux/values.ts';

test('orders by dependsOn, stable otherwise, ignoring unknown dependencies', () => {
  const nodes = [
    { id: 'flux-system/apps', dependsOn: ['flux-system/infra'] },
    { id: 'flux-system/infra', dependsOn: ['flux-system/crds', 'elsewhere/unknown'] },
    { id: 'flux-system/crds', dependsOn: [] },
    { id: 'flux-system/monitoring', dependsOn: [] },
  ];
  assert.deepEqual(
    orderByDependsOn(nodes).map((node) => node.id),
    ['flux-system/crds', 'flux-system/monitoring', 'flux-system/infra', 'flux-system/apps'],
  );
});

test('a dependsOn cycle is an error naming the cycle', () => {
  const nodes = [
    { id: 'ns/a', dependsOn: ['ns/b'] },
    { id: 'ns/b', dependsOn: ['ns/c'] },
    { id: 'ns/c', dependsOn: ['ns/a'] },
    { id: 'ns/d', dependsOn: [] },
  ];
  assert.throws(
    () => orderByDependsOn(nodes),
    (error: unknown) =>
      error instanceof DependencyCycleError && error.message === 'dependsOn cycle: ns/a → ns/b → ns/c → ns/a',
  );
  assert.throws(() => orderByDependsOn([{ id: 'ns/self', dependsOn: ['ns/self'] }]), /ns\/self → ns\/self/);
});

test('values: valuesFrom in order, targetPath as --set, inline values last', () => {
  const data: Record<string, Record<string, string>> = {
    'ConfigMap/base': { 'values.yaml': 'image:\n  tag: "1.0"\n  pull: Always\nlist: [1, 2]\n' },
    'Secret/creds': { password: 's3cret', replicas: '3', enabled: 'true' },
  };
  const values = composeValues(
    [
      { kind: 'ConfigMap', name: 'base' },
      { kind: 'Secret', name: 'creds', valuesKey: 'password', targetPath: 'auth.password' },
      { kind: 'Secret', name: 'creds', valuesKey: 'replicas', targetPath: 'replicaCount' },
      { kind: 'Secret', name: 'creds', valuesKey: 'enabled', targetPath: 'servers[1].enabled' },
      { kind: 'ConfigMap', name: 'absent', optional: true },
      { kind: 'Secret', name: 'creds', valuesKey: 'absent-key', optional: true },
    ],
    { image: { tag: '2.0' }, list: [3] },
    (kind, name) => data[`${kind}/${name}`],
  );
  assert.deepEqual(values, {
    image: { tag: '2.0', pull: 'Always' },
    list: [3],
    auth: { password: 's3cret' },
    replicaCount: 3,
    servers: [null, { enabled: true }],
  });
  assert.throws(
    () => composeValues([{ kind: 'ConfigMap', name: 'absent' }], {}, () => undefined),
    /ConfigMap 'absent'/,
  );
  assert.deepEqual(setAtPath({}, 'a\\.b.c', 'x'), { 'a.b': { c: 'x' } });
});

test('release names as helm-controller: releaseName, else [targetNamespace-]name, shortened to 53', () => {
  assert.equal(releaseNameOf({ name: 'podinfo' }), 'podinfo');
  assert.equal(releaseNameOf({ name: 'podinfo', targetNamespace: 'apps' }), 'apps-podinfo');
  assert.equal(releaseNameOf({ name: 'podinfo', targetNamespace: 'apps', releaseName: 'web' }), 'web');
  const long = releaseNameOf({ name: 'a'.repeat(40), targetNamespace: 'b'.repeat(20) });
  assert.equal(long.length, 53);
  assert.match(long, /^b{20}-a{19}-[0-9a-f]{12}$/);
});

test('valuesFrom literal (Flux 2.9): the value verbatim at targetPath, not read as a number or boolean', () => {
  const data = { 'app.yml': 'port: 8080\nlist: [a, b]', flag: 'true', count: '3' };
  const lookup = () => data;
  const values = composeValues(
    [
      { kind: 'ConfigMap', name: 'c', valuesKey: 'app.yml', targetPath: 'config.app\\.yml', literal: true },
      { kind: 'ConfigMap', name: 'c', valuesKey: 'flag', targetPath: 'literal.flag', literal: true },
      { kind: 'ConfigMap', name: 'c', valuesKey: 'count', targetPath: 'literal.count', literal: true },
      { kind: 'ConfigMap', name: 'c', valuesKey: 'flag', targetPath: 'typed.flag' },
      { kind: 'ConfigMap', name: 'c', valuesKey: 'count', targetPath: 'typed.count' },
    ],
    undefined,
    lookup,
  );
  assert.deepEqual(values, {
    config: { 'app.yml': 'port: 8080\nlist: [a, b]' },
    literal: { flag: 'true', count: '3' },
    typed: { flag: true, count: 3 },
  });
});
