import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ObjectRef } from '../../../src/model.ts';
import {
  decodeEntry,
  decodeInventory,
  encodeEntry,
  encodeInventory,
  inventoryName,
} from '../../../src/remediate/inventory.ts';
import { leaseHeldByOther, leaseName, microTime } from '../../../src/remediate/lease.ts';

const deployment: ObjectRef = {
  group: 'apps',
  version: 'v1',
  kind: 'Deployment',
  namespace: 'web',
  name: 'api',
};
const namespace: ObjectRef = { group: '', version: 'v1', kind: 'Namespace', namespace: null, name: 'web' };

describe('inventory encoding', () => {
  it('round-trips namespaced and cluster-scoped refs', () => {
    assert.equal(encodeEntry(deployment), 'apps|v1|Deployment|web|api');
    assert.equal(encodeEntry(namespace), '|v1|Namespace||web');
    assert.deepEqual(decodeEntry('apps|v1|Deployment|web|api'), deployment);
    assert.deepEqual(decodeEntry('|v1|Namespace||web'), namespace);
    assert.deepEqual(decodeInventory(encodeInventory([namespace, deployment])), [deployment, namespace]);
  });

  it('keeps one entry per object, sorted', () => {
    const older = { ...deployment, version: 'v1beta2' };
    assert.equal(
      encodeInventory([older, namespace, deployment]),
      '["apps|v1|Deployment|web|api","|v1|Namespace||web"]',
    );
  });

  it('reads nothing from missing or malformed data rather than inventing entries', () => {
    for (const text of [undefined, '', 'not json', '{"a":1}', '["too|few"]', '[1,2]']) {
      assert.deepEqual(decodeInventory(text), [], String(text));
    }
  });

  it('names the ConfigMap and Lease after the target, DNS-safe', () => {
    assert.equal(inventoryName('production'), 'kube-drift-inventory-production');
    assert.equal(inventoryName('Prod/EU West_1'), 'kube-drift-inventory-prod-eu-west-1');
    assert.equal(leaseName('Prod/EU West_1'), 'kube-drift-prod-eu-west-1');
    assert.ok(inventoryName('x'.repeat(400)).length <= 253);
  });
});

describe('lease', () => {
  const now = Date.parse('2024-05-01T10:00:30Z');
  const cases: { name: string; spec: Record<string, unknown> | undefined; held: boolean }[] = [
    { name: 'no lease spec', spec: undefined, held: false },
    { name: 'no holder', spec: { renewTime: '2024-05-01T10:00:20.000000Z' }, held: false },
    {
      name: 'ours',
      spec: { holderIdentity: 'me', renewTime: '2024-05-01T10:00:20.000000Z', leaseDurationSeconds: 60 },
      held: false,
    },
    {
      name: 'another, renewed recently',
      spec: { holderIdentity: 'other', renewTime: '2024-05-01T10:00:20.000000Z', leaseDurationSeconds: 60 },
      held: true,
    },
    {
      name: 'another, expired',
      spec: { holderIdentity: 'other', renewTime: '2024-05-01T09:59:00.000000Z', leaseDurationSeconds: 60 },
      held: false,
    },
  ];
  for (const c of cases) {
    it(c.name, () => assert.equal(leaseHeldByOther(c.spec, 'me', now), c.held));
  }

  it('writes MicroTime with six fractional digits', () => {
    assert.equal(microTime(new Date('2024-05-01T10:00:00.123Z')), '2024-05-01T10:00:00.123000Z');
  });
});
