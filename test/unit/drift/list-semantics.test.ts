// List semantics read from OpenAPI v3 schemas, and every consumer matching list elements by
// key with them: the field diff (keyed paths), attribution, client-mode merging, three-way classing.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diffObjects } from '../../../src/drift/field-diff.ts';
import { attributeChanges } from '../../../src/drift/fieldsets.ts';
import {
  BUILTIN_LIST_SEMANTICS,
  type ListSemantics,
  schemaListSemantics,
} from '../../../src/drift/list-semantics.ts';
import type { Plan } from '../../../src/drift/plan.ts';
import { mergeOver } from '../../../src/drift/predict.ts';
import { classifyChanges } from '../../../src/drift/threeway.ts';
import type { OpenApiDocument } from '../../../src/kube/openapi.ts';
import type { KubeObject } from '../../../src/model.ts';
import { refOf } from '../../../src/model.ts';

// Shaped as kube-apiserver 1.35 publishes a CRD's group-version at /openapi/v3/apis/<group>/<version>.
const ROUTES: OpenApiDocument = {
  components: {
    schemas: {
      'dev.kube-drift.test.v1.Route': {
        type: 'object',
        'x-kubernetes-group-version-kind': [{ group: 'test.kube-drift.dev', version: 'v1', kind: 'Route' }],
        properties: {
          metadata: {
            allOf: [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' }],
          },
          spec: {
            type: 'object',
            properties: {
              backends: {
                type: 'array',
                'x-kubernetes-list-type': 'map',
                'x-kubernetes-list-map-keys': ['host', 'port'],
                items: {
                  type: 'object',
                  properties: {
                    host: { type: 'string' },
                    port: { type: 'integer' },
                    headers: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } },
                    steps: { type: 'array', items: { type: 'string' } },
                  },
                },
              },
              byZone: {
                type: 'object',
                additionalProperties: {
                  type: 'array',
                  'x-kubernetes-list-type': 'map',
                  'x-kubernetes-list-map-keys': ['name'],
                  items: { type: 'object' },
                },
              },
            },
          },
        },
      },
      'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta': {
        type: 'object',
        properties: {
          finalizers: {
            type: 'array',
            items: { type: 'string' },
            'x-kubernetes-patch-strategy': 'merge',
          },
          ownerReferences: {
            type: 'array',
            items: { type: 'object' },
            'x-kubernetes-patch-merge-key': 'uid',
            'x-kubernetes-patch-strategy': 'merge',
          },
        },
      },
    },
  },
};

const API_VERSION = 'test.kube-drift.dev/v1';
const lists: ListSemantics = schemaListSemantics(new Map([[API_VERSION, ROUTES]]));

function route(backends: unknown[], extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: API_VERSION,
    kind: 'Route',
    metadata: { name: 'web', namespace: 'apps', ...extra },
    spec: { backends },
  };
}

describe('list semantics from OpenAPI schemas', () => {
  const cases: [string, string[], unknown][] = [
    ['map keys of a CRD list', ['spec', 'backends'], { type: 'map', keys: ['host', 'port'] }],
    ['a set inside list items', ['spec', 'backends', 'headers'], { type: 'set' }],
    ['a list without list-type is atomic', ['spec', 'backends', 'steps'], { type: 'atomic' }],
    ['lists under a map (additionalProperties)', ['spec', 'byZone', 'eu'], { type: 'map', keys: ['name'] }],
    ['patch strategy merge without key: a set', ['metadata', 'finalizers'], { type: 'set' }],
    ['patch merge key through $ref', ['metadata', 'ownerReferences'], { type: 'map', keys: ['uid'] }],
    ['a field the schema lacks falls back to the table', ['spec', 'other'], { type: 'atomic' }],
  ];
  for (const [name, fields, expected] of cases)
    it(name, () => assert.deepEqual(lists.listType(API_VERSION, 'Route', fields), expected));

  it('kinds without a fetched schema use the built-in table', () => {
    assert.deepEqual(lists.listType('apps/v1', 'Deployment', ['spec', 'template', 'spec', 'containers']), {
      type: 'map',
      keys: ['name'],
    });
    assert.deepEqual(lists.listType(API_VERSION, 'Other', ['spec', 'backends']), { type: 'atomic' });
  });
});

describe('the field diff matches list elements by key', () => {
  const a = { host: 'a', port: 80 };
  const b = { host: 'b', port: 80, steps: ['x'] };

  it('an element inserted at the top is one change, with a keyed path', () => {
    const changes = diffObjects(route([a, b]), route([{ host: 'new', port: 81 }, a, b]), '', lists);
    assert.deepEqual(changes, [
      { path: '/spec/backends/0', keyedPath: 'spec.backends[new,81]', after: { host: 'new', port: 81 } },
    ]);
  });

  it('the same insert compares by index without semantics (one change per later element)', () => {
    assert.equal(diffObjects(route([a, b]), route([{ host: 'new', port: 81 }, a, b])).length, 5);
  });

  it('changed fields of a matched element carry the live index and the key', () => {
    const changes = diffObjects(route([a, b]), route([{ ...b, steps: ['y'] }, a]), '', lists);
    assert.deepEqual(changes, [
      {
        path: '/spec/backends/1/steps/0',
        keyedPath: 'spec.backends[b,80].steps[0]',
        before: 'x',
        after: 'y',
      },
    ]);
  });

  it('a removed element and a reordered list', () => {
    assert.deepEqual(diffObjects(route([a, b]), route([b]), '', lists), [
      { path: '/spec/backends/0', keyedPath: 'spec.backends[a,80]', before: a },
    ]);
    assert.deepEqual(diffObjects(route([a, b]), route([b, a]), '', lists), [
      { path: '/spec/backends', keyedPath: 'spec.backends', before: [a, b], after: [b, a] },
    ]);
  });

  it('an element whose key changed in place is compared field by field', () => {
    const changes = diffObjects(route([a, b]), route([{ host: 'c', port: 80 }, b]), '', lists);
    assert.deepEqual(changes, [
      { path: '/spec/backends/0/host', keyedPath: 'spec.backends[a,80].host', before: 'a', after: 'c' },
    ]);
  });

  it('names that are not plain words are quoted; sets are keyed by value', () => {
    const before = route([], { annotations: { 'example.com/owner': 'a' }, finalizers: ['x.io/hold'] });
    const after = route([], {
      annotations: { 'example.com/owner': 'b' },
      finalizers: ['y.io/keep', 'x.io/hold'],
    });
    assert.deepEqual(diffObjects(before, after, '', lists), [
      {
        path: '/metadata/annotations/example.com~1owner',
        keyedPath: 'metadata.annotations["example.com/owner"]',
        before: 'a',
        after: 'b',
      },
      { path: '/metadata/finalizers/0', keyedPath: 'metadata.finalizers[y.io/keep]', after: 'y.io/keep' },
    ]);
  });

  it('built-in kinds: an env var inserted at the top is one change, attributed to whoever wrote it', () => {
    const env = [
      { name: 'A', value: '1' },
      { name: 'B', value: '2' },
    ];
    const deployment = (vars: unknown[], managedFields?: unknown): KubeObject => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', ...(managedFields ? { managedFields } : {}) } as KubeObject['metadata'],
      spec: { template: { spec: { containers: [{ name: 'web', env: vars }] } } },
    });
    const container = (names: string[]) => ({
      'k:{"name":"web"}': {
        'f:env': Object.fromEntries(
          names.map((n) => [`k:{"name":"${n}"}`, { '.': {}, 'f:name': {}, 'f:value': {} }]),
        ),
      },
    });
    const fields = (names: string[]) => ({
      'f:spec': { 'f:template': { 'f:spec': { 'f:containers': container(names) } } },
    });
    const live = deployment(
      [{ name: 'HOTFIX', value: 'on' }, ...env],
      [
        {
          manager: 'kube-drift',
          operation: 'Apply',
          time: '2026-01-01T00:00:00Z',
          fieldsV1: fields(['A', 'B']),
        },
        {
          manager: 'kubectl-edit',
          operation: 'Update',
          time: '2026-01-02T00:00:00Z',
          fieldsV1: fields(['HOTFIX']),
        },
      ],
    );
    const changes = attributeChanges(
      live,
      diffObjects(
        deployment([{ name: 'HOTFIX', value: 'on' }, ...env]),
        deployment(env),
        '',
        BUILTIN_LIST_SEMANTICS,
      ),
    );
    assert.equal(changes.length, 1);
    assert.equal(changes[0].path, '/spec/template/spec/containers/0/env/0');
    assert.equal(changes[0].keyedPath, 'spec.template.spec.containers[web].env[HOTFIX]');
    assert.equal(changes[0].changedBy?.manager, 'kubectl-edit');
  });
});

describe('consumers share the semantics', () => {
  it('client-mode merging keeps a CRD element by key, replaces atomic lists whole', () => {
    const live = route([
      { host: 'a', port: 80, steps: ['x'] },
      { host: 'hand', port: 1 },
    ]);
    const git = route([{ host: 'a', port: 80, steps: ['y'] }]);
    const merged = mergeOver(live, git, {
      apiVersion: API_VERSION,
      kind: 'Route',
      lists,
      fields: [],
      pointer: '',
    });
    assert.deepEqual((merged as KubeObject).spec, {
      backends: [
        { host: 'a', port: 80, steps: ['y'] },
        { host: 'hand', port: 1 },
      ],
    });
    const withoutSchema = mergeOver(live, git, {
      apiVersion: API_VERSION,
      kind: 'Route',
      fields: [],
      pointer: '',
    });
    assert.deepEqual((withoutSchema as KubeObject).spec, git.spec);
  });

  it('three-way classing finds a keyed element listed in another order in the manifests', () => {
    const base = route([
      { host: 'b', port: 80 },
      { host: 'a', port: 80, steps: ['x'] },
    ]);
    const head = route([
      { host: 'b', port: 80 },
      { host: 'a', port: 80, steps: ['y'] },
    ]);
    const live = {
      ...route([
        { host: 'a', port: 80, steps: ['x'] },
        { host: 'b', port: 80 },
      ]),
    };
    const change = {
      path: '/spec/backends/0/steps/0',
      keyedPath: 'spec.backends[a,80].steps[0]',
      before: 'x',
      after: 'y',
    };
    const ref = { ...refOf(head), namespace: 'apps' };
    const entry = { ref, action: 'configured' as const, changes: [change], diff: '' };
    const plan: Plan = {
      changeSet: { target: 't', entries: [entry], errors: [] },
      objects: [
        {
          desired: { object: head, source: { file: 'r.yaml', line: 1 } },
          ref,
          entry,
          applyObject: head,
          live,
          manualFields: [],
        },
      ],
      deletions: [],
      listSemantics: lists,
    };
    const classed = classifyChanges(plan, [{ object: base, source: { file: 'r.yaml', line: 1 } }], {
      defaultNamespace: 'apps',
    });
    assert.equal(classed.entries[0].changes[0].class, 'pr');
    // By index, base's element 0 is another backend: the field would look like drift.
    const byIndex = classifyChanges(
      { ...plan, listSemantics: undefined },
      [{ object: base, source: { file: 'r.yaml', line: 1 } }],
      { defaultNamespace: 'apps' },
    );
    assert.equal(byIndex.entries[0].changes[0].class, 'drift');
  });
});
