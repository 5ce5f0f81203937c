// Client mode's prediction (predictClientSide) of an object with real drift merges Git as the
// server stores it (stored-form.ts), so that the fields it reports are the ones a dry-run would:
// each class of noise public projects' manifests showed next to a real change (bench/client-corpus.ts
// --hand-edits), and paired with a change inside the same noise that must still show.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diffObjects } from '../../../src/drift/field-diff.ts';
import { predictClientSide } from '../../../src/drift/predict.ts';
import type { KubeObject } from '../../../src/model.ts';
import {
  admissionPolicy,
  binding,
  claim,
  container,
  deployment,
  env,
  type Loose,
  lists,
  object,
  pod,
  policy,
  probe,
  statefulSet,
  storedClaim,
} from './stored-schemas.ts';

/** The fields client mode reports for Git against live: the prediction against live. */
function reported(git: KubeObject, live: KubeObject): string[] {
  const stored = { ...live, metadata: { ...live.metadata, resourceVersion: '7' } } as KubeObject;
  const { predicted } = predictClientSide(git, stored, 'kube-drift', undefined, lists);
  return diffObjects(stored, predicted, '', lists).map((c) => c.path);
}

const IMAGE = '/spec/template/spec/containers/0/image';
/** Git's container with `extra`, and live's: image app:2 (the hand edit) with `liveExtra`. */
const edited = (extra: Loose, liveExtra: Loose): [KubeObject, KubeObject] => [
  container(extra),
  pod({ containers: [{ name: 'app', image: 'app:2', ...liveExtra }] }),
];
const withImage = (object: KubeObject, image: string): KubeObject => {
  const copy = structuredClone(object) as Loose;
  copy.spec.template.spec.containers[0].image = image;
  return copy;
};

describe('client mode reports the fields a dry-run would', () => {
  const cases: [string, KubeObject, KubeObject, string[]][] = [
    [
      'quantities in another form (cpu 1000m, memory 1024Mi stored as 1 and 1Gi) next to an image',
      ...edited(
        { resources: { limits: { cpu: '1000m', memory: '1024Mi' }, requests: { cpu: 0.5 } } },
        { resources: { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '500m' } } },
      ),
      [IMAGE],
    ],
    [
      'a quantity changed by hand (cpu 1000m in Git, 2 live)',
      ...edited(
        { resources: { limits: { cpu: '1000m' } } },
        { image: 'app:1', resources: { limits: { cpu: '2' } } },
      ),
      ['/spec/template/spec/containers/0/resources/limits/cpu'],
    ],
    [
      'creationTimestamp: null (kubectl create --dry-run -o yaml): the server keeps its own',
      { ...container({}), metadata: { name: 'x', creationTimestamp: null } } as KubeObject,
      withImage(
        {
          ...container({}),
          metadata: { name: 'x', creationTimestamp: '2026-12-02T17:00:00Z' },
        } as KubeObject,
        'app:2',
      ),
      [IMAGE],
    ],
    [
      'empty resource maps the server does not store (resources: {limits: {}, requests: {}})',
      ...edited({ resources: { limits: {}, requests: {} } }, { resources: {} }),
      [IMAGE],
    ],
    [
      'zeros a built-in type does not store (minReadySeconds, hostNetwork, readOnly)',
      deployment({
        minReadySeconds: 0,
        template: {
          spec: {
            hostNetwork: false,
            containers: [
              {
                name: 'app',
                image: 'app:1',
                volumeMounts: [{ name: 'd', mountPath: '/d', readOnly: false }],
              },
            ],
          },
        },
      }),
      withImage(container({ volumeMounts: [{ name: 'd', mountPath: '/d' }] }), 'app:2'),
      [IMAGE],
    ],
    [
      'such a zero against a value set by hand (minReadySeconds 0 in Git, 10 live)',
      deployment({
        minReadySeconds: 0,
        template: { spec: { containers: [{ name: 'app', image: 'app:1' }] } },
      }),
      deployment({
        minReadySeconds: 10,
        template: { spec: { containers: [{ name: 'app', image: 'app:1' }] } },
      }),
      ['/spec/minReadySeconds'],
    ],
    [
      'empty lists and maps the server does not store (supplementalGroups, sysctls, nodeSelector)',
      pod({
        nodeSelector: {},
        securityContext: { runAsNonRoot: true, supplementalGroups: [], sysctls: [] },
        containers: [{ name: 'app', image: 'app:1' }],
      }),
      pod({ securityContext: { runAsNonRoot: true }, containers: [{ name: 'app', image: 'app:2' }] }),
      [IMAGE],
    ],
    [
      'such an empty list against groups added by hand',
      pod({ securityContext: { supplementalGroups: [] }, containers: [{ name: 'app', image: 'app:1' }] }),
      pod({ securityContext: { supplementalGroups: [1000] }, containers: [{ name: 'app', image: 'app:1' }] }),
      ['/spec/template/spec/securityContext/supplementalGroups'],
    ],
    [
      "a default inside an atomic map (a fieldRef's apiVersion) next to an image",
      withImage(env({ fieldRef: { fieldPath: 'metadata.namespace' } }), 'app:1'),
      withImage(env({ fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }), 'app:2'),
      [IMAGE],
    ],
    [
      'that fieldRef pointed at another field by hand: only that field, not the default',
      env({ fieldRef: { fieldPath: 'metadata.namespace' } }),
      env({ fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } }),
      ['/spec/template/spec/containers/0/env/0/valueFrom/fieldRef/fieldPath'],
    ],
    [
      "a NetworkPolicy port's defaulted protocol, the port changed by hand",
      policy({ port: 8080 }),
      policy({ port: 9090, protocol: 'TCP' }),
      ['/spec/ingress/0/ports/0/port'],
    ],
    [
      "a volumeClaimTemplate's defaults and quantity, its size changed by hand",
      statefulSet(claim({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1024Mi' } } })),
      statefulSet(
        storedClaim({
          accessModes: ['ReadWriteOnce'],
          resources: { requests: { storage: '2Gi' } },
          volumeMode: 'Filesystem',
        }),
      ),
      ['/spec/volumeClaimTemplates/0/spec/resources/requests/storage'],
    ],
    [
      "an RBAC subject's defaulted apiGroup, another user by hand",
      binding({ kind: 'User', name: 'jane@example.com' }),
      binding({ kind: 'User', name: 'joe@example.com', apiGroup: 'rbac.authorization.k8s.io' }),
      ['/subjects/0/name'],
    ],
    [
      "a custom resource's published default inside an atomic list, the port changed by hand",
      probe({ port: 'web' }),
      probe({ port: 'metrics', interval: '30s' }),
      ['/spec/endpoints/0/port'],
    ],
    [
      'an atomic map is replaced whole: a selector label added by hand is removed',
      admissionPolicy({ resourceRules: [{ apiGroups: ['apps'] }] }),
      admissionPolicy({
        resourceRules: [{ apiGroups: ['apps'], scope: '*' }],
        matchPolicy: 'Equivalent',
        namespaceSelector: { matchLabels: { team: 'a' } },
        objectSelector: {},
      }),
      ['/spec/matchConstraints/namespaceSelector/matchLabels'],
    ],
    [
      "a custom resource's empty list is a value (no Go slice): still reported",
      object('example.com/v1', 'Probe', { spec: { endpoints: [] } }),
      object('example.com/v1', 'Probe', { spec: {} }),
      ['/spec/endpoints'],
    ],
  ];
  for (const [name, git, live, expected] of cases) {
    it(name, () => assert.deepEqual(reported(git, live), expected));
  }
});
