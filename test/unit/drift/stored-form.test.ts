// The in-sync proof compares Git with live as the server stores Git (stored-form.ts): defaults
// the schema publishes or the built-in table holds, zeros and empty lists a built-in type never
// stores, quantities in canonical form. Each class of noise public projects' manifests showed in
// client mode (bench/client-corpus.ts), and next to it an edit the proof must still catch. The
// schemas are shaped and named as kube-apiserver 1.35 publishes them; the integration test
// test/integration/drift/client-noise.test.ts checks the same against the real server.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { differences } from '../../../src/drift/proof.ts';
import type { KubeObject } from '../../../src/model.ts';
import {
  admissionPolicy,
  binding,
  claim,
  container,
  deployment,
  env,
  lists,
  object,
  pod,
  policy,
  probe,
  statefulSet,
  storedClaim,
  webhook,
} from './stored-schemas.ts';

/** What client mode makes of Git against live: in sync, drift (a certain difference), or not verifiable. */
function verdict(git: KubeObject, live: KubeObject): string {
  const found = differences({ applyObject: git, live, fieldManager: 'kube-drift', lists });
  if (found.length === 0) return 'in sync';
  const first = found.find((d) => d.certain) ?? found[0];
  return `${first.certain ? 'drift' : 'not verifiable'} at ${first.pointer}`;
}

describe('client mode compares Git as the server stores it', () => {
  const cases: [string, KubeObject, KubeObject, string][] = [
    // A non-pointer field tagged omitempty: the server stores 0 as nothing.
    ['minReadySeconds: 0, absent live', deployment({ minReadySeconds: 0 }), deployment({}), 'in sync'],
    [
      'minReadySeconds: 0 against 10 live (the apply clears it)',
      deployment({ minReadySeconds: 0 }),
      deployment({ minReadySeconds: 10 }),
      'not verifiable at /spec/minReadySeconds',
    ],
    [
      'replicas: 0 (a pointer: its zero is stored), absent live',
      deployment({ replicas: 0 }),
      deployment({}),
      'drift at /spec/replicas',
    ],
    ['hostNetwork: false, absent live', pod({ hostNetwork: false }), pod({}), 'in sync'],
    [
      'another image live (a field whose zero is not stored, with a value: surely a change)',
      container({}),
      pod({ containers: [{ name: 'app', image: 'app:2' }] }),
      'drift at /spec/template/spec/containers/0/image',
    ],
    [
      'readOnly: false in a volume mount, absent live',
      container({ volumeMounts: [{ name: 'data', mountPath: '/data', readOnly: false }] }),
      container({ volumeMounts: [{ name: 'data', mountPath: '/data' }] }),
      'in sync',
    ],
    [
      'empty supplementalGroups and sysctls, absent live',
      pod({ securityContext: { runAsNonRoot: true, supplementalGroups: [], sysctls: [] } }),
      pod({ securityContext: { runAsNonRoot: true } }),
      'in sync',
    ],
    [
      'empty supplementalGroups against groups live',
      pod({ securityContext: { supplementalGroups: [] } }),
      pod({ securityContext: { supplementalGroups: [1000] } }),
      'not verifiable at /spec/template/spec/securityContext/supplementalGroups',
    ],
    ['nodeSelector: {}, absent live', pod({ nodeSelector: {} }), pod({}), 'in sync'],
    [
      'creationTimestamp: null (kubectl create --dry-run -o yaml), in the template and the object',
      object('apps/v1', 'Deployment', {
        metadata: { name: 'x', creationTimestamp: null },
        spec: { template: { metadata: { creationTimestamp: null } } },
      }),
      object('apps/v1', 'Deployment', {
        metadata: { name: 'x', creationTimestamp: '2026-12-02T14:00:00Z' },
        spec: { template: { metadata: {} } },
      }),
      'in sync',
    ],
    [
      "a custom resource's null is a value",
      object('example.com/v1', 'Probe', { spec: { endpoints: null } }),
      object('example.com/v1', 'Probe', { spec: {} }),
      'not verifiable at /spec/endpoints',
    ],
    // Defaults inside atomic structures, which the apply replaces whole.
    [
      'a NetworkPolicy port without protocol, TCP live',
      policy({ port: 443 }),
      policy({ port: 443, protocol: 'TCP' }),
      'in sync',
    ],
    [
      'a NetworkPolicy port without protocol, UDP live',
      policy({ port: 443 }),
      policy({ port: 443, protocol: 'UDP' }),
      'not verifiable at /spec/ingress',
    ],
    [
      'a downward API fieldRef without apiVersion, v1 live',
      env({ fieldRef: { fieldPath: 'metadata.namespace' } }),
      env({ fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }),
      'in sync',
    ],
    [
      // A value Git writes itself inside an atomic map: no default can make it equal again.
      'a downward API fieldRef to another field live',
      env({ fieldRef: { fieldPath: 'metadata.namespace' } }),
      env({ fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } }),
      'drift at /spec/template/spec/containers/0/env/0/valueFrom/fieldRef',
    ],
    [
      'a resourceFieldRef without divisor, "0" live',
      env({ resourceFieldRef: { resource: 'limits.cpu' } }),
      env({ resourceFieldRef: { resource: 'limits.cpu', divisor: '0' } }),
      'in sync',
    ],
    [
      'a volumeClaimTemplate with the StatefulSet defaults live, its size written otherwise',
      statefulSet(claim({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1024Mi' } } })),
      statefulSet(
        storedClaim({
          accessModes: ['ReadWriteOnce'],
          resources: { requests: { storage: '1Gi' } },
          volumeMode: 'Filesystem',
        }),
      ),
      'in sync',
    ],
    [
      'a volumeClaimTemplate whose volumeMode is Block live',
      statefulSet(claim({ accessModes: ['ReadWriteOnce'] })),
      statefulSet(storedClaim({ accessModes: ['ReadWriteOnce'], resources: {}, volumeMode: 'Block' })),
      'not verifiable at /spec/volumeClaimTemplates',
    ],
    [
      'a volumeClaimTemplate of another size live',
      statefulSet(claim({ resources: { requests: { storage: '1Gi' } } })),
      statefulSet(storedClaim({ resources: { requests: { storage: '2Gi' } }, volumeMode: 'Filesystem' })),
      'drift at /spec/volumeClaimTemplates',
    ],
    [
      "a User subject without apiGroup, RBAC's group live",
      binding({ kind: 'User', name: 'jane' }),
      binding({ kind: 'User', name: 'jane', apiGroup: 'rbac.authorization.k8s.io' }),
      'in sync',
    ],
    [
      "a ServiceAccount subject without apiGroup, RBAC's group live (never its default)",
      binding({ kind: 'ServiceAccount', name: 'app', namespace: 'x' }),
      binding({ kind: 'ServiceAccount', name: 'app', namespace: 'x', apiGroup: 'rbac.authorization.k8s.io' }),
      'not verifiable at /subjects',
    ],
    [
      "a CRD version's empty printer columns (a Go slice: not stored)",
      object('apiextensions.k8s.io/v1', 'CustomResourceDefinition', {
        spec: { versions: [{ name: 'v1', served: true, additionalPrinterColumns: [] }] },
      }),
      object('apiextensions.k8s.io/v1', 'CustomResourceDefinition', {
        spec: { versions: [{ name: 'v1', served: true }] },
      }),
      'in sync',
    ],
    [
      "a webhook's rule without scope, * live",
      webhook({ apiGroups: ['cert-manager.io'], operations: ['CREATE'], resources: ['*/*'] }),
      webhook({ apiGroups: ['cert-manager.io'], operations: ['CREATE'], resources: ['*/*'], scope: '*' }),
      'in sync',
    ],
    [
      "a webhook's rule without scope, Namespaced live",
      webhook({ apiGroups: ['cert-manager.io'] }),
      webhook({ apiGroups: ['cert-manager.io'], scope: 'Namespaced' }),
      'not verifiable at /webhooks/0/rules',
    ],
    [
      "a ValidatingAdmissionPolicy's match constraints with the defaults live",
      admissionPolicy({ resourceRules: [{ apiGroups: ['gateway.networking.k8s.io'] }] }),
      admissionPolicy({
        resourceRules: [{ apiGroups: ['gateway.networking.k8s.io'], scope: '*' }],
        matchPolicy: 'Equivalent',
        namespaceSelector: {},
        objectSelector: {},
      }),
      'in sync',
    ],
    [
      "a ValidatingAdmissionPolicy's match constraints with a namespace selector live",
      admissionPolicy({ resourceRules: [{ apiGroups: ['gateway.networking.k8s.io'] }] }),
      admissionPolicy({
        resourceRules: [{ apiGroups: ['gateway.networking.k8s.io'], scope: '*' }],
        matchPolicy: 'Equivalent',
        namespaceSelector: { matchLabels: { team: 'a' } },
        objectSelector: {},
      }),
      'not verifiable at /spec/matchConstraints',
    ],
    [
      // Admission may add elements (a Pod's default tolerations): another length is no proof.
      'an atomic list of structures with an element more live',
      policy({ port: 8080 }),
      object('networking.k8s.io/v1', 'NetworkPolicy', {
        spec: {
          ingress: [
            {
              ports: [
                { port: 8080, protocol: 'TCP' },
                { port: 9090, protocol: 'TCP' },
              ],
            },
          ],
        },
      }),
      'not verifiable at /spec/ingress',
    ],
    [
      // Maps have no defaults: a key only live is one the apply removes.
      'a label added by hand to a selector Git sets inside an atomic map',
      admissionPolicy({ namespaceSelector: { matchLabels: { team: 'a' } } }),
      admissionPolicy({
        matchPolicy: 'Equivalent',
        namespaceSelector: { matchLabels: { team: 'a', env: 'prod' } },
        objectSelector: {},
      }),
      'drift at /spec/matchConstraints',
    ],
    [
      'the same selector with no label added',
      admissionPolicy({ namespaceSelector: { matchLabels: { team: 'a' } } }),
      admissionPolicy({
        matchPolicy: 'Equivalent',
        namespaceSelector: { matchLabels: { team: 'a' } },
        objectSelector: {},
      }),
      'in sync',
    ],
    [
      "a custom resource's published default inside an atomic list",
      probe({ port: 'web' }),
      probe({ port: 'web', interval: '30s' }),
      'in sync',
    ],
    [
      "a custom resource's list element with another value than the default live",
      probe({ port: 'web' }),
      probe({ port: 'web', interval: '10s' }),
      'not verifiable at /spec/endpoints',
    ],
    [
      "a custom resource's empty list is stored as written (no Go slice)",
      object('example.com/v1', 'Probe', { spec: { endpoints: [] } }),
      object('example.com/v1', 'Probe', { spec: {} }),
      'not verifiable at /spec/endpoints',
    ],
  ];
  for (const [name, git, live, expected] of cases) {
    it(name, () => assert.equal(verdict(git, live), expected));
  }
});
