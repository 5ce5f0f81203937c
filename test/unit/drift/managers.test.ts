import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fieldsToRemove } from '../../../src/drift/fieldsets.ts';
import {
  DEFAULT_TAKEOVER_MANAGERS,
  isCreationManager,
  takeoverMatcher,
  takeoverPatternProblem,
} from '../../../src/drift/managers.ts';
import type { KubeObject } from '../../../src/model.ts';
import { takeOverManagedFields } from '../../../src/remediate/takeover.ts';

describe('takeoverMatcher', () => {
  it('defaults to kubectl*, before-first-apply and helm', () => {
    assert.deepEqual(DEFAULT_TAKEOVER_MANAGERS, ['kubectl*', 'before-first-apply', 'helm']);
    const matches = takeoverMatcher();
    const table: [string, boolean][] = [
      ['kubectl', true],
      ['kubectl-client-side-apply', true],
      ['kubectl-edit', true],
      ['kubectl.exe', true],
      ['before-first-apply', true],
      ['helm', true],
      ['helm-controller', false],
      ['kustomize-controller', false],
      ['ci-script', false],
      ['terraform', false],
      ['Go-http-client', false],
      ['kube-drift', false],
    ];
    for (const [manager, expected] of table) assert.equal(matches(manager), expected, manager);
  });

  it('matches exact names and * globs, never controllers', () => {
    const matches = takeoverMatcher(['ci-*', 'Terraform', 'my.tool', 'argocd*']);
    assert.equal(matches('ci-script'), true);
    assert.equal(matches('ci-'), true);
    assert.equal(matches('Terraform'), true);
    assert.equal(matches('terraform'), false);
    assert.equal(matches('my.tool'), true);
    assert.equal(matches('myxtool'), false, 'a dot is literal');
    assert.equal(matches('kubectl'), false, 'the setting replaces the defaults');
    assert.equal(matches('argocd-application-controller'), false, 'a controller is never taken over');
    assert.equal(matches('ci-operator'), false, '*-operator is a controller');
  });

  it('refuses patterns that would take over controllers or everything', () => {
    assert.equal(takeoverPatternProblem('helm'), undefined);
    assert.match(takeoverPatternProblem('helm-controller') ?? '', /is a controller/);
    assert.match(takeoverPatternProblem('**') ?? '', /every manager/);
    assert.match(takeoverPatternProblem(' ') ?? '', /empty/);
    assert.match(takeoverPatternProblem('x'.repeat(129)) ?? '', /128/);
  });
});

describe('isCreationManager', () => {
  it('is true for tools that create objects, false for kubectl verbs that record only their change', () => {
    for (const m of [
      'kubectl-create',
      'kubectl-client-side-apply',
      'before-first-apply',
      'helm',
      'ci-script',
    ])
      assert.equal(isCreationManager(m), true, m);
    for (const m of ['kubectl', 'kubectl-edit', 'kubectl-label', 'kubectl-scale', 'kubectl.exe-patch'])
      assert.equal(isCreationManager(m), false, m);
  });
});

/** A ConfigMap `helm install` created (client-side, Update), then a server default Helm co-owns. */
function helmConfigMap(): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: 'settings',
      namespace: 'shop',
      managedFields: [
        {
          manager: 'helm',
          operation: 'Update',
          apiVersion: 'v1',
          time: '2026-01-01T00:00:00Z',
          fieldsType: 'FieldsV1',
          fieldsV1: { 'f:data': { '.': {}, 'f:legacy': {}, 'f:mode': {} } },
        },
        {
          manager: 'terraform',
          operation: 'Apply',
          apiVersion: 'v1',
          time: '2026-01-02T00:00:00Z',
          fieldsType: 'FieldsV1',
          fieldsV1: { 'f:data': { 'f:tf': {} } },
        },
      ],
    },
    data: { legacy: 'yes', mode: 'fast', tf: 'x' },
  };
}

describe('fieldsToRemove with creation entries', () => {
  const git: KubeObject = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'settings', namespace: 'shop' },
    data: { mode: 'fast' },
  };

  it('leaves a creation entry without last-applied to the server check, unless told to count it', () => {
    const live = helmConfigMap();
    assert.deepEqual(fieldsToRemove(live, git), []);
    assert.deepEqual(fieldsToRemove(live, git, undefined, 'kube-drift', { creationUnchecked: true }), [
      '/data/legacy',
    ]);
  });

  it('takes a configured manager over, and never one outside the list', () => {
    const live = helmConfigMap();
    const withTerraform = takeoverMatcher([...DEFAULT_TAKEOVER_MANAGERS, 'terraform']);
    assert.deepEqual(fieldsToRemove(live, git, withTerraform, 'kube-drift', { creationUnchecked: true }), [
      '/data/legacy',
      '/data/tf',
    ]);
    const onlyKubectl = takeoverMatcher(['kubectl*']);
    assert.deepEqual(fieldsToRemove(live, git, onlyKubectl, 'kube-drift', { creationUnchecked: true }), []);
  });
});

describe('takeOverManagedFields with configured managers', () => {
  it('merges helm and the configured manager into one Apply entry, leaving others in place', () => {
    const live = helmConfigMap();
    const entries = takeOverManagedFields(
      live,
      'kube-drift',
      takeoverMatcher([...DEFAULT_TAKEOVER_MANAGERS, 'terraform']),
    );
    assert.deepEqual(entries, [
      {
        manager: 'kube-drift',
        operation: 'Apply',
        apiVersion: 'v1',
        time: '2026-01-02T00:00:00Z',
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:data': { '.': {}, 'f:legacy': {}, 'f:mode': {}, 'f:tf': {} } },
      },
    ]);
    const defaults = takeOverManagedFields(live, 'kube-drift');
    assert.deepEqual(
      defaults?.map((e) => `${e.manager} ${e.operation}`),
      ['kube-drift Apply', 'terraform Apply'],
    );
    assert.equal(takeOverManagedFields(live, 'kube-drift', takeoverMatcher(['kubectl*'])), undefined);
  });
});
