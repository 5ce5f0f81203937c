import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { takeoverMatcher } from '../../../src/drift/managers.ts';
import type { KubeObject, ManagedFieldsEntry } from '../../../src/model.ts';
import { mergeFieldsV1, takeOverManagedFields, takeoverPatch } from '../../../src/remediate/takeover.ts';

const T = '2024-05-01T10:00:00Z';
const LATER = '2024-05-02T10:00:00Z';

function deployment(managedFields: ManagedFieldsEntry[]): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'a', resourceVersion: '42', managedFields },
  };
}

const own: ManagedFieldsEntry = {
  manager: 'kube-drift',
  operation: 'Apply',
  apiVersion: 'apps/v1',
  time: T,
  fieldsType: 'FieldsV1',
  fieldsV1: { 'f:spec': { 'f:replicas': {} } },
};
const controller: ManagedFieldsEntry = {
  manager: 'kube-controller-manager',
  operation: 'Update',
  apiVersion: 'apps/v1',
  time: T,
  fieldsType: 'FieldsV1',
  subresource: 'status',
  fieldsV1: { 'f:status': { 'f:replicas': {} } },
};
const label: ManagedFieldsEntry = {
  manager: 'kubectl-label',
  operation: 'Update',
  apiVersion: 'apps/v1',
  time: LATER,
  fieldsType: 'FieldsV1',
  fieldsV1: { 'f:metadata': { 'f:labels': { 'f:extra': {} } } },
};
const setEnv: ManagedFieldsEntry = {
  manager: 'kubectl-set',
  operation: 'Update',
  apiVersion: 'apps/v1',
  time: T,
  fieldsType: 'FieldsV1',
  fieldsV1: {
    'f:spec': {
      'f:template': {
        'f:spec': {
          'f:containers': {
            'k:{"name":"web"}': {
              'f:env': { '.': {}, 'k:{"name":"X"}': { '.': {}, 'f:name': {}, 'f:value': {} } },
            },
          },
        },
      },
    },
  },
};

describe('mergeFieldsV1', () => {
  it('is the union of both sets', () => {
    assert.deepEqual(mergeFieldsV1({ 'f:a': { 'f:b': {} } }, { 'f:a': { '.': {}, 'f:c': {} }, 'f:d': {} }), {
      'f:a': { 'f:b': {}, '.': {}, 'f:c': {} },
      'f:d': {},
    });
  });
  it('does not share structure with its inputs', () => {
    const a = { 'f:a': { 'f:b': {} } };
    const merged = mergeFieldsV1(a, undefined);
    merged['f:a']['f:x'] = {};
    assert.deepEqual(a, { 'f:a': { 'f:b': {} } });
  });
});

describe('takeOverManagedFields', () => {
  it('returns undefined when no manual manager owns anything', () => {
    assert.equal(takeOverManagedFields(deployment([own, controller]), 'kube-drift'), undefined);
    assert.equal(takeoverPatch(deployment([own, controller]), 'kube-drift'), undefined);
  });

  it("merges manual entries into kube-drift's Apply entry, in its place, and leaves controllers alone", () => {
    const result = takeOverManagedFields(deployment([own, controller, label, setEnv]), 'kube-drift');
    assert.deepEqual(result, [
      {
        manager: 'kube-drift',
        operation: 'Apply',
        apiVersion: 'apps/v1',
        time: LATER,
        fieldsType: 'FieldsV1',
        fieldsV1: mergeFieldsV1(mergeFieldsV1(own.fieldsV1, label.fieldsV1), setEnv.fieldsV1),
      },
      controller,
    ]);
  });

  it('renames a manual entry when kube-drift has none yet', () => {
    const result = takeOverManagedFields(deployment([label, controller]), 'kube-drift');
    assert.deepEqual(result, [{ ...label, manager: 'kube-drift', operation: 'Apply' }, controller]);
  });

  it('takes kubectl apply (Apply), client-side apply, before-first-apply and scale, never status', () => {
    const entries: ManagedFieldsEntry[] = [
      {
        manager: 'kubectl',
        operation: 'Apply',
        apiVersion: 'apps/v1',
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:spec': { 'f:paused': {} } },
      },
      {
        manager: 'kubectl-client-side-apply',
        operation: 'Update',
        apiVersion: 'apps/v1',
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:spec': { 'f:minReadySeconds': {} } },
      },
      {
        manager: 'before-first-apply',
        operation: 'Update',
        apiVersion: 'apps/v1',
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:metadata': { 'f:labels': {} } },
      },
      {
        manager: 'kubectl-scale',
        operation: 'Update',
        apiVersion: 'apps/v1',
        fieldsType: 'FieldsV1',
        subresource: 'scale',
        fieldsV1: { 'f:spec': { 'f:replicas': {} } },
      },
      {
        manager: 'kubectl-edit',
        operation: 'Update',
        apiVersion: 'apps/v1',
        fieldsType: 'FieldsV1',
        subresource: 'status',
        fieldsV1: { 'f:status': {} },
      },
      {
        manager: 'terraform',
        operation: 'Update',
        apiVersion: 'apps/v1',
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:spec': { 'f:strategy': {} } },
      },
    ];
    const result = takeOverManagedFields(deployment(entries), 'kube-drift')!;
    assert.deepEqual(
      result.map((e) => `${e.manager}/${e.operation}/${e.subresource ?? ''}`),
      ['kube-drift/Apply/', 'kubectl-edit/Update/status', 'terraform/Update/'],
    );
    assert.deepEqual(result[0].fieldsV1, {
      'f:spec': { 'f:paused': {}, 'f:minReadySeconds': {}, 'f:replicas': {} },
      'f:metadata': { 'f:labels': {} },
    });
  });

  it('keeps one entry per apiVersion', () => {
    const v1beta = { ...label, apiVersion: 'apps/v1beta2' };
    const result = takeOverManagedFields(deployment([own, v1beta]), 'kube-drift')!;
    assert.deepEqual(
      result.map((e) => `${e.manager} ${e.apiVersion}`),
      ['kube-drift apps/v1', 'kube-drift apps/v1beta2'],
    );
  });

  it('guards the patch with the live resourceVersion', () => {
    const patch = takeoverPatch(deployment([label]), 'kube-drift')!;
    assert.deepEqual(patch[0], { op: 'test', path: '/metadata/resourceVersion', value: '42' });
    assert.equal(patch[1].op, 'replace');
    assert.equal(patch[1].path, '/metadata/managedFields');
  });
});

describe('which managed-field entries a takeover hands to kube-drift', () => {
  const cases: {
    manager: string;
    operation?: 'Update' | 'Apply';
    subresource?: string;
    patterns?: string[];
    taken: boolean;
  }[] = [
    { manager: 'kubectl-edit', taken: true },
    { manager: 'kubectl-client-side-apply', taken: true },
    { manager: 'kubectl', operation: 'Apply', taken: true },
    { manager: 'before-first-apply', taken: true },
    { manager: 'helm', taken: true },
    { manager: 'kubectl-scale', subresource: 'scale', taken: true },
    { manager: 'kubectl-edit', subresource: 'status', taken: false },
    { manager: 'kube-controller-manager', taken: false },
    { manager: 'kube-controller-manager', patterns: ['*'], taken: false },
    { manager: 'terraform', taken: false },
    { manager: 'terraform', patterns: ['terraform'], taken: true },
    { manager: 'kubectl-edit', patterns: ['helm'], taken: false },
    { manager: 'kube-drift', taken: false },
  ];
  for (const c of cases) {
    const how = `${c.operation ?? 'Update'}${c.subresource ? ` of ${c.subresource}` : ''}`;
    const patterns = c.patterns ? ` (take-over managers ${c.patterns.join(',')})` : '';
    it(`${c.manager}, ${how}${patterns}: ${c.taken ? 'taken over' : 'left alone'}`, () => {
      const entry: ManagedFieldsEntry = {
        manager: c.manager,
        operation: c.operation ?? 'Update',
        apiVersion: 'apps/v1',
        time: T,
        fieldsType: 'FieldsV1',
        ...(c.subresource ? { subresource: c.subresource } : {}),
        fieldsV1: { 'f:spec': { 'f:paused': {} } },
      };
      const after = takeOverManagedFields(
        deployment([own, entry]),
        'kube-drift',
        c.patterns ? takeoverMatcher(c.patterns) : undefined,
      );
      if (!c.taken) return assert.equal(after, undefined);
      assert.deepEqual(after, [{ ...own, fieldsV1: { 'f:spec': { 'f:replicas': {}, 'f:paused': {} } } }]);
    });
  }
});
