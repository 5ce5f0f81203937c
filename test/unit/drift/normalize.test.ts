import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  normalizeForDiff,
  OWNER_LABEL,
  OWNER_NAME_LABEL,
  OWNER_PREFIX,
} from '../../../src/drift/normalize.ts';
import { fixture } from './helpers.ts';

test('normalizeForDiff keeps intent and drops server bookkeeping, status and owner labels', () => {
  const live = fixture('deployment-live.yaml');
  live.metadata.ownerReferences = [{ apiVersion: 'v1', kind: 'Foo', name: 'x', uid: 'u' }];
  live.metadata.finalizers = ['example.com/hold'];
  live.metadata.annotations!['kubectl.kubernetes.io/last-applied-configuration'] = '{}';
  const normalized = normalizeForDiff(live);
  assert.deepEqual(normalized.metadata, {
    name: 'web',
    namespace: 'shop',
    labels: { app: 'web', team: 'payments' },
    annotations: { 'deployment.kubernetes.io/revision': '3', note: 'hotfix' },
    finalizers: ['example.com/hold'],
  });
  assert.equal(normalized.status, undefined);
  assert.deepEqual(normalized.spec, live.spec);
  assert.notEqual(normalized.spec, live.spec, 'a deep copy, not the same object');
  assert.equal(OWNER_LABEL.startsWith(OWNER_PREFIX) && OWNER_NAME_LABEL.startsWith(OWNER_PREFIX), true);
});

test('normalizeForDiff removes label and annotation maps left empty', () => {
  const normalized = normalizeForDiff({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: 'c',
      labels: { 'kube-drift.dev/name': 'shop', 'kube-drift.dev/owner': 'kube-drift' },
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' },
      finalizers: [],
    },
    data: { a: '1' },
  });
  assert.deepEqual(normalized, {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'c' },
    data: { a: '1' },
  });
});
